package sharedstore

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
)

// tlsConfig builds the client TLS settings of c: the system roots unless a
// CA file is named, and a client certificate when one is.
func (c *Config) tlsConfig() (*tls.Config, error) {
	host, _, _ := net.SplitHostPort(c.Host)
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if c.CACert != "" {
		pem, err := os.ReadFile(c.CACert)
		if err != nil {
			return nil, fmt.Errorf("read the %s CA certificate: %w", c.Engine, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the %s CA certificate %s holds no PEM certificate", c.Engine, c.CACert)
		}
		tc.RootCAs = pool
	}
	if c.Cert != "" {
		cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return nil, fmt.Errorf("read the %s client certificate: %w", c.Engine, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// Command floor links the packages any kakao-auth needs (net/http and
// html/template, cobra, the OS keyring, the browser opener, x/oauth2 and
// the OpenID Connect verifier) and does nothing: bench/run.sh measures it
// as the loose floor of a Go CLI built on them, whose start-up is their
// package initialisation.
package main

import (
	_ "html/template"
	_ "net/http"

	_ "github.com/coreos/go-oidc/v3/oidc"
	_ "github.com/pkg/browser"
	_ "github.com/spf13/cobra"
	_ "github.com/zalando/go-keyring"
	_ "golang.org/x/oauth2"
)

func main() {}

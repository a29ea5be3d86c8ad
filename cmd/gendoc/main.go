// Command gendoc writes what a release ships beside the binary: a man page
// per command (and one for "help environment") and the completion scripts
// for bash, zsh, fish and PowerShell, all from the command tree itself.
//
//	go run ./cmd/gendoc DIR
//
// writes DIR/man/*.1 and DIR/completions/. Man pages are dated from
// SOURCE_DATE_EPOCH, as cobra's generator reads it, so that a release is
// reproducible; the environment is not read, so the text does not depend
// on the machine that builds it.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/kakao-auth/kakao-auth/cmd"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gendoc DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "gendoc:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	d := cmd.DefaultDeps()
	d.Getenv = func(string) string { return "" }
	d.Stdout, d.Stderr = io.Discard, io.Discard
	root := cmd.NewRootCmd(d)
	root.DisableAutoGenTag = true

	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "KAKAO-AUTH", Section: "1", Source: "kakao-auth", Manual: "kakao-auth manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	// GenManTree leaves out help topics; "help environment" is a page of
	// its own, kakao-auth-environment(1). Its text is a table laid out in
	// columns, which man would refill: it goes in as preformatted text
	// (indented, a Markdown code block to the man page generator).
	for _, c := range root.Commands() {
		if !c.IsAdditionalHelpTopicCommand() {
			continue
		}
		topic := &cobra.Command{Use: c.Use, Short: c.Short, Long: "    " + strings.ReplaceAll(c.Long, "\n", "\n    ")}
		root.AddCommand(topic)
		var b bytes.Buffer
		h := *header
		if err := doc.GenMan(topic, &h, &b); err != nil {
			return fmt.Errorf("man page of %s: %w", c.Name(), err)
		}
		if err := os.WriteFile(filepath.Join(man, "kakao-auth-"+c.Name()+".1"), b.Bytes(), 0o644); err != nil {
			return err
		}
	}

	comp := filepath.Join(dir, "completions")
	if err := os.MkdirAll(comp, 0o755); err != nil {
		return err
	}
	for name, gen := range map[string]func(*cobra.Command, io.Writer) error{
		"kakao-auth.bash": func(c *cobra.Command, w io.Writer) error { return c.GenBashCompletionV2(w, true) },
		"_kakao-auth":     func(c *cobra.Command, w io.Writer) error { return c.GenZshCompletion(w) },
		"kakao-auth.fish": func(c *cobra.Command, w io.Writer) error { return c.GenFishCompletion(w, true) },
		"kakao-auth.ps1":  func(c *cobra.Command, w io.Writer) error { return c.GenPowerShellCompletionWithDesc(w) },
	} {
		var b bytes.Buffer
		if err := gen(root, &b); err != nil {
			return fmt.Errorf("completion %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(comp, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoardstore/hoard/internal/bench"
	"github.com/hoardstore/hoard/internal/cli"
	"github.com/hoardstore/hoard/internal/version"
)

// Exit codes, documented in `hoard --help`.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// usageError marks errors in how a command was called.
type usageError struct{ error }

func main() {
	root := newRootCommand()
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "hoard:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(exitUsage)
		}
		os.Exit(exitError)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "hoard",
		Short: "Hoard: a self-hosted, S3-compatible object store and its client",
		Long: `Hoard is an S3-compatible object store in one binary.

  hoard server DIR...   run the server on one or more drive folders
  hoard --version       print the version and commit

The other commands are an S3 client for Hoard and any S3 service. Paths
read ALIAS/BUCKET/KEY once an alias names the endpoint; other paths are
local files. Every client command takes --json (one JSON object per line).

Examples:
  hoard alias set local http://127.0.0.1:9000 admin change-me-please
  hoard mb local/photos
  hoard cp --recursive ./holiday/ local/photos/2026/
  hoard ls --recursive local/photos
  hoard mirror --remove ./website local/www/
  hoard share download local/photos/2026/beach.jpg --expire 24h
  hoard admin info local
  source <(hoard completion bash)     # also zsh, fish, powershell

Exit codes: 0 success, 1 error, 2 usage error.`,
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("hoard {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newServerCommand())
	root.AddCommand(bench.NewCommand())
	root.AddCommand(cli.Commands(cli.Options{
		UsageError: func(err error) error { return usageError{err} },
		Signals:    true,
	})...)
	return root
}

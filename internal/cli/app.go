package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

// Options are what the client commands take from their surroundings.
// Zero fields mean the process's own (os.Stdin, os.Getenv, ...).
type Options struct {
	// Stdin, Stdout and Stderr are the command's streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv and Environ read the environment.
	Getenv  func(string) string
	Environ func() []string
	// HomeDir returns the user's home folder.
	HomeDir func() (string, error)
	// UsageError marks an error as a usage error (exit code 2); nil
	// leaves errors as they are.
	UsageError func(error) error
	// Signals makes long commands stop cleanly on SIGINT and SIGTERM.
	Signals bool
}

func (o Options) withDefaults() Options {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Environ == nil {
		o.Environ = os.Environ
	}
	if o.HomeDir == nil {
		o.HomeDir = os.UserHomeDir
	}
	if o.UsageError == nil {
		o.UsageError = func(err error) error { return err }
	}
	return o
}

// app is the state one set of commands shares: options, global flags and
// the clients built so far.
type app struct {
	opts Options

	configDirFlag string
	jsonOut       bool
	quiet         bool
	insecure      bool

	// wrapTransport, when set, wraps every client's HTTP transport (tests
	// count requests with it).
	wrapTransport func(http.RoundTripper) http.RoundTripper

	mu      sync.Mutex
	remotes map[string]*remote
	out     *printer
}

// Commands returns the client commands (alias, ls, cp, mirror, share,
// admin, ...) for the root command to add.
func Commands(opts Options) []*cobra.Command {
	return newApp(opts).commands()
}

func newApp(opts Options) *app {
	return &app{opts: opts.withDefaults(), remotes: map[string]*remote{}}
}

// commands builds the command tree bound to a.
func (a *app) commands() []*cobra.Command {
	cmds := []*cobra.Command{
		a.aliasCommand(), a.lsCommand(), a.mbCommand(), a.rbCommand(),
		a.cpCommand(), a.mvCommand(), a.rmCommand(), a.catCommand(),
		a.headCommand(), a.pipeCommand(), a.statCommand(), a.duCommand(),
		a.findCommand(), a.mirrorCommand(), a.shareCommand(), a.corsCommand(), a.ilmCommand(), a.anonymousCommand(),
		a.versionCommand(), a.retentionCommand(), a.legalHoldCommand(),
		a.adminCommand(),
	}
	for _, c := range cmds {
		a.addGlobalFlags(c)
	}
	return cmds
}

// addGlobalFlags adds the flags every client command takes.
func (a *app) addGlobalFlags(c *cobra.Command) {
	f := c.PersistentFlags()
	f.StringVar(&a.configDirFlag, "config-dir", "", "configuration folder (env "+envConfigDir+"; default ~/.hoard)")
	f.BoolVar(&a.jsonOut, "json", false, "print one JSON object per line, for scripts")
	f.BoolVarP(&a.quiet, "quiet", "q", false, "no progress bar and no per-item messages")
	f.BoolVar(&a.insecure, "insecure", false, "accept any TLS certificate (self-signed test setups only)")
}

// store returns the configuration store the flags and environment select.
func (a *app) store() (*configStore, error) {
	dir, err := configDir(a.configDirFlag, a.opts.Getenv, a.opts.HomeDir)
	if err != nil {
		return nil, err
	}
	return &configStore{dir: dir, environ: a.opts.Environ()}, nil
}

// printer returns the command's output printer.
func (a *app) printer() *printer {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.out == nil {
		a.out = newPrinter(a.opts.Stdout, a.jsonOut)
	}
	return a.out
}

// usage returns a usage error (exit code 2) with the given message.
func (a *app) usage(format string, args ...any) error {
	return a.opts.UsageError(fmt.Errorf(format, args...))
}

// args returns a cobra argument validator taking min to max arguments
// (max < 0: no limit) whose failures are usage errors.
func (a *app) args(min, max int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) < min:
			return a.usage("%s: needs at least %d argument(s); see '%s --help'", c.Name(), min, c.CommandPath())
		case max >= 0 && len(args) > max:
			return a.usage("%s: takes at most %d argument(s); see '%s --help'", c.Name(), max, c.CommandPath())
		}
		return nil
	}
}

// run adapts fn to cobra's RunE: it gives fn a context that ends on
// SIGINT or SIGTERM and, with --json, reports a failure as a JSON line.
func (a *app) run(fn func(ctx context.Context, args []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		ctx := c.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		if a.opts.Signals {
			var stop context.CancelFunc
			ctx, stop = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
			defer stop()
		}
		err := fn(ctx, args)
		if err != nil && a.jsonOut {
			a.printer().json(map[string]any{"status": "error", "error": err.Error()})
		}
		return err
	}
}

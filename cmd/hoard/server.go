package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/server"
)

func newServerCommand() *cobra.Command {
	cfg := config.Defaults()
	var configFile, certsDir string
	var domains, trusted []string
	cmd := &cobra.Command{
		Use:   "server [flags] DIR...|URL...",
		Short: "Run the S3 server on one or more drive folders",
		Long: `Run the Hoard S3 server.

One folder runs the single-drive mode. Two or more folders pool the drives
into erasure-coded sets. Folder arguments may use ellipses: /mnt/disk{1...4}.

Cluster mode: give every node the same list of endpoint URLs,
scheme://host:port/folder (ellipses work here too). Each node recognises
its own endpoints by --address (its host:port as the URLs name it) and
reaches the others' drives over authenticated node-to-node calls; nodes
may start in any order and wait until enough of them answer. Cluster mode
needs the same root credentials on every node (or HOARD_CLUSTER_SECRET).

Settings come from flags, then environment variables, then the --config
file (KEY=VALUE lines, the same names as the environment; the format of
systemd's EnvironmentFile), then defaults.

Environment variables:
` + envHelp() + `  ` + fmt.Sprintf("%-24s", envCertsDir) + ` folder with public.crt and private.key (and CAs/ for peers): HTTPS
  ` + fmt.Sprintf("%-24s", envClusterSecret) + ` secret keying node-to-node calls; default: derived from the root credentials

When no root credentials are configured, the first start generates strong
random ones, stores them (mode 0600) in the first drive and prints them once.`,
		Example: `  # one folder, credentials generated on first start
  hoard server /srv/hoard

  # four drives, explicit credentials
  HOARD_ROOT_USER=admin HOARD_ROOT_PASSWORD='change-me-please' \
    hoard server --address :9000 /mnt/disk{1...4}

  # settings in a file (also usable as systemd's EnvironmentFile)
  hoard server --config /etc/hoard/hoard.env

  # one node of a four-node cluster (the same command on node1..node4)
  hoard server --address node1.example.net:9000 http://node{1...4}.example.net:9000/mnt/disk{1...4}`,
		RunE: func(c *cobra.Command, args []string) error {
			return runServer(c, cfg, configFile, certsDir, serverLists{domains, trusted}, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Address, "address", cfg.Address, "S3 listen address (env "+config.EnvAddress+")")
	f.StringVar(&cfg.ConsoleAddress, "console-address", cfg.ConsoleAddress, "web console listen address; auto is the host of --address with port "+config.DefaultConsolePort+"; empty disables it (env "+config.EnvConsoleAddress+")")
	f.StringVar(&cfg.Region, "region", cfg.Region, "region requests are signed for (env "+config.EnvRegion+")")
	f.StringSliceVar(&domains, "domain", nil, "domain for virtual-host-style requests, bucket.DOMAIN; repeatable (env "+config.EnvDomain+")")
	f.IntVar(&cfg.Parity, "parity", 0, "parity drives per erasure set; 0 picks the default for the set size (env "+config.EnvParity+")")
	f.Float64Var(&cfg.ScannerRate, "scanner-rate", cfg.ScannerRate, "objects per second the background heal scanner visits; 0 disables it (env "+config.EnvScannerRate+")")
	f.IntVar(&cfg.LifecycleRate, "ilm-rate", cfg.LifecycleRate, "object versions per second the lifecycle worker looks at; 0 disables lifecycle expiry (env "+config.EnvILMRate+")")
	f.DurationVar(&cfg.LifecycleInterval, "ilm-interval", cfg.LifecycleInterval, "pause between two lifecycle passes (env "+config.EnvILMInterval+")")
	f.StringVar(&cfg.IAMKeyFile, "iam-key-file", cfg.IAMKeyFile, "file whose content seals IAM secrets at rest, the same on every node; default: derived from the root secret key (env "+config.EnvIAMKeyFile+")")
	f.DurationVar(&cfg.StaleUploadAge, "stale-upload-age", cfg.StaleUploadAge, "abort multipart uploads older than this; 0 disables (env "+config.EnvStaleUploadAge+")")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long in-flight requests may finish on SIGTERM (env "+config.EnvShutdown+")")
	f.DurationVar(&cfg.BodyTimeout, "body-timeout", cfg.BodyTimeout, "drop a request body that delivers nothing for this long; 0 disables body deadlines (env "+config.EnvBodyTimeout+")")
	f.Int64Var(&cfg.BodyMinRate, "body-min-rate", cfg.BodyMinRate, "drop a request body slower than this many bytes per second on average; 0 keeps only the timeout (env "+config.EnvBodyMinRate+")")
	f.IntVar(&cfg.MaxConns, "max-conns", cfg.MaxConns, "open connections per listener, more wait to be accepted; 0 = no limit (env "+config.EnvMaxConns+")")
	f.IntVar(&cfg.MaxConnsPerIP, "max-conns-per-ip", cfg.MaxConnsPerIP, "open connections from one client address, more are closed at once; 0 = no limit (env "+config.EnvMaxConnsPerIP+")")
	f.StringSliceVar(&trusted, "trusted-proxies", nil, "networks (CIDR) of trusted reverse proxies, comma-separated: only from these peers are X-Forwarded-For, Forwarded, X-Real-IP and X-Forwarded-Proto used (env "+config.EnvTrustedProxies+")")
	f.DurationVar(&cfg.DriveTimeout, "drive-timeout", cfg.DriveTimeout, "a drive call that takes longer takes the drive offline until it answers again; 0 disables (env "+config.EnvDriveTimeout+")")
	f.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error (env "+config.EnvLogLevel+")")
	f.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "text or json (env "+config.EnvLogFormat+")")
	f.StringVar(&configFile, "config", "", "KEY=VALUE settings file with the variables below")
	f.StringVar(&certsDir, "certs-dir", "", "folder with public.crt and private.key (and CAs/) to serve HTTPS; changed files are reloaded (env "+envCertsDir+")")
	return cmd
}

// Variables of TLS and cluster mode, read here beside the configuration's.
const (
	envCertsDir      = "HOARD_CERTS_DIR"
	envClusterSecret = "HOARD_CLUSTER_SECRET"
)

// takeServerOptions moves the TLS and cluster variables out of vars (so
// the configuration does not see them as unknown) into opts.
func takeServerOptions(vars map[string]string, opts *server.Options) {
	if v, ok := vars[envCertsDir]; ok {
		opts.CertsDir = v
		delete(vars, envCertsDir)
	}
	if v, ok := vars[envClusterSecret]; ok {
		opts.ClusterSecret = v
		delete(vars, envClusterSecret)
	}
}

func envHelp() string {
	var b strings.Builder
	for _, v := range config.Variables {
		fmt.Fprintf(&b, "  %-24s %s\n", v.Name, v.Help)
	}
	return b.String()
}

// runServer merges settings (flags over environment over file over
// defaults), starts the server and waits for SIGINT or SIGTERM.
func runServer(c *cobra.Command, flagCfg config.Server, configFile, certsDir string, lists serverLists, args []string) error {
	cfg := config.Defaults()
	var opts server.Options
	if configFile != "" {
		fh, err := os.Open(configFile)
		if err != nil {
			return usageError{fmt.Errorf("config file: %w", err)}
		}
		vars, err := config.ParseFile(fh)
		fh.Close()
		if err != nil {
			return usageError{err}
		}
		takeServerOptions(vars, &opts)
		if err := cfg.Apply(vars); err != nil {
			return usageError{err}
		}
	}
	env := hoardEnv()
	takeServerOptions(env, &opts)
	if err := cfg.ApplyEnv(env); err != nil {
		return usageError{err}
	}
	if c.Flags().Changed("certs-dir") {
		opts.CertsDir = certsDir
	}
	applyChangedFlags(c, &cfg, flagCfg, lists)
	if len(args) > 0 {
		cfg.Drives = args
	}
	// Arguments and HOARD_DRIVES alike may use ellipses.
	drives, err := config.ExpandAll(cfg.Drives)
	if err != nil {
		return usageError{err}
	}
	cfg.Drives = drives
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := newLogger(cfg)
	if os.Geteuid() == 0 {
		log.Warn("running as root: run Hoard as a dedicated unprivileged user (see docs/deploy)")
	}
	srv, err := server.NewWithOptions(cfg, log, opts)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		srv.Shutdown(context.Background())
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	stop()
	log.Info("shutting down: finishing in-flight requests", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	log.Info("stopped")
	return nil
}

// serverLists are the list-valued flags, which cobra keeps apart from
// the configuration.
type serverLists struct {
	domains, trustedProxies []string
}

// applyChangedFlags copies the flags the user set over cfg.
func applyChangedFlags(c *cobra.Command, cfg *config.Server, f config.Server, lists serverLists) {
	changed := c.Flags().Changed
	if changed("address") {
		cfg.Address = f.Address
	}
	if changed("console-address") {
		cfg.ConsoleAddress = f.ConsoleAddress
	}
	if changed("region") {
		cfg.Region = f.Region
	}
	if changed("domain") {
		cfg.Domains = lists.domains
	}
	if changed("trusted-proxies") {
		cfg.TrustedProxies = lists.trustedProxies
	}
	if changed("parity") {
		cfg.Parity = f.Parity
	}
	if changed("scanner-rate") {
		cfg.ScannerRate = f.ScannerRate
	}
	if changed("ilm-rate") {
		cfg.LifecycleRate = f.LifecycleRate
	}
	if changed("ilm-interval") {
		cfg.LifecycleInterval = f.LifecycleInterval
	}
	if changed("iam-key-file") {
		cfg.IAMKeyFile = f.IAMKeyFile
	}
	if changed("drive-timeout") {
		cfg.DriveTimeout = f.DriveTimeout
	}
	if changed("stale-upload-age") {
		cfg.StaleUploadAge = f.StaleUploadAge
	}
	if changed("shutdown-timeout") {
		cfg.ShutdownTimeout = f.ShutdownTimeout
	}
	if changed("body-timeout") {
		cfg.BodyTimeout = f.BodyTimeout
	}
	if changed("body-min-rate") {
		cfg.BodyMinRate = f.BodyMinRate
	}
	if changed("max-conns") {
		cfg.MaxConns = f.MaxConns
	}
	if changed("max-conns-per-ip") {
		cfg.MaxConnsPerIP = f.MaxConnsPerIP
	}
	if changed("log-level") {
		cfg.LogLevel = f.LogLevel
	}
	if changed("log-format") {
		cfg.LogFormat = f.LogFormat
	}
}

// hoardEnv returns the HOARD_* environment variables.
func hoardEnv() map[string]string {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "HOARD_") {
			vars[k] = v
		}
	}
	return vars
}

func newLogger(cfg config.Server) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

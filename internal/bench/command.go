package bench

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Environment variables the command reads credentials from when the
// flags do not give them.
const (
	EnvAccessKey = "AWS_ACCESS_KEY_ID"
	EnvSecretKey = "AWS_SECRET_ACCESS_KEY"
)

// NewCommand returns the `bench` command: it parses flags into a Config,
// runs it and prints the report.
func NewCommand() *cobra.Command {
	var cfg Config
	var size, mix, partSize string
	var asJSON, quiet bool
	names := make([]string, 0, 8)
	for _, w := range Workloads() {
		names = append(names, string(w))
	}
	cmd := &cobra.Command{
		Use:   "bench WORKLOAD --endpoint URL [flags]",
		Short: "Measure an S3 endpoint: " + strings.Join(names, ", "),
		Long: `Measure the throughput and latency of an S3 endpoint (Hoard or any other).

Workloads:
  put        write new objects
  get        read prepared objects at random
  mixed      GET, PUT, DELETE and STAT by --mix shares over prepared objects
  stat       HEAD prepared objects at random
  list       page through prepared objects with ListObjectsV2
  list-versions  page through the versions of prepared objects with
             ListObjectVersions
  multipart  write objects as multipart uploads of --part-size parts
  delete     delete prepared objects, one request each

A run creates a bucket (or uses --bucket), prepares objects when the
workload needs them, runs --warmup unrecorded, then measures for
--duration or --ops operations (whichever ends first), prints ops/s, MiB/s
and latency percentiles per operation, and deletes everything it wrote
(unless --keep). It talks to the endpoint given and nothing else.

--versioning runs in a versioned bucket: the bucket the run creates gets
versioning enabled with PutBucketVersioning (a --bucket that exists must
be versioned already), --versions-per-key writes every prepared object
that many times, and the cleanup deletes every version it finds under the
prefix (DeleteObjects with version IDs).

Sizes take KiB, MiB, GiB (or K, M, G) binary units and KB, MB, GB decimal
ones; a range such as 4KiB-1MiB draws each object's size uniformly.
Credentials default to $` + EnvAccessKey + ` and $` + EnvSecretKey + `.`,
		Example: `  hoard bench put --endpoint http://127.0.0.1:9000 --size 64KiB --concurrency 32 --duration 30s
  hoard bench get --endpoint http://127.0.0.1:9000 --size 16MiB --concurrency 4 --json
  hoard bench mixed --endpoint http://127.0.0.1:9000 --mix get=60,put=20,delete=10,stat=10
  # list a large bucket written once, from its start and from 90% in
  hoard bench list --endpoint URL --bucket big --prefix l --objects 250000 --size 1KiB --keep
  hoard bench list --endpoint URL --bucket big --prefix l --objects 250000 --size 1KiB --reuse --keep --list-start 0.9 --list-pages 1
  # 1,000 keys of 100 versions each, listed by key and by version
  hoard bench list --endpoint URL --bucket vers --prefix v --versioning --objects 1000 --versions-per-key 100 --size 1KiB --keep
  hoard bench list-versions --endpoint URL --bucket vers --prefix v --versioning --objects 1000 --versions-per-key 100 --size 1KiB --reuse`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			cfg.Workload = Workload(strings.ToLower(args[0]))
			if err := parseSizes(&cfg, size, partSize); err != nil {
				return err
			}
			if mix != "" {
				m, err := ParseMix(mix)
				if err != nil {
					return err
				}
				cfg.Mix = m
			}
			if cfg.AccessKey == "" {
				cfg.AccessKey = os.Getenv(EnvAccessKey)
			}
			if cfg.SecretKey == "" {
				cfg.SecretKey = os.Getenv(EnvSecretKey)
			}
			level := slog.LevelInfo
			if quiet {
				level = slog.LevelWarn
			}
			log := slog.New(slog.NewTextHandler(c.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			ctx, stop := signal.NotifyContext(c.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			rep, err := Run(ctx, cfg, log)
			if rep != nil && rep.Stats != nil {
				var werr error
				if asJSON {
					werr = rep.WriteJSON(c.OutOrStdout())
				} else {
					werr = rep.WriteText(c.OutOrStdout())
				}
				if err == nil {
					err = werr
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Endpoint, "endpoint", "", "S3 endpoint, http[s]://host:port (required)")
	f.StringVar(&cfg.AccessKey, "access-key", "", "access key (default $"+EnvAccessKey+")")
	f.StringVar(&cfg.SecretKey, "secret-key", "", "secret key (default $"+EnvSecretKey+")")
	f.StringVar(&cfg.Region, "region", "us-east-1", "signing region")
	f.BoolVar(&cfg.Insecure, "insecure", false, "skip TLS certificate verification")
	f.StringVar(&cfg.Bucket, "bucket", "", "bucket to use (default: a new one, removed at the end)")
	f.StringVar(&cfg.Prefix, "prefix", "", "key prefix of the run's objects (default: one named after the run)")
	f.StringVar(&size, "size", "64KiB", "object size, or a range such as 4KiB-1MiB")
	f.IntVar(&cfg.Concurrency, "concurrency", 16, "workers, each with one request in flight")
	f.DurationVar(&cfg.Duration, "duration", 0, "length of the measured phase (default 30s unless --ops is set)")
	f.Int64Var(&cfg.Ops, "ops", 0, "number of measured operations (0: bounded by --duration only)")
	f.DurationVar(&cfg.Warmup, "warmup", 0, "unrecorded warm-up before measuring")
	f.IntVar(&cfg.Objects, "objects", 0, "objects prepared for get, stat, mixed, list, delete (default by workload and size)")
	f.BoolVar(&cfg.Reuse, "reuse", false, "use objects a --keep run wrote with the same --bucket, --prefix, --objects and --size")
	f.BoolVar(&cfg.Keep, "keep", false, "leave the bucket and objects in place")
	f.BoolVar(&cfg.Versioning, "versioning", false, "run in a versioned bucket and remove every version at the end")
	f.IntVar(&cfg.VersionsPerKey, "versions-per-key", 1, "times each prepared object is written (more than 1 needs --versioning)")
	f.StringVar(&mix, "mix", DefaultMix().String(), "shares of the mixed workload")
	f.StringVar(&partSize, "part-size", "5MiB", "part size of multipart uploads")
	f.IntVar(&cfg.ListMaxKeys, "list-max-keys", 1000, "keys (or versions) per listing page")
	f.Float64Var(&cfg.ListStart, "list-start", 0, "where listings start, a fraction of the prepared objects (0 to 1)")
	f.IntVar(&cfg.ListPages, "list-pages", 0, "pages per listing before starting over (0: to the end)")
	f.BoolVar(&cfg.Verify, "verify", false, "check GET content and listing key counts")
	f.IntVar(&cfg.ServerPID, "server-pid", 0, "local server process to sample CPU and memory of")
	f.Uint64Var(&cfg.Seed, "seed", 0, "seed for keys, sizes and operation choice (0: from the clock)")
	f.Int64Var(&cfg.MaxErrors, "max-errors", 1000, "stop once this many operations failed")
	f.DurationVar(&cfg.RequestTimeout, "request-timeout", 0, "wait for response headers at most this long (default 5m)")
	f.BoolVar(&asJSON, "json", false, "print the report as JSON")
	f.BoolVar(&quiet, "quiet", false, "log warnings only")
	return cmd
}

// parseSizes reads the size flags into cfg.
func parseSizes(cfg *Config, size, partSize string) error {
	lo, hi, err := ParseSizeRange(size)
	if err != nil {
		return err
	}
	if hi == 0 {
		return fmt.Errorf("bench: --size %q: objects must not all be empty", size)
	}
	cfg.SizeMin, cfg.SizeMax = lo, hi
	ps, err := ParseSize(partSize)
	if err != nil {
		return err
	}
	cfg.PartSize = ps
	return nil
}

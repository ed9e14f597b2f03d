package bench

import (
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{Endpoint: "http://127.0.0.1:9000", AccessKey: "a", SecretKey: "s"}.WithDefaults()
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if c.Workload != WorkloadPut || c.Duration != 30*time.Second || c.SizeMin != 64<<10 || c.Concurrency != 16 {
		t.Errorf("got defaults %+v", c)
	}
	cases := []struct {
		w    Workload
		size int64
		want int
	}{
		{WorkloadGet, 64 << 10, 1000},
		{WorkloadGet, 64 << 20, 32},
		{WorkloadGet, 1 << 30, 32}, // at least two per worker
		{WorkloadList, 1, 10000},
		{WorkloadListVersions, 1, 10000},
		{WorkloadPut, 1, 0},
	}
	for _, tc := range cases {
		got := Config{Workload: tc.w, SizeMin: tc.size, SizeMax: tc.size}.WithDefaults().Objects
		if got != tc.want {
			t.Errorf("%s of %d bytes: got %d objects, want %d", tc.w, tc.size, got, tc.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"ftp endpoint", func(c *Config) { c.Endpoint = "ftp://x" }, "endpoint"},
		{"endpoint with path", func(c *Config) { c.Endpoint = "http://x/y" }, "scheme://host"},
		{"no secret", func(c *Config) { c.SecretKey = "" }, "secret key"},
		{"workload", func(c *Config) { c.Workload = "copy" }, "unknown workload"},
		{"concurrency", func(c *Config) { c.Concurrency = 0 }, "concurrency"},
		{"unbounded", func(c *Config) { c.Duration, c.Ops = 0, 0 }, "duration or an operation count"},
		{"bucket", func(c *Config) { c.Bucket = "Bad_Bucket" }, "bucket name"},
		{"list start", func(c *Config) { c.ListStart = 1.5 }, "list start"},
		{"page size", func(c *Config) { c.ListMaxKeys = 1001 }, "page size"},
		{"parts", func(c *Config) { c.Workload, c.SizeMax, c.PartSize = WorkloadMultipart, 10001, 1 }, "10,000 parts"},
		{"no objects", func(c *Config) { c.Workload, c.Objects = WorkloadGet, 0 }, "prepared object"},
		{"versions unversioned", func(c *Config) { c.VersionsPerKey = 2 }, "need a versioned bucket"},
		{"versions negative", func(c *Config) { c.Versioning, c.VersionsPerKey = true, -1 }, "versions per key"},
		{"versions too many", func(c *Config) { c.Versioning, c.VersionsPerKey = true, 10001 }, "versions per key"},
		{"versions total", func(c *Config) { c.Versioning, c.Objects, c.VersionsPerKey = true, 10_000_000, 100 }, "100,000,000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error about %q", err, tc.want)
			}
		})
	}
	// Every problem is reported at once.
	c := validConfig()
	c.Endpoint, c.Concurrency, c.Bucket = "", 0, "x"
	if err := c.Validate(); err == nil || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("got %v, want three problems", err)
	}
}

package bench

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Workload names what a run does.
type Workload string

// The workloads a run can measure.
const (
	// WorkloadPut writes new objects.
	WorkloadPut Workload = "put"
	// WorkloadGet reads prepared objects at random.
	WorkloadGet Workload = "get"
	// WorkloadStat sends HEAD requests for prepared objects at random.
	WorkloadStat Workload = "stat"
	// WorkloadMixed draws GET, PUT, DELETE and STAT by the shares of Mix.
	WorkloadMixed Workload = "mixed"
	// WorkloadList pages through prepared objects with ListObjectsV2.
	WorkloadList Workload = "list"
	// WorkloadMultipart writes objects as multipart uploads.
	WorkloadMultipart Workload = "multipart"
	// WorkloadDelete deletes prepared objects one request each.
	WorkloadDelete Workload = "delete"
	// WorkloadListVersions pages through the versions of prepared objects
	// with ListObjectVersions.
	WorkloadListVersions Workload = "list-versions"
)

// Workloads returns every workload in the order help texts show them.
func Workloads() []Workload {
	return []Workload{WorkloadPut, WorkloadGet, WorkloadMixed, WorkloadStat, WorkloadList, WorkloadListVersions, WorkloadMultipart, WorkloadDelete}
}

// prepares reports whether the workload needs objects in place before it
// starts.
func (w Workload) prepares() bool {
	switch w {
	case WorkloadGet, WorkloadStat, WorkloadMixed, WorkloadList, WorkloadListVersions, WorkloadDelete:
		return true
	}
	return false
}

// Mix holds the relative shares of the operations of a mixed workload.
type Mix struct {
	Get, Put, Delete, Stat int
}

// DefaultMix returns the share of each operation in a mixed workload
// unless told otherwise: mostly reads, some writes and deletes.
func DefaultMix() Mix { return Mix{Get: 45, Put: 15, Delete: 10, Stat: 30} }

func (m Mix) total() int { return m.Get + m.Put + m.Delete + m.Stat }

// String formats m the way ParseMix reads it.
func (m Mix) String() string {
	return fmt.Sprintf("get=%d,put=%d,delete=%d,stat=%d", m.Get, m.Put, m.Delete, m.Stat)
}

// ParseMix reads shares written as "get=45,put=15,delete=10,stat=30";
// operations left out get a share of 0.
func ParseMix(s string) (Mix, error) {
	var m Mix
	for part := range strings.SplitSeq(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Mix{}, fmt.Errorf("bench: mix %q: want op=share pairs", s)
		}
		var n int
		if _, err := fmt.Sscanf(val, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != val {
			return Mix{}, fmt.Errorf("bench: mix %q: share %q is not a non-negative integer", s, val)
		}
		switch strings.ToLower(name) {
		case "get":
			m.Get = n
		case "put":
			m.Put = n
		case "delete":
			m.Delete = n
		case "stat", "head":
			m.Stat = n
		default:
			return Mix{}, fmt.Errorf("bench: mix %q: unknown operation %q", s, name)
		}
	}
	if m.total() == 0 {
		return Mix{}, fmt.Errorf("bench: mix %q: every share is 0", s)
	}
	return m, nil
}

// Config describes one run. Zero fields take the defaults of
// Config.WithDefaults; Validate reports every problem at once.
type Config struct {
	// Endpoint is the base URL of the S3 service, http:// or https://.
	// Nothing else is ever contacted.
	Endpoint string
	// AccessKey and SecretKey sign every request; Region is the signing
	// region (default us-east-1).
	AccessKey, SecretKey, Region string
	// Insecure skips TLS certificate verification.
	Insecure bool

	// Bucket is the bucket to work in. Empty means a new bucket named
	// after the run, removed at the end. A given bucket is created if
	// missing (and then removed at the end) and otherwise left in place.
	Bucket string
	// Prefix is the key prefix of every object of the run. Empty means
	// one named after the run, so runs never touch each other's objects.
	Prefix string

	// Workload is what to measure.
	Workload Workload
	// SizeMin and SizeMax bound object sizes in bytes; equal means a fixed
	// size, else each object's size is drawn uniformly from the range.
	SizeMin, SizeMax int64
	// Concurrency is the number of workers, each with one request in flight.
	Concurrency int
	// Duration bounds the measured phase; 0 means bounded by Ops only.
	Duration time.Duration
	// Ops bounds the number of measured operations; 0 means bounded by
	// Duration only. At least one of the two must be set.
	Ops int64
	// Warmup runs the workload this long before measuring, unrecorded.
	Warmup time.Duration
	// MaxErrors ends the run with an error once this many operations
	// failed (default 1000).
	MaxErrors int64

	// Objects is the number of objects prepared for get, stat, mixed, list
	// and delete. The default depends on the workload and object size.
	Objects int
	// Reuse skips preparation: the objects of an earlier run with the same
	// Bucket, Prefix, Objects and sizes (kept with Keep) are used.
	Reuse bool
	// Keep leaves the bucket and every object in place at the end.
	Keep bool
	// Versioning runs in a versioned bucket: a bucket the run creates gets
	// versioning enabled (PutBucketVersioning), a given one must have it
	// already, and the cleanup removes every version under the prefix.
	Versioning bool
	// VersionsPerKey is how many times each prepared object is written
	// (default 1); more than 1 needs Versioning.
	VersionsPerKey int

	// Mix holds the shares of the mixed workload.
	Mix Mix
	// PartSize is the part size of multipart uploads (default 5 MiB); an
	// object of SizeMin..SizeMax bytes is cut into parts of this size.
	PartSize int64
	// ListMaxKeys is the page size of listings (default 1000).
	ListMaxKeys int
	// ListStart is where in the prepared objects each listing starts, as a
	// fraction from 0 (the first key) to 1.
	ListStart float64
	// ListPages is how many pages a listing reads before starting over at
	// ListStart; 0 means to the end.
	ListPages int

	// Verify checks the content of every GET and the key count of every
	// complete listing.
	Verify bool
	// ServerPID, when set, is a local server process whose CPU time and
	// resident memory are sampled during the measured phase.
	ServerPID int
	// Seed makes the choice of keys, sizes and operations repeatable; 0
	// picks one from the clock.
	Seed uint64
	// RequestTimeout bounds the wait for a response's headers (default 5m).
	RequestTimeout time.Duration
}

// prepareBudget bounds the bytes a default preparation writes.
const prepareBudget = 2 << 30

// WithDefaults returns c with every unset field set to its default.
func (c Config) WithDefaults() Config {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Workload == "" {
		c.Workload = WorkloadPut
	}
	if c.SizeMin == 0 && c.SizeMax == 0 {
		c.SizeMin, c.SizeMax = 64<<10, 64<<10
	}
	if c.SizeMax < c.SizeMin {
		c.SizeMax = c.SizeMin
	}
	if c.Concurrency == 0 {
		c.Concurrency = 16
	}
	if c.Duration == 0 && c.Ops == 0 {
		c.Duration = 30 * time.Second
	}
	if c.MaxErrors == 0 {
		c.MaxErrors = 1000
	}
	if c.Objects == 0 {
		c.Objects = c.defaultObjects()
	}
	if c.Mix == (Mix{}) {
		c.Mix = DefaultMix()
	}
	if c.PartSize == 0 {
		c.PartSize = 5 << 20
	}
	if c.VersionsPerKey == 0 {
		c.VersionsPerKey = 1
	}
	if c.ListMaxKeys == 0 {
		c.ListMaxKeys = 1000
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 5 * time.Minute
	}
	return c
}

func (c Config) defaultObjects() int {
	switch c.Workload {
	case WorkloadList, WorkloadListVersions, WorkloadDelete:
		return 10000
	case WorkloadGet, WorkloadStat, WorkloadMixed:
		n := int(min(1000, prepareBudget/max(c.SizeMax, 1)))
		return max(n, 2*c.Concurrency)
	}
	return 0
}

// Validate reports every problem of c (after WithDefaults) at once.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf("bench: "+format, args...)) }
	if u, err := url.Parse(c.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("endpoint %q is not an http:// or https:// URL", c.Endpoint)
	} else if u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.User != nil {
		bad("endpoint %q must be scheme://host[:port] only", c.Endpoint)
	}
	if c.AccessKey == "" || c.SecretKey == "" {
		bad("access key and secret key are required")
	}
	if !validWorkload(c.Workload) {
		bad("unknown workload %q", c.Workload)
	}
	if c.SizeMin < 0 || c.SizeMax > 5<<40 {
		bad("object size %d-%d is not between 0 and 5 TiB", c.SizeMin, c.SizeMax)
	}
	if c.Concurrency < 1 || c.Concurrency > 4096 {
		bad("concurrency %d is not between 1 and 4096", c.Concurrency)
	}
	if c.Duration < 0 || c.Ops < 0 || c.Warmup < 0 {
		bad("duration, operation count and warm-up must not be negative")
	}
	if c.Duration == 0 && c.Ops == 0 {
		bad("a run needs a duration or an operation count")
	}
	if c.Workload.prepares() && c.Objects < 1 {
		bad("workload %s needs at least 1 prepared object", c.Workload)
	}
	if c.Objects < 0 || c.Objects > 100_000_000 {
		bad("objects %d is not between 0 and 100,000,000", c.Objects)
	}
	if c.VersionsPerKey < 1 || c.VersionsPerKey > 10000 {
		bad("versions per key %d is not between 1 and 10,000", c.VersionsPerKey)
	} else if c.VersionsPerKey > 1 && !c.Versioning {
		bad("%d versions per key need a versioned bucket (versioning)", c.VersionsPerKey)
	} else if int64(c.Objects)*int64(c.VersionsPerKey) > 100_000_000 {
		bad("objects %d times %d versions per key is more than 100,000,000", c.Objects, c.VersionsPerKey)
	}
	if c.Workload == WorkloadMultipart && (c.PartSize < 1 || c.PartSize > 5<<30) {
		bad("part size %d is not between 1 byte and 5 GiB", c.PartSize)
	}
	if c.Workload == WorkloadMultipart && c.SizeMax > 10000*c.PartSize {
		bad("object size %d needs more than 10,000 parts of %d bytes", c.SizeMax, c.PartSize)
	}
	if c.ListMaxKeys < 1 || c.ListMaxKeys > 1000 {
		bad("list page size %d is not between 1 and 1000", c.ListMaxKeys)
	}
	if c.ListStart < 0 || c.ListStart > 1 || c.ListPages < 0 {
		bad("list start %g is not a fraction from 0 to 1, or list pages %d is negative", c.ListStart, c.ListPages)
	}
	if c.Mix.Get < 0 || c.Mix.Put < 0 || c.Mix.Delete < 0 || c.Mix.Stat < 0 || c.Mix.total() == 0 {
		bad("mix %s needs non-negative shares, not all 0", c.Mix)
	}
	if c.Bucket != "" && !validBucketName(c.Bucket) {
		bad("bucket name %q is not a valid S3 bucket name", c.Bucket)
	}
	if strings.ContainsAny(c.Prefix, "\x00\r\n") || len(c.Prefix) > 512 {
		bad("prefix %q has control characters or is too long", c.Prefix)
	}
	if c.MaxErrors < 1 || c.RequestTimeout < time.Second {
		bad("max errors must be positive and the request timeout at least 1s")
	}
	return errors.Join(errs...)
}

func validWorkload(w Workload) bool {
	return slices.Contains(Workloads(), w)
}

// validBucketName applies the S3 bucket naming rules that matter for a
// path-style request: 3-63 lower-case letters, digits, dots and hyphens,
// starting and ending with a letter or digit.
func validBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if !alnum && c != '.' && c != '-' || (i == 0 || i == len(s)-1) && !alnum {
			return false
		}
	}
	return true
}

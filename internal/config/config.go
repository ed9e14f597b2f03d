package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/oidc"
)

// Defaults.
const (
	DefaultAddress = ":9000"
	// DefaultConsoleAddress puts the console on the host of Address
	// (the interface the operator chose for S3), port DefaultConsolePort:
	// see Server.ConsoleListen.
	DefaultConsoleAddress = "auto"
	// DefaultConsolePort is the console's port when ConsoleAddress is "auto".
	DefaultConsolePort     = "9001"
	DefaultRegion          = "us-east-1"
	DefaultShutdownTimeout = 30 * time.Second
	DefaultStaleUploadAge  = 7 * 24 * time.Hour
	// DefaultScannerRate is the background scanner's pace, in objects per second.
	DefaultScannerRate = 100
	// DefaultBodyTimeout is how long a request body may go without
	// delivering a byte (and the most credit a fast start banks).
	DefaultBodyTimeout = time.Minute
	// DefaultDriveTimeout bounds each call to a drive: a drive that takes
	// longer is taken out of service until it answers again.
	DefaultDriveTimeout = 30 * time.Second
	// DefaultBodyMinRate is the slowest a request body may arrive on
	// average, in bytes per second.
	DefaultBodyMinRate = 1024
	// DefaultMaxConns bounds the open connections of each listener.
	DefaultMaxConns = 4096
	// DefaultMaxConnsPerIP bounds the open connections from one address.
	DefaultMaxConnsPerIP = 512
)

// Server is the configuration of `hoard server`.
type Server struct {
	// Address is the S3 listen address (host:port).
	Address string
	// ConsoleAddress is the web console's listen address; empty disables
	// it; "auto" (the default) is the host of Address, port 9001.
	ConsoleAddress string
	// Drives are the drive folders (after ellipsis expansion).
	Drives []string
	// RootUser and RootPassword are the root credentials (access key, secret key).
	RootUser     string
	RootPassword string
	// Region is the S3 region the server signs for.
	Region string
	// Domains enable virtual-host-style requests: bucket.DOMAIN.
	Domains []string
	// Parity is the number of parity drives per erasure set; 0 picks the default.
	Parity int
	// ScannerRate is how many objects per second the background scanner
	// visits (verifying and healing them, counting bucket usage); 0
	// disables the scanner.
	ScannerRate float64
	// StaleUploadAge is how old an unfinished multipart upload may get
	// before it is aborted; 0 disables the cleanup.
	StaleUploadAge time.Duration
	// ShutdownTimeout bounds how long in-flight requests may run after a
	// shutdown signal.
	ShutdownTimeout time.Duration
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
	// BodyTimeout and BodyMinRate bound how slowly a request body may
	// arrive: each byte received buys 1/BodyMinRate seconds, at most
	// BodyTimeout ahead, starting with BodyTimeout; a body that runs out
	// of time is dropped. BodyMinRate 0 only drops a body that delivers
	// nothing for BodyTimeout; BodyTimeout 0 disables both.
	BodyTimeout time.Duration
	BodyMinRate int64
	// MaxConns bounds the open connections of each listener (connections
	// beyond it wait in the kernel's accept queue); MaxConnsPerIP those
	// from one client address (beyond it they are closed at once). 0
	// means no limit.
	MaxConns      int
	MaxConnsPerIP int
	// TrustedProxies are the networks (CIDR, or single addresses) of the
	// reverse proxies and load balancers in front of the server: only from
	// a TCP peer in one of them are X-Forwarded-For, Forwarded, X-Real-IP
	// and X-Forwarded-Proto believed (see internal/clientip).
	TrustedProxies []string
	// OpenID configures sign-on through an OpenID Connect provider (STS
	// AssumeRoleWithWebIdentity); an empty ConfigURL disables it.
	OpenID OpenIDSettings
	// DriveTimeout bounds each call to a drive (and each read or write of
	// a shard): a drive that does not answer in time is taken out of
	// service (offline, "hung") and rejoins once it answers; no request
	// waits on it longer. 0 disables the deadline.
	DriveTimeout time.Duration
	// LifecycleRate is how many object versions and uploads per second
	// the lifecycle worker looks at; 0 disables it (no rule is applied).
	LifecycleRate int
	// LifecycleInterval is the pause between two lifecycle passes.
	LifecycleInterval time.Duration
	// LifecycleDay is the length of a lifecycle day: 24h except in tests,
	// which set it (HOARD_TEST_ILM_DAY, deliberately undocumented) to
	// seconds so rules of a few "days" play out in seconds.
	LifecycleDay time.Duration
	// IAMKeyFile names a file whose content seals IAM secrets (users' and
	// service accounts' secret keys) at rest; empty: a key derived from
	// the root secret key. Every node of a cluster needs the same.
	IAMKeyFile string
}

// Defaults returns a Server configuration with every default filled in.
func Defaults() Server {
	return Server{
		Address:         DefaultAddress,
		ConsoleAddress:  DefaultConsoleAddress,
		Region:          DefaultRegion,
		StaleUploadAge:  DefaultStaleUploadAge,
		ScannerRate:     DefaultScannerRate,
		ShutdownTimeout: DefaultShutdownTimeout,
		LogLevel:        "info",
		LogFormat:       "text",
		BodyTimeout:     DefaultBodyTimeout,
		BodyMinRate:     DefaultBodyMinRate,
		MaxConns:        DefaultMaxConns,
		MaxConnsPerIP:   DefaultMaxConnsPerIP,
		DriveTimeout:    DefaultDriveTimeout,

		LifecycleRate:     DefaultLifecycleRate,
		LifecycleInterval: DefaultLifecycleInterval,
		LifecycleDay:      24 * time.Hour,
	}
}

// Variable names, shared by the environment and the config file.
const (
	EnvRootUser       = "HOARD_ROOT_USER"
	EnvRootPassword   = "HOARD_ROOT_PASSWORD"
	EnvAddress        = "HOARD_ADDRESS"
	EnvConsoleAddress = "HOARD_CONSOLE_ADDRESS"
	EnvRegion         = "HOARD_REGION"
	EnvDomain         = "HOARD_DOMAIN"
	EnvParity         = "HOARD_PARITY"
	EnvScannerRate    = "HOARD_SCANNER_RATE"
	EnvStaleUploadAge = "HOARD_STALE_UPLOAD_AGE"
	EnvShutdown       = "HOARD_SHUTDOWN_TIMEOUT"
	EnvLogLevel       = "HOARD_LOG_LEVEL"
	EnvLogFormat      = "HOARD_LOG_FORMAT"
	EnvDrives         = "HOARD_DRIVES"
	EnvBodyTimeout    = "HOARD_BODY_TIMEOUT"
	EnvBodyMinRate    = "HOARD_BODY_MIN_RATE"
	EnvMaxConns       = "HOARD_MAX_CONNS"
	EnvMaxConnsPerIP  = "HOARD_MAX_CONNS_PER_IP"
	EnvTrustedProxies = "HOARD_TRUSTED_PROXIES"
	EnvDriveTimeout   = "HOARD_DRIVE_TIMEOUT"
	EnvILMRate        = "HOARD_ILM_RATE"
	EnvILMInterval    = "HOARD_ILM_INTERVAL"
	EnvIAMKeyFile     = "HOARD_IAM_KEY_FILE"
	// The OpenID Connect provider (names as MinIO's, with HOARD_).
	EnvOpenIDConfigURL     = "HOARD_IDENTITY_OPENID_CONFIG_URL"
	EnvOpenIDClientID      = "HOARD_IDENTITY_OPENID_CLIENT_ID"
	EnvOpenIDClaimName     = "HOARD_IDENTITY_OPENID_CLAIM_NAME"
	EnvOpenIDRolePolicy    = "HOARD_IDENTITY_OPENID_ROLE_POLICY"
	EnvOpenIDUsernameClaim = "HOARD_IDENTITY_OPENID_USERNAME_CLAIM"
	EnvOpenIDClientSecret  = "HOARD_IDENTITY_OPENID_CLIENT_SECRET"
	EnvOpenIDRedirectURI   = "HOARD_IDENTITY_OPENID_REDIRECT_URI"
	EnvOpenIDScopes        = "HOARD_IDENTITY_OPENID_SCOPES"
	EnvOpenIDDisplayName   = "HOARD_IDENTITY_OPENID_DISPLAY_NAME"
	// EnvTestILMDay sets LifecycleDay; for tests only, so it is not listed
	// in Variables.
	EnvTestILMDay = "HOARD_TEST_ILM_DAY"
)

// Defaults of the lifecycle worker.
const (
	// DefaultLifecycleRate is the lifecycle worker's pace, in versions per second.
	DefaultLifecycleRate = 2000
	// DefaultLifecycleInterval is the pause between two lifecycle passes.
	DefaultLifecycleInterval = time.Hour
)

// Variables lists every variable with a one-line description, for help
// texts and documentation.
var Variables = []struct{ Name, Help string }{
	{EnvRootUser, "root access key (3+ characters); generated on first start when unset"},
	{EnvRootPassword, "root secret key (8+ characters); generated on first start when unset"},
	{EnvAddress, "S3 listen address, default " + DefaultAddress},
	{EnvConsoleAddress, "web console listen address; default auto: the host of " + EnvAddress + ", port " + DefaultConsolePort + "; empty disables it"},
	{EnvRegion, "region, default " + DefaultRegion},
	{EnvDomain, "comma-separated domains for virtual-host-style requests"},
	{EnvParity, "parity drives per erasure set (0 = default for the set size)"},
	{EnvScannerRate, "objects per second the background heal scanner visits (0 disables it), default 100"},
	{EnvStaleUploadAge, "abort multipart uploads older than this (Go duration, 0 disables), default 168h"},
	{EnvShutdown, "how long in-flight requests may finish on shutdown, default 30s"},
	{EnvLogLevel, "debug, info, warn or error; default info"},
	{EnvLogFormat, "text or json; default text"},
	{EnvDrives, "drive folders, space-separated, when none are given as arguments"},
	{EnvBodyTimeout, "drop a request body that delivers nothing for this long (0 disables body deadlines), default 1m"},
	{EnvBodyMinRate, "drop a request body slower than this many bytes per second on average (0: only the timeout), default 1024"},
	{EnvMaxConns, "open connections per listener; more wait to be accepted (0 = no limit), default 4096"},
	{EnvMaxConnsPerIP, "open connections from one client address; more are closed at once (0 = no limit), default 512"},
	{EnvTrustedProxies, "comma-separated networks (CIDR) of trusted reverse proxies: only from these peers are X-Forwarded-For, Forwarded, X-Real-IP and X-Forwarded-Proto used; default none"},
	{EnvILMRate, "object versions per second the lifecycle worker looks at (0 disables lifecycle expiry), default 2000"},
	{EnvILMInterval, "pause between two lifecycle passes, default 1h"},
	{EnvIAMKeyFile, "file whose content seals IAM secrets at rest (same on every node); default: a key derived from the root secret key"},
	{EnvDriveTimeout, "a drive call that takes longer takes the drive offline until it answers again (0 disables), default 30s"},
	{EnvOpenIDConfigURL, "OpenID Connect provider's discovery URL (…/.well-known/openid-configuration): enables STS AssumeRoleWithWebIdentity; default none"},
	{EnvOpenIDClientID, "comma-separated client IDs whose identity tokens are accepted (the token's audience)"},
	{EnvOpenIDClaimName, "claim naming the policies of a token's holder (comma-separated or an array), default policy"},
	{EnvOpenIDRolePolicy, "comma-separated policies every token of the provider gets, instead of its policy claim; default none"},
	{EnvOpenIDUsernameClaim, "claim naming the token's holder in logs, default preferred_username (then sub)"},
	{EnvOpenIDRedirectURI, "the console's sign-in callback as registered with the provider (https://CONSOLE/sso/callback): enables \"Sign in with\" on the console; default none"},
	{EnvOpenIDClientSecret, "the console's client secret at the provider (the first client ID); none for a public client"},
	{EnvOpenIDScopes, "comma-separated scopes the console asks for besides openid, default profile,email"},
	{EnvOpenIDDisplayName, "the provider's name on the console's sign-in button, default SSO"},
}

// OpenIDSettings describe an OpenID Connect provider (see internal/oidc).
type OpenIDSettings struct {
	ConfigURL     string
	ClientIDs     []string
	ClaimName     string
	RolePolicy    []string
	UsernameClaim string
	// RedirectURI, ClientSecret and Scopes make the console a web client
	// of the provider (sign-in through it); DisplayName names it there.
	RedirectURI  string
	ClientSecret string
	Scopes       []string
	DisplayName  string
}

// Web is the console's client at the provider, when RedirectURI is set.
func (o OpenIDSettings) Web() (oidc.Web, bool) {
	if o.RedirectURI == "" || len(o.ClientIDs) == 0 {
		return oidc.Web{}, false
	}
	return oidc.Web{ClientID: o.ClientIDs[0], ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURI, Scopes: o.Scopes}, true
}

// Enabled reports whether a provider is configured.
func (o OpenIDSettings) Enabled() bool {
	return o.ConfigURL != "" || len(o.ClientIDs) > 0 || len(o.RolePolicy) > 0 || o.ClaimName != "" || o.UsernameClaim != "" ||
		o.RedirectURI != "" || o.ClientSecret != "" || len(o.Scopes) > 0 || o.DisplayName != ""
}

// Config is the provider's configuration for internal/oidc.
func (o OpenIDSettings) Config() oidc.Config {
	return oidc.Config{ConfigURL: o.ConfigURL, ClientIDs: o.ClientIDs, ClaimName: o.ClaimName, RolePolicy: o.RolePolicy, UsernameClaim: o.UsernameClaim}
}

// Apply sets fields from the variables of a config file. Unknown names
// (likely typos) and unparsable values are reported, all at once.
func (s *Server) Apply(vars map[string]string) error { return s.apply(vars, true) }

// ApplyEnv sets fields from HOARD_* environment variables. Unparsable
// values are reported; names the server does not use are ignored, since
// the environment is shared with the client CLI, test tools and scripts.
func (s *Server) ApplyEnv(vars map[string]string) error { return s.apply(vars, false) }

func (s *Server) apply(vars map[string]string, strict bool) error {
	var errs []error
	for name, v := range vars {
		var err error
		switch name {
		case EnvRootUser:
			s.RootUser = v
		case EnvRootPassword:
			s.RootPassword = v
		case EnvAddress:
			s.Address = v
		case EnvConsoleAddress:
			s.ConsoleAddress = v
		case EnvRegion:
			s.Region = v
		case EnvDomain:
			s.Domains = splitList(v, ",")
		case EnvParity:
			s.Parity, err = strconv.Atoi(v)
		case EnvScannerRate:
			s.ScannerRate, err = strconv.ParseFloat(v, 64)
		case EnvStaleUploadAge:
			s.StaleUploadAge, err = time.ParseDuration(v)
		case EnvShutdown:
			s.ShutdownTimeout, err = time.ParseDuration(v)
		case EnvLogLevel:
			s.LogLevel = v
		case EnvLogFormat:
			s.LogFormat = v
		case EnvDrives:
			s.Drives = splitList(v, " ")
		case EnvBodyTimeout:
			s.BodyTimeout, err = time.ParseDuration(v)
		case EnvBodyMinRate:
			s.BodyMinRate, err = strconv.ParseInt(v, 10, 64)
		case EnvMaxConns:
			s.MaxConns, err = strconv.Atoi(v)
		case EnvMaxConnsPerIP:
			s.MaxConnsPerIP, err = strconv.Atoi(v)
		case EnvTrustedProxies:
			s.TrustedProxies = splitList(v, ",")
		case EnvOpenIDConfigURL:
			s.OpenID.ConfigURL = v
		case EnvOpenIDClientID:
			s.OpenID.ClientIDs = splitList(v, ",")
		case EnvOpenIDClaimName:
			s.OpenID.ClaimName = v
		case EnvOpenIDRolePolicy:
			s.OpenID.RolePolicy = splitList(v, ",")
		case EnvOpenIDUsernameClaim:
			s.OpenID.UsernameClaim = v
		case EnvOpenIDClientSecret:
			s.OpenID.ClientSecret = v
		case EnvOpenIDRedirectURI:
			s.OpenID.RedirectURI = v
		case EnvOpenIDScopes:
			s.OpenID.Scopes = splitList(v, ",")
		case EnvOpenIDDisplayName:
			s.OpenID.DisplayName = v
		case EnvDriveTimeout:
			s.DriveTimeout, err = time.ParseDuration(v)
		case EnvILMRate:
			s.LifecycleRate, err = strconv.Atoi(v)
		case EnvILMInterval:
			s.LifecycleInterval, err = time.ParseDuration(v)
		case EnvIAMKeyFile:
			s.IAMKeyFile = v
		case EnvTestILMDay:
			s.LifecycleDay, err = time.ParseDuration(v)
		default:
			if strict {
				err = errors.New("unknown variable")
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("config: %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// EngineDriveTimeout is DriveTimeout as the erasure engine takes it
// (negative: no deadline).
func (s *Server) EngineDriveTimeout() time.Duration {
	if s.DriveTimeout == 0 {
		return -1
	}
	return s.DriveTimeout
}

// ConsoleListen returns the address the console listens on: ""
// when it is disabled, ConsoleAddress when set, and for "auto" the host
// of Address with port DefaultConsolePort, so the console never listens
// more widely than S3 and nodes bound to different addresses of one host
// do not collide. An Address without a host (":9000") means every
// interface, and so does the console's then.
func (s *Server) ConsoleListen() string {
	if s.ConsoleAddress != DefaultConsoleAddress {
		return s.ConsoleAddress
	}
	host, _, err := net.SplitHostPort(s.Address)
	if err != nil {
		host = ""
	}
	return net.JoinHostPort(host, DefaultConsolePort)
}

// Validate reports every problem with the configuration at once.
func (s *Server) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf("config: "+format, a...)) }
	if len(s.Drives) == 0 {
		bad("no drive folders given")
	}
	if _, _, err := net.SplitHostPort(s.Address); err != nil {
		bad("address %q: %v", s.Address, err)
	}
	if s.ConsoleAddress != "" && s.ConsoleAddress != DefaultConsoleAddress {
		if _, _, err := net.SplitHostPort(s.ConsoleAddress); err != nil {
			bad("console address %q: %v", s.ConsoleAddress, err)
		}
	}
	if (s.RootUser == "") != (s.RootPassword == "") {
		bad("%s and %s must be set together", EnvRootUser, EnvRootPassword)
	}
	if s.RootUser != "" && len(s.RootUser) < 3 {
		bad("%s must be at least 3 characters", EnvRootUser)
	}
	if s.RootPassword != "" && len(s.RootPassword) < 8 {
		bad("%s must be at least 8 characters", EnvRootPassword)
	}
	if s.Region == "" {
		bad("region must not be empty")
	}
	if s.Parity < 0 {
		bad("parity %d is negative", s.Parity)
	}
	if s.ScannerRate < 0 || math.IsNaN(s.ScannerRate) || math.IsInf(s.ScannerRate, 0) {
		bad("scanner rate %v: want 0 (off) or a positive number of objects per second", s.ScannerRate)
	}
	if s.StaleUploadAge < 0 || s.ShutdownTimeout < 0 || s.BodyTimeout < 0 || s.DriveTimeout < 0 {
		bad("durations must not be negative")
	}
	if s.DriveTimeout > 0 && s.DriveTimeout < 100*time.Millisecond {
		bad("drive timeout %v: want 0 (off) or at least 100ms", s.DriveTimeout)
	}
	if s.LifecycleRate < 0 {
		bad("lifecycle rate %d: want 0 (off) or a positive number of versions per second", s.LifecycleRate)
	}
	if s.LifecycleInterval <= 0 || s.LifecycleDay <= 0 {
		bad("lifecycle interval %v and day %v must be positive", s.LifecycleInterval, s.LifecycleDay)
	}
	if s.BodyMinRate < 0 {
		bad("body minimum rate %d is negative", s.BodyMinRate)
	}
	if s.MaxConns < 0 || s.MaxConnsPerIP < 0 {
		bad("connection limits %d and %d: want 0 (no limit) or a positive count", s.MaxConns, s.MaxConnsPerIP)
	}
	if _, err := clientip.ParseTrusted(s.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("config: %w", err))
	}
	if s.OpenID.Enabled() {
		if err := s.OpenID.Config().Validate(); err != nil {
			errs = append(errs, fmt.Errorf("config: OpenID Connect: %w", err))
		}
		if u, err := url.Parse(s.OpenID.RedirectURI); s.OpenID.RedirectURI != "" && (err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http")) {
			bad("OpenID Connect redirect URI %q is not an http(s) URL", s.OpenID.RedirectURI)
		}
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log level %q: want debug, info, warn or error", s.LogLevel)
	}
	switch s.LogFormat {
	case "text", "json":
	default:
		bad("log format %q: want text or json", s.LogFormat)
	}
	return errors.Join(errs...)
}

func splitList(v, sep string) []string {
	var out []string
	for _, f := range strings.Split(v, sep) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Configuration file names and environment variables.
const (
	configFileName  = "config.json"
	configVersion   = 1
	envConfigDir    = "HOARD_CONFIG_DIR"
	envAliasPrefix  = "HOARD_ALIAS_"
	defaultDirName  = ".hoard"
	configFileMode  = 0o600
	configDirMode   = 0o700
	sourceConfig    = "config"
	sourceEnv       = "env"
	maskVisibleRune = 4
)

// Alias is a named S3 endpoint with its credentials.
type Alias struct {
	// URL is the endpoint's base URL, "https://s3.example.com".
	URL string `json:"url"`
	// AccessKey and SecretKey are the credentials requests are signed with.
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	// Region is the region to sign for; empty asks the service.
	Region string `json:"region,omitempty"`
	// Lookup is "path", "dns" or empty for automatic bucket addressing.
	Lookup string `json:"lookup,omitempty"`
}

// Config is the content of config.json.
type Config struct {
	// Version is the file format version.
	Version int `json:"version"`
	// Aliases maps alias names to endpoints.
	Aliases map[string]Alias `json:"aliases"`
}

// aliasNameRE is what an alias name may look like.
var aliasNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// validAliasName reports whether name can be an alias.
func validAliasName(name string) bool { return aliasNameRE.MatchString(name) }

// configStore reads and writes the configuration folder.
type configStore struct {
	dir     string
	environ []string
}

// configDir resolves the configuration folder: the flag, then
// HOARD_CONFIG_DIR, then ~/.hoard.
func configDir(flag string, getenv func(string) string, home func() (string, error)) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := getenv(envConfigDir); d != "" {
		return d, nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("config: no home folder (set %s or --config-dir): %w", envConfigDir, err)
	}
	return filepath.Join(h, defaultDirName), nil
}

func (s *configStore) path() string { return filepath.Join(s.dir, configFileName) }

// load reads config.json; a missing file is an empty configuration.
func (s *configStore) load() (*Config, error) {
	cfg := &Config{Version: configVersion, Aliases: map[string]Alias{}}
	data, err := os.ReadFile(s.path())
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(data, cfg); err != nil {
		return nil, fmt.Errorf("config: %s is not valid JSON: %w", s.path(), err)
	}
	if cfg.Version > configVersion {
		return nil, fmt.Errorf("config: %s has version %d; this hoard reads version %d", s.path(), cfg.Version, configVersion)
	}
	if cfg.Aliases == nil {
		cfg.Aliases = map[string]Alias{}
	}
	return cfg, nil
}

// save writes cfg atomically (temporary file, fsync, rename) with mode
// 0600 in a folder with mode 0700.
func (s *configStore) save(cfg *Config) error {
	if err := os.MkdirAll(s.dir, configDirMode); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	cfg.Version = configVersion
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".config-*.json")
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(configFileMode); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path()); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// namedAlias is an alias with its name and where it was defined.
type namedAlias struct {
	Name   string
	Source string
	Alias
}

// envAliases returns the aliases HOARD_ALIAS_<NAME> variables define, by name.
func envAliases(environ []string) (map[string]Alias, error) {
	out := map[string]Alias{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, envAliasPrefix) || len(k) == len(envAliasPrefix) {
			continue
		}
		name := k[len(envAliasPrefix):]
		a, err := parseAliasURL(v)
		if err != nil {
			return nil, fmt.Errorf("config: %s: %w", k, err)
		}
		out[name] = a
	}
	return out, nil
}

// parseAliasURL parses "https://ACCESS:SECRET@host[:port][?region=R]".
// Reserved characters in the keys must be percent-encoded.
func parseAliasURL(s string) (Alias, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Alias{}, errors.New("not a URL of the form https://ACCESS:SECRET@host")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return Alias{}, errors.New("want a URL of the form https://ACCESS:SECRET@host")
	}
	if u.User == nil {
		return Alias{}, errors.New("the URL has no ACCESS:SECRET@ credentials")
	}
	secret, _ := u.User.Password()
	a := Alias{
		URL:       u.Scheme + "://" + u.Host,
		AccessKey: u.User.Username(),
		SecretKey: secret,
		Region:    u.Query().Get("region"),
		Lookup:    u.Query().Get("lookup"),
	}
	if a.AccessKey == "" || a.SecretKey == "" {
		return Alias{}, errors.New("the URL needs both ACCESS and SECRET keys")
	}
	return a, nil
}

// validateEndpoint checks an alias URL given on the command line.
func validateEndpoint(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("URL %q: want http://host[:port] or https://host[:port]", raw)
	}
	if u.User != nil {
		return "", fmt.Errorf("URL %q: give the keys as arguments, not in the URL", raw)
	}
	if u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("URL %q: must not have a path", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// aliases merges the file's aliases with the environment's (which win).
func (s *configStore) aliases() ([]namedAlias, error) {
	cfg, err := s.load()
	if err != nil {
		return nil, err
	}
	env, err := envAliases(s.environ)
	if err != nil {
		return nil, err
	}
	var out []namedAlias
	for name, a := range cfg.Aliases {
		if _, ok := env[name]; !ok {
			out = append(out, namedAlias{Name: name, Source: sourceConfig, Alias: a})
		}
	}
	for name, a := range env {
		out = append(out, namedAlias{Name: name, Source: sourceEnv, Alias: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// lookup finds an alias by name: HOARD_ALIAS_<name> (also upper-cased,
// with - as _), then the file.
func (s *configStore) lookup(name string) (namedAlias, bool, error) {
	all, err := s.aliases()
	if err != nil {
		return namedAlias{}, false, err
	}
	envName := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
	var fallback *namedAlias
	for i, a := range all {
		if a.Name == name {
			return a, true, nil
		}
		if a.Source == sourceEnv && a.Name == envName {
			fallback = &all[i]
		}
	}
	if fallback != nil {
		return *fallback, true, nil
	}
	return namedAlias{}, false, nil
}

// maskSecret shows the first few characters of a secret and hides the rest.
func maskSecret(s string) string {
	r := []rune(s)
	visible := min(maskVisibleRune, len(r)/4)
	return string(r[:visible]) + strings.Repeat("*", 8)
}

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigSaveLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	st := &configStore{dir: dir}
	cfg, err := st.load()
	if err != nil || len(cfg.Aliases) != 0 {
		t.Fatalf("load of a missing file: got %v, %v; want empty config", cfg, err)
	}
	cfg.Aliases["local"] = Alias{URL: "http://127.0.0.1:9000", AccessKey: "admin", SecretKey: "s3cr3t-value"}
	if err := st.save(cfg); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(st.path())
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("config file mode: got %o, want 600", got)
	}
	di, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got != 0o700 {
		t.Errorf("config folder mode: got %o, want 700", got)
	}
	back, err := st.load()
	if err != nil {
		t.Fatal(err)
	}
	if got := back.Aliases["local"]; got != cfg.Aliases["local"] {
		t.Errorf("round trip: got %+v, want %+v", got, cfg.Aliases["local"])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("files in the config folder: got %d, want 1 (no temporary files left)", len(entries))
	}
}

func TestConfigLoadErrors(t *testing.T) {
	dir := t.TempDir()
	st := &configStore{dir: dir}
	if err := os.WriteFile(st.path(), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := st.load(); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("load of bad JSON: got %v, want a 'not valid JSON' error", err)
	}
	if err := os.WriteFile(st.path(), []byte(`{"version": 99, "aliases": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := st.load(); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("load of a newer version: got %v, want a version error", err)
	}
}

func TestConfigDir(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == envConfigDir {
				return v
			}
			return ""
		}
	}
	home := func() (string, error) { return "/home/ana", nil }
	noHome := func() (string, error) { return "", errors.New("no home") }
	tests := []struct {
		name, flag, env string
		home            func() (string, error)
		want            string
		wantErr         bool
	}{
		{"flag wins", "/flag", "/env", home, "/flag", false},
		{"env", "", "/env", home, "/env", false},
		{"home", "", "", home, "/home/ana/.hoard", false},
		{"no home", "", "", noHome, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := configDir(tt.flag, env(tt.env), tt.home)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("configDir: got %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseAliasURL(t *testing.T) {
	tests := []struct {
		in      string
		want    Alias
		wantErr bool
	}{
		{"https://AK:SK@s3.example.com", Alias{URL: "https://s3.example.com", AccessKey: "AK", SecretKey: "SK"}, false},
		{"http://admin:p%40ss%2Fw@127.0.0.1:9000?region=eu-west-1", Alias{URL: "http://127.0.0.1:9000", AccessKey: "admin", SecretKey: "p@ss/w", Region: "eu-west-1"}, false},
		{"https://s3.example.com", Alias{}, true},
		{"https://AK@s3.example.com", Alias{}, true},
		{"ftp://AK:SK@host", Alias{}, true},
		{"not a url", Alias{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAliasURL(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error: got %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAliasLookupEnvOverride(t *testing.T) {
	dir := t.TempDir()
	st := &configStore{dir: dir}
	cfg := &Config{Aliases: map[string]Alias{
		"prod":  {URL: "https://file.example.com", AccessKey: "a", SecretKey: "b"},
		"local": {URL: "http://127.0.0.1:9000", AccessKey: "c", SecretKey: "d"},
	}}
	if err := st.save(cfg); err != nil {
		t.Fatal(err)
	}
	st.environ = []string{"HOARD_ALIAS_prod=https://x:y@env.example.com", "HOARD_ALIAS_MY_CI=http://e:f@127.0.0.1:9100", "OTHER=1"}
	tests := []struct {
		name, wantURL, wantSource string
		found                     bool
	}{
		{"prod", "https://env.example.com", sourceEnv, true},
		{"local", "http://127.0.0.1:9000", sourceConfig, true},
		{"MY_CI", "http://127.0.0.1:9100", sourceEnv, true},
		{"my-ci", "http://127.0.0.1:9100", sourceEnv, true},
		{"nope", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := st.lookup(tt.name)
			if err != nil || ok != tt.found || got.URL != tt.wantURL || got.Source != tt.wantSource {
				t.Errorf("lookup(%q): got %+v, %v, %v; want URL %q source %q found %v", tt.name, got, ok, err, tt.wantURL, tt.wantSource, tt.found)
			}
		})
	}
	st.environ = []string{"HOARD_ALIAS_bad=nonsense"}
	if _, _, err := st.lookup("local"); err == nil || !strings.Contains(err.Error(), "HOARD_ALIAS_bad") {
		t.Errorf("lookup with a malformed variable: got %v, want an error naming it", err)
	}
}

func TestMaskSecret(t *testing.T) {
	for _, s := range []string{"", "a", "short", "secret123", "a-much-longer-secret-key-0123456789"} {
		got := maskSecret(s)
		if s != "" && strings.Contains(got, s) {
			t.Errorf("maskSecret(%q): got %q, which shows the whole secret", s, got)
		}
		if !strings.HasSuffix(got, "********") {
			t.Errorf("maskSecret(%q): got %q, want it to end in ********", s, got)
		}
		if len(s) >= 16 && !strings.HasPrefix(got, s[:4]) {
			t.Errorf("maskSecret(%q): got %q, want the first 4 characters shown", s, got)
		}
	}
}

func TestValidAliasName(t *testing.T) {
	for name, want := range map[string]bool{"local": true, "my-s3_2": true, "": false, "-x": false, "a/b": false, "a.b": false, strings.Repeat("x", 65): false} {
		if got := validAliasName(name); got != want {
			t.Errorf("validAliasName(%q): got %v, want %v", name, got, want)
		}
	}
}

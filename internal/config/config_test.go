package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExpandEllipses(t *testing.T) {
	tests := []struct {
		arg     string
		want    []string
		wantErr bool
	}{
		{"/data", []string{"/data"}, false},
		{"/mnt/disk{1...3}", []string{"/mnt/disk1", "/mnt/disk2", "/mnt/disk3"}, false},
		{"/d{01...03}", []string{"/d01", "/d02", "/d03"}, false},
		{"/n{1...2}/d{1...2}", []string{"/n1/d1", "/n1/d2", "/n2/d1", "/n2/d2"}, false},
		{"/d{3...1}", nil, true},
		{"/d{1..3}", nil, true},
		{"/d{1...3", nil, true},
		{"/d{0...99999}", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ExpandEllipses(tt.arg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseFileAndApply(t *testing.T) {
	in := `# Hoard settings
HOARD_ROOT_USER=admin
export HOARD_ROOT_PASSWORD="s3cret-pass"
HOARD_REGION = 'eu-west-1'
HOARD_DOMAIN=s3.example.com, example.org
HOARD_STALE_UPLOAD_AGE=48h
`
	vars, err := ParseFile(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	s := Defaults()
	s.Drives = []string{"/data"}
	if err := s.Apply(vars); err != nil {
		t.Fatal(err)
	}
	if s.RootUser != "admin" || s.RootPassword != "s3cret-pass" || s.Region != "eu-west-1" {
		t.Errorf("got %q %q %q", s.RootUser, s.RootPassword, s.Region)
	}
	if want := []string{"s3.example.com", "example.org"}; !reflect.DeepEqual(s.Domains, want) {
		t.Errorf("domains: got %q, want %q", s.Domains, want)
	}
	if s.StaleUploadAge != 48*time.Hour {
		t.Errorf("stale age: got %v", s.StaleUploadAge)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestParseFileRejectsGarbage(t *testing.T) {
	if _, err := ParseFile(strings.NewReader("just words\n")); err == nil {
		t.Error("got nil error for a line without =")
	}
}

func TestValidateReportsEverything(t *testing.T) {
	s := Defaults()
	s.Address = "nope"
	s.RootUser = "ab"
	s.LogLevel = "loud"
	err := s.Validate()
	if err == nil {
		t.Fatal("got nil error")
	}
	for _, want := range []string{"no drive folders", "address", "set together", "at least 3", "log level"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestApplyUnknownVariable(t *testing.T) {
	s := Defaults()
	if err := s.Apply(map[string]string{"HOARD_NOPE": "1"}); err == nil || !strings.Contains(err.Error(), "HOARD_NOPE") {
		t.Errorf("file: got %v, want an error naming HOARD_NOPE", err)
	}
	if err := s.ApplyEnv(map[string]string{"HOARD_REQUIRE_TOOLS": "1", "HOARD_ALIAS_X": "http://a:b@h"}); err != nil {
		t.Errorf("env: got %v, want unknown names ignored", err)
	}
	if err := s.ApplyEnv(map[string]string{"HOARD_PARITY": "two"}); err == nil {
		t.Error("env: got nil error for an unparsable value")
	}
}

func TestRequestLimits(t *testing.T) {
	s := Defaults()
	s.Drives = []string{"/data"}
	if s.BodyTimeout != DefaultBodyTimeout || s.BodyMinRate != DefaultBodyMinRate || s.MaxConns != DefaultMaxConns || s.MaxConnsPerIP != DefaultMaxConnsPerIP {
		t.Fatalf("defaults: got %v %d %d %d", s.BodyTimeout, s.BodyMinRate, s.MaxConns, s.MaxConnsPerIP)
	}
	err := s.ApplyEnv(map[string]string{EnvBodyTimeout: "5s", EnvBodyMinRate: "100", EnvMaxConns: "10", EnvMaxConnsPerIP: "0"})
	if err != nil {
		t.Fatalf("ApplyEnv: %v", err)
	}
	if s.BodyTimeout != 5*time.Second || s.BodyMinRate != 100 || s.MaxConns != 10 || s.MaxConnsPerIP != 0 {
		t.Fatalf("applied: got %v %d %d %d, want 5s 100 10 0", s.BodyTimeout, s.BodyMinRate, s.MaxConns, s.MaxConnsPerIP)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	s.BodyTimeout, s.BodyMinRate, s.MaxConns = -time.Second, -1, -1
	err = s.Validate()
	for _, want := range []string{"durations must not be negative", "minimum rate -1", "connection limits -1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: got %v, want an error containing %q", err, want)
		}
	}
	if err := s.ApplyEnv(map[string]string{EnvBodyMinRate: "1KiB"}); err == nil {
		t.Error("ApplyEnv: got nil error for an unparsable rate")
	}
}

func TestDriveTimeout(t *testing.T) {
	s := Defaults()
	s.Drives = []string{"/data"}
	if s.DriveTimeout != DefaultDriveTimeout || s.EngineDriveTimeout() != DefaultDriveTimeout {
		t.Fatalf("default: got %v (engine %v), want %v", s.DriveTimeout, s.EngineDriveTimeout(), DefaultDriveTimeout)
	}
	tests := []struct {
		env     string
		engine  time.Duration
		invalid string // part of the Validate error, "" for valid
	}{
		{"5s", 5 * time.Second, ""},
		{"0", -1, ""}, // off: the engine takes a negative deadline as none
		{"10ms", 0, "drive timeout 10ms"},
		{"-1s", 0, "durations must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			s := s
			if err := s.ApplyEnv(map[string]string{EnvDriveTimeout: tt.env}); err != nil {
				t.Fatalf("ApplyEnv: %v", err)
			}
			err := s.Validate()
			if tt.invalid != "" {
				if err == nil || !strings.Contains(err.Error(), tt.invalid) {
					t.Errorf("Validate: got %v, want an error containing %q", err, tt.invalid)
				}
				return
			}
			if err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := s.EngineDriveTimeout(); got != tt.engine {
				t.Errorf("engine deadline: got %v, want %v", got, tt.engine)
			}
		})
	}
}

func TestTrustedProxies(t *testing.T) {
	tests := []struct {
		env     string
		want    []string
		invalid string // part of the Validate error, "" for valid
	}{
		{env: "", want: nil},
		{env: "10.0.0.0/8, 192.0.2.7,2001:db8::/32", want: []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}},
		{env: "10.0.0.0/8,haproxy.internal", want: []string{"10.0.0.0/8", "haproxy.internal"}, invalid: `"haproxy.internal"`},
		{env: "10.0.0.0/40", want: []string{"10.0.0.0/40"}, invalid: `"10.0.0.0/40"`},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			s := Defaults()
			s.Drives = []string{"/data"}
			if err := s.ApplyEnv(map[string]string{EnvTrustedProxies: tt.env}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.TrustedProxies, tt.want) {
				t.Errorf("TrustedProxies = %q, want %q", s.TrustedProxies, tt.want)
			}
			err := s.Validate()
			if tt.invalid == "" && err != nil {
				t.Errorf("Validate: %v", err)
			}
			if tt.invalid != "" && (err == nil || !strings.Contains(err.Error(), tt.invalid)) {
				t.Errorf("Validate: got %v, want an error containing %s", err, tt.invalid)
			}
		})
	}
}

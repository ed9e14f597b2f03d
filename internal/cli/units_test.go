package cli

import (
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"0", 0, false},
		{"512", 512, false},
		{"16MiB", 16 << 20, false},
		{"16M", 16 << 20, false},
		{"1.5GiB", 3 << 29, false},
		{"10kb", 10000, false},
		{"2 GB", 2e9, false},
		{"1TiB", 1 << 40, false},
		{"", 0, true},
		{"MiB", 0, true},
		{"12 parsecs", 0, true},
		{"-5", 0, true},
		{"1.2.3", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSize(%q) error: got %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseSize(%q): got %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestHumanSize(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"},
		{200 << 20, "200 MiB"}, {5 << 30, "5.0 GiB"}, {3 << 40, "3.0 TiB"},
	}
	for _, tt := range tests {
		if got := humanSize(tt.in); got != tt.want {
			t.Errorf("humanSize(%d): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"90s", 90 * time.Second, false},
		{"15m", 15 * time.Minute, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"2w", 14 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"0.5d", 12 * time.Hour, false},
		{"", 0, true},
		{"d", 0, true},
		{"7 days", 0, true},
		{"5y", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseDuration(%q) error: got %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseDuration(%q): got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{7 * 24 * time.Hour, "7d"}, {time.Hour, "1h"}, {150 * time.Minute, "2h30m"},
		{3 * time.Second, "3s"}, {26*time.Hour + time.Second, "1d2h1s"},
	}
	for _, tt := range tests {
		if got := humanDuration(tt.in); got != tt.want {
			t.Errorf("humanDuration(%v): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPartLayout(t *testing.T) {
	tests := []struct {
		size, partSize int64
		wantSize       int64
		wantN          int
	}{
		{200 << 20, 16 << 20, 16 << 20, 13},
		{16 << 20, 16 << 20, 16 << 20, 1},
		{1 << 20, 1 << 20, 5 << 20, 1},
		{1 << 40, 16 << 20, 105 << 20, 9987},
	}
	for _, tt := range tests {
		ps, n := partLayout(tt.size, tt.partSize)
		if ps != tt.wantSize || n != tt.wantN {
			t.Errorf("partLayout(%d, %d): got (%d, %d), want (%d, %d)", tt.size, tt.partSize, ps, n, tt.wantSize, tt.wantN)
		}
		if n > maxParts {
			t.Errorf("partLayout(%d, %d): %d parts exceed %d", tt.size, tt.partSize, n, maxParts)
		}
	}
}

func TestParseTags(t *testing.T) {
	got, err := parseTags("project=x&tier=cold")
	if err != nil || got["project"] != "x" || got["tier"] != "cold" || len(got) != 2 {
		t.Fatalf("parseTags: got %v, %v; want project=x tier=cold", got, err)
	}
	for _, bad := range []string{"novalue", "a=1&a=2", "=v", "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10&k=11"} {
		if _, err := parseTags(bad); err == nil {
			t.Errorf("parseTags(%q): got no error, want one", bad)
		}
	}
}

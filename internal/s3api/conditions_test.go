package s3api

import (
	"net/http"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		header    string
		size      int64
		want      byteRange
		wantOK    bool
		wantError bool
	}{
		{"bytes=0-9", 100, byteRange{0, 10}, true, false},
		{"bytes=10-", 100, byteRange{10, 90}, true, false},
		{"bytes=-10", 100, byteRange{90, 10}, true, false},
		{"bytes=-200", 100, byteRange{0, 100}, true, false},
		{"bytes=90-200", 100, byteRange{90, 10}, true, false},
		{"bytes=100-", 100, byteRange{}, false, true},
		{"bytes=100-200", 100, byteRange{}, false, true},
		{"bytes=-0", 100, byteRange{}, false, true},
		{"bytes=0-", 0, byteRange{}, false, true},
		{"bytes=5-2", 100, byteRange{}, false, false},
		{"bytes=0-1,3-4", 100, byteRange{}, false, false},
		{"items=0-1", 100, byteRange{}, false, false},
		{"bytes=x-1", 100, byteRange{}, false, false},
		{"", 100, byteRange{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			got, ok, err := parseRange(tt.header, tt.size)
			if (err != nil) != tt.wantError {
				t.Fatalf("err = %v, want error %v", err, tt.wantError)
			}
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestEvalConditions(t *testing.T) {
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	info := storage.ObjectInfo{ETag: "abc", ModTime: mod}
	before := mod.Add(-time.Hour).Format(http.TimeFormat)
	after := mod.Add(time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"none", nil, 0},
		{"if-match hit", map[string]string{"If-Match": `"abc"`}, 0},
		{"if-match star", map[string]string{"If-Match": `*`}, 0},
		{"if-match miss", map[string]string{"If-Match": `"zzz"`}, 412},
		{"if-match list", map[string]string{"If-Match": `"x", "abc"`}, 0},
		{"if-none-match hit", map[string]string{"If-None-Match": `"abc"`}, 304},
		{"if-none-match miss", map[string]string{"If-None-Match": `"zzz"`}, 0},
		{"modified-since before", map[string]string{"If-Modified-Since": before}, 0},
		{"modified-since after", map[string]string{"If-Modified-Since": after}, 304},
		{"unmodified-since before", map[string]string{"If-Unmodified-Since": before}, 412},
		{"unmodified-since after", map[string]string{"If-Unmodified-Since": after}, 0},
		{"match overrides unmodified", map[string]string{"If-Match": `"abc"`, "If-Unmodified-Since": before}, 0},
		{"none-match overrides modified", map[string]string{"If-None-Match": `"zzz"`, "If-Modified-Since": after}, 0},
		{"match fail beats none-match", map[string]string{"If-Match": `"zzz"`, "If-None-Match": `"abc"`}, 412},
		{"bad date ignored", map[string]string{"If-Modified-Since": "yesterday"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.hdr {
				h.Set(k, v)
			}
			if got := evalConditions(h, getConditions, info); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

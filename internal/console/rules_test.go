package console

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestBucketNameProblems(t *testing.T) {
	cases := []struct {
		name     string
		problems int
	}{
		{"photos", 0},
		{"my-bucket.2026", 0},
		{"abc", 0},
		{strings.Repeat("a", 63), 0},
		{"ab", 1},
		{strings.Repeat("a", 64), 1},
		{"My_Photos", 1},
		{"-start", 1},
		{"end.", 1},
		{"two..dots", 1},
		{"dot.-hyphen", 1},
		{"192.168.5.4", 1},
		{"xn--bucket", 1},
		{"bucket-s3alias", 1},
		{"hoard", 1},
		{"", 1},
		{"A", 2},
		{"Ab_", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := bucketNameProblems(tc.name)
			if len(p) != tc.problems {
				t.Errorf("problems: got %d %q, want %d", len(p), p, tc.problems)
			}
			valid := storage.ValidBucketName(tc.name) && tc.name != "hoard"
			if valid != (len(p) == 0) {
				t.Errorf("storage says valid=%v but the console lists %q", valid, p)
			}
		})
	}
}

func TestPreviewKind(t *testing.T) {
	cases := []struct {
		ctype, key, kind, served string
	}{
		{"image/png", "a.png", "image", "image/png"},
		{"image/svg+xml", "a.svg", "image", "image/svg+xml"},
		{"application/octet-stream", "photo.JPG", "image", "image/jpeg"},
		{"", "clip.mp4", "video", "video/mp4"},
		{"audio/mpeg", "song", "audio", "audio/mpeg"},
		{"application/pdf", "x", "pdf", "application/pdf"},
		{"text/html; charset=utf-8", "page.html", "text", "text/plain; charset=utf-8"},
		{"application/json", "data", "text", "text/plain; charset=utf-8"},
		{"application/octet-stream", "main.go", "text", "text/plain; charset=utf-8"},
		{"application/zip", "notes.md", "text", "text/plain; charset=utf-8"},
		{"application/zip", "archive.zip", "", ""},
		{"application/octet-stream", "blob", "", ""},
		{"not a type", "x.exe", "", ""},
	}
	for _, tc := range cases {
		kind, served := previewKind(tc.ctype, tc.key)
		if kind != tc.kind || served != tc.served {
			t.Errorf("previewKind(%q, %q): got %q %q, want %q %q", tc.ctype, tc.key, kind, served, tc.kind, tc.served)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	cases := []struct {
		name string
		hdr  map[string]string
		want bool
	}{
		{"no browser headers", nil, true},
		{"same origin", map[string]string{"Origin": "http://console.test:9001"}, true},
		{"same origin, other case", map[string]string{"Origin": "http://CONSOLE.test:9001"}, true},
		{"fetch metadata same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://console.test:9001"}, true},
		{"other origin", map[string]string{"Origin": "http://evil.test"}, false},
		{"other port", map[string]string{"Origin": "http://console.test:9002"}, false},
		{"null origin", map[string]string{"Origin": "null"}, false},
		{"same-site but not same-origin", map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://console.test:9001"}, false},
		{"referer same", map[string]string{"Referer": "http://console.test:9001/#/buckets"}, true},
		{"referer other", map[string]string{"Referer": "http://evil.test/console.test:9001"}, false},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "http://console.test:9001/api/buckets", nil)
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		if got := sameOrigin(r); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestGroupNodes(t *testing.T) {
	drives := []storage.DriveInfo{
		{Endpoint: "/mnt/a", State: "online"},
		{Endpoint: "http://node1:9000/mnt/d1", State: "online"},
		{Endpoint: "http://node2:9000/mnt/d1", State: "offline"},
		{Endpoint: "http://node1:9000/mnt/d2", State: "healing"},
		{Endpoint: "/mnt/b", State: "online"},
	}
	var got []string
	for _, n := range groupNodes(drives) {
		var paths []string
		for _, d := range n.Drives {
			paths = append(paths, d.Path+"="+d.State)
		}
		got = append(got, n.Name+": "+strings.Join(paths, ","))
	}
	want := "This server: /mnt/a=online,/mnt/b=online | node1:9000: /mnt/d1=online,/mnt/d2=healing | node2:9000: /mnt/d1=offline"
	if strings.Join(got, " | ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " | "), want)
	}
}

func TestS3Base(t *testing.T) {
	cases := []struct {
		addr, url, host string
		secure          bool
		want            string
	}{
		{":9000", "", "console.example:9001", false, "http://console.example:9000"},
		{"0.0.0.0:9000", "", "192.0.2.1:9001", true, "https://192.0.2.1:9000"},
		{"[::]:9000", "", "[2001:db8::1]:9001", false, "http://[2001:db8::1]:9000"},
		{"127.0.0.1:41234", "", "localhost:9001", false, "http://127.0.0.1:41234"},
		{":9000", "https://s3.example.com/", "console.example", false, "https://s3.example.com"},
	}
	for _, tc := range cases {
		h := &Handler{cfg: Config{S3Address: func() string { return tc.addr }, S3URL: tc.url, Secure: tc.secure}}
		r := httptest.NewRequest("GET", "http://"+tc.host+"/", nil)
		got, err := h.s3Base(r)
		if err != nil || got != tc.want {
			t.Errorf("%s via %s: got %q %v, want %q", tc.addr, tc.host, got, err, tc.want)
		}
	}
	h := &Handler{cfg: Config{}}
	if _, err := h.s3Base(httptest.NewRequest("GET", "/", nil)); err == nil {
		t.Error("no S3 address: got no error")
	}
}

func TestUploadType(t *testing.T) {
	cases := map[string]string{
		"":                          "application/octet-stream",
		"image/png":                 "image/png",
		"text/plain; charset=UTF-8": "text/plain; charset=UTF-8",
		"bad type ;;":               "application/octet-stream",
	}
	for in, want := range cases {
		if got := uploadType(in); got != want {
			t.Errorf("uploadType(%q): got %q, want %q", in, got, want)
		}
	}
}

func TestDecodeKey(t *testing.T) {
	for _, tc := range []struct{ in, enc, want string }{
		{"a%20b/c+d", "url", "a b/c d"},
		{"a%20b", "", "a%20b"},
		{"%zz", "url", "%zz"},
	} {
		if got := decodeKey(tc.in, tc.enc); got != tc.want {
			t.Errorf("decodeKey(%q, %q): got %q, want %q", tc.in, tc.enc, got, tc.want)
		}
	}
}

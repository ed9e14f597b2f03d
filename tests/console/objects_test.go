package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/storage"
)

// checksumOf computes an S3 additional checksum of data.
func checksumOf(alg string, data []byte) (string, error) {
	return checksum.Sum(storage.ChecksumAlgorithm(alg), data)
}

// signedIn starts a server and returns a signed-in API client.
func signedIn(t *testing.T, drives int) (*env, *apiClient) {
	e := startServer(t, drives)
	c := e.client(t)
	if status := c.login(e.srv.AccessKey, e.srv.SecretKey); status != http.StatusOK {
		t.Fatalf("login: got %d, want 200", status)
	}
	return e, c
}

// put uploads data as key through the console.
func (c *apiClient) put(bucket, key, ctype string, data []byte) {
	c.t.Helper()
	status, _, body := c.do("PUT", "/api/buckets/"+bucket+"/object?key="+url.QueryEscape(key), bytes.NewReader(data),
		map[string]string{"X-Hoard-CSRF": c.csrf, "Content-Type": ctype})
	if status != http.StatusOK {
		c.t.Fatalf("PUT %s: got %d %s, want 200", key, status, body)
	}
}

type listing struct {
	Folders []string `json:"folders"`
	Objects []struct {
		Key  string `json:"key"`
		Size int64  `json:"size"`
	} `json:"objects"`
	NextToken string `json:"nextToken"`
	Truncated bool   `json:"truncated"`
}

// TestObjects exercises the bucket and object API end to end.
func TestObjects(t *testing.T) {
	e, c := signedIn(t, 1)
	var bad struct {
		Code     string   `json:"code"`
		Problems []string `json:"problems"`
	}
	if status := c.json("POST", "/api/buckets", map[string]string{"name": "Bad_Name"}, &bad); status != 400 || bad.Code != "InvalidBucketName" || len(bad.Problems) != 1 {
		t.Fatalf("invalid name: got %d %+v, want 400 InvalidBucketName with one problem", status, bad)
	}
	if status := c.json("POST", "/api/buckets", map[string]string{"name": "docs"}, nil); status != http.StatusCreated {
		t.Fatalf("create: got %d, want 201", status)
	}
	var dup apiErr
	if status := c.json("POST", "/api/buckets", map[string]string{"name": "docs"}, &dup); status != http.StatusConflict || !strings.HasPrefix(dup.Code, "BucketAlready") {
		t.Fatalf("create again: got %d %+v, want 409 BucketAlready…", status, dup)
	}

	keys := []string{"a.txt", "b/one.txt", "b/two.txt", "c d/ü?#%.txt", "page.html", "z.png"}
	for _, k := range keys {
		ctype := "text/plain"
		switch {
		case strings.HasSuffix(k, ".html"):
			ctype = "text/html"
		case strings.HasSuffix(k, ".png"):
			ctype = "image/png"
		}
		c.put("docs", k, ctype, []byte("content of "+k))
	}

	t.Run("list", func(t *testing.T) {
		var l listing
		if status := c.json("GET", "/api/buckets/docs/objects", nil, &l); status != 200 {
			t.Fatalf("list: got %d", status)
		}
		if got := fmt.Sprint(l.Folders, len(l.Objects)); got != "[b/ c d/] 3" {
			t.Errorf("root listing: got folders and object count %s, want [b/ c d/] 3", got)
		}
		var names []string
		token := ""
		for i := 0; i < 10; i++ {
			var page listing
			c.json("GET", "/api/buckets/docs/objects?flat=true&max=2&token="+url.QueryEscape(token), nil, &page)
			for _, o := range page.Objects {
				names = append(names, o.Key)
			}
			if !page.Truncated {
				break
			}
			token = page.NextToken
		}
		if got := strings.Join(names, ","); got != strings.Join(keys, ",") {
			t.Errorf("paged flat listing: got %s, want %s", got, strings.Join(keys, ","))
		}
		var sub listing
		c.json("GET", "/api/buckets/docs/objects?prefix="+url.QueryEscape("c d/"), nil, &sub)
		if len(sub.Objects) != 1 || sub.Objects[0].Key != "c d/ü?#%.txt" {
			t.Errorf("odd key listing: got %+v, want the key c d/ü?#%%.txt", sub.Objects)
		}
		if status := c.json("GET", "/api/buckets/docs/objects?max=5000", nil, nil); status != 400 {
			t.Errorf("page size 5000: got %d, want 400", status)
		}
	})

	t.Run("content", func(t *testing.T) {
		cases := []struct {
			key, disposition, wantType, wantDisp string
			sandbox                              bool
		}{
			{"page.html", "inline", "text/plain; charset=utf-8", "inline", true},
			{"z.png", "inline", "image/png", "inline", true},
			{"z.png", "attachment", "application/octet-stream", "attachment", true},
			{"c d/ü?#%.txt", "attachment", "application/octet-stream", "attachment", true},
		}
		for _, tc := range cases {
			status, h, body := c.do("GET", "/api/buckets/docs/content?key="+url.QueryEscape(tc.key)+"&disposition="+tc.disposition, nil, nil)
			if status != 200 || string(body) != "content of "+tc.key {
				t.Errorf("%s: got %d %q", tc.key, status, body)
			}
			if h.Get("Content-Type") != tc.wantType || !strings.HasPrefix(h.Get("Content-Disposition"), tc.wantDisp) {
				t.Errorf("%s %s: got type %q disposition %q, want %q and %s", tc.key, tc.disposition, h.Get("Content-Type"), h.Get("Content-Disposition"), tc.wantType, tc.wantDisp)
			}
			if got := strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox"); got != tc.sandbox || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: CSP %q nosniff %q, want a sandbox and nosniff", tc.key, h.Get("Content-Security-Policy"), h.Get("X-Content-Type-Options"))
			}
		}
		status, h, body := c.do("GET", "/api/buckets/docs/content?key=a.txt&disposition=inline", nil, map[string]string{"Range": "bytes=0-6"})
		if status != http.StatusPartialContent || string(body) != "content" || !strings.HasPrefix(h.Get("Content-Range"), "bytes 0-6/") {
			t.Errorf("range: got %d %q %q, want 206 \"content\"", status, body, h.Get("Content-Range"))
		}
		var missing apiErr
		status, _, body = c.do("GET", "/api/buckets/docs/content?key=nothing", nil, nil)
		_ = jsonUnmarshal(body, &missing)
		if status != 404 || missing.Code != "NoSuchKey" {
			t.Errorf("missing object: got %d %s, want 404 NoSuchKey", status, body)
		}
	})

	t.Run("details and tags", func(t *testing.T) {
		if status := c.json("PUT", "/api/buckets/docs/tags?key=a.txt", map[string]any{"tags": map[string]string{"team": "ops", "year": "2026"}}, nil); status != 200 {
			t.Fatalf("put tags: got %d", status)
		}
		var d struct {
			Size        int64             `json:"size"`
			ContentType string            `json:"contentType"`
			ETag        string            `json:"etag"`
			Tags        map[string]string `json:"tags"`
			Checksums   []struct {
				Algorithm, Type, Value string
			} `json:"checksums"`
		}
		if status := c.json("GET", "/api/buckets/docs/object?key=a.txt", nil, &d); status != 200 {
			t.Fatalf("details: got %d", status)
		}
		if d.Size != int64(len("content of a.txt")) || d.ContentType != "text/plain" || len(d.ETag) != 32 || d.Tags["team"] != "ops" || d.Tags["year"] != "2026" {
			t.Errorf("details: got %+v", d)
		}
		// Uploads through the console store a CRC64NVME that S3 computed.
		want, err := checksumOf("CRC64NVME", []byte("content of a.txt"))
		must(t, err, "computing CRC64NVME")
		if len(d.Checksums) != 1 || d.Checksums[0].Algorithm != "CRC64NVME" || d.Checksums[0].Value != want || d.Checksums[0].Type != "FULL_OBJECT" {
			t.Errorf("checksums: got %+v, want one FULL_OBJECT CRC64NVME %s", d.Checksums, want)
		}
		tags, err := e.srv.S3Client(t).GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String("docs"), Key: aws.String("a.txt")})
		if err != nil || len(tags.TagSet) != 2 {
			t.Errorf("S3 tags after the console set them: got %v %v, want two", tags, err)
		}
	})

	t.Run("share", func(t *testing.T) {
		for _, secs := range []int{0, 7*86400 + 1} {
			if status := c.json("POST", "/api/buckets/docs/share", map[string]any{"key": "a.txt", "expiresSeconds": secs}, nil); status != 400 {
				t.Errorf("expiry %d s: got %d, want 400", secs, status)
			}
		}
		if status := c.json("POST", "/api/buckets/docs/share", map[string]any{"key": "nothing", "expiresSeconds": 60}, nil); status != 404 {
			t.Errorf("sharing a missing object: got %d, want 404", status)
		}
		var s struct {
			URL string `json:"url"`
		}
		if status := c.json("POST", "/api/buckets/docs/share", map[string]any{"key": "c d/ü?#%.txt", "expiresSeconds": 7 * 86400}, &s); status != 200 {
			t.Fatalf("share: got %d", status)
		}
		res, err := http.Get(s.URL)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(data) != "content of c d/ü?#%.txt" {
			t.Fatalf("share link %s: got %d %q", s.URL, res.StatusCode, data)
		}
		if !strings.HasPrefix(s.URL, e.srv.URL+"/docs/") || !strings.Contains(s.URL, "X-Amz-Expires=604800") {
			t.Errorf("share link %s: want the S3 endpoint %s and a 7-day expiry", s.URL, e.srv.URL)
		}
	})

	t.Run("multipart", func(t *testing.T) {
		var up struct {
			UploadID string `json:"uploadId"`
		}
		if status := c.json("POST", "/api/buckets/docs/uploads", map[string]string{"key": "big.bin", "contentType": "application/zip"}, &up); status != 200 || up.UploadID == "" {
			t.Fatalf("create upload: got %d %+v", status, up)
		}
		part1 := bytes.Repeat([]byte{'a'}, 5<<20)
		part2 := []byte("tail")
		var parts []map[string]any
		for i, p := range [][]byte{part1, part2} {
			status, _, body := c.do("PUT", fmt.Sprintf("/api/buckets/docs/uploads/part?key=big.bin&uploadId=%s&partNumber=%d", url.QueryEscape(up.UploadID), i+1),
				bytes.NewReader(p), map[string]string{"X-Hoard-CSRF": c.csrf})
			var r struct {
				ETag string `json:"etag"`
			}
			_ = jsonUnmarshal(body, &r)
			if status != 200 || r.ETag == "" {
				t.Fatalf("part %d: got %d %s", i+1, status, body)
			}
			parts = append(parts, map[string]any{"partNumber": i + 1, "etag": r.ETag})
		}
		var done struct {
			ETag string `json:"etag"`
		}
		if status := c.json("POST", "/api/buckets/docs/uploads/complete?key=big.bin&uploadId="+url.QueryEscape(up.UploadID), map[string]any{"parts": parts}, &done); status != 200 || !strings.HasSuffix(done.ETag, "-2") {
			t.Fatalf("complete: got %d %+v, want a 2-part ETag", status, done)
		}
		out, err := e.srv.S3Client(t).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("big.bin")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.Equal(got, append(part1, part2...)) || aws.ToString(out.ContentType) != "application/zip" {
			t.Fatalf("big.bin: got %d bytes of %s, want the two parts as application/zip", len(got), aws.ToString(out.ContentType))
		}
		var d struct {
			Checksums []struct{ Algorithm, Type, Value string } `json:"checksums"`
		}
		c.json("GET", "/api/buckets/docs/object?key=big.bin", nil, &d)
		want, err := checksumOf("CRC64NVME", got)
		must(t, err, "computing CRC64NVME")
		if len(d.Checksums) != 1 || d.Checksums[0].Value != want || d.Checksums[0].Type != "FULL_OBJECT" {
			t.Errorf("big.bin checksums: got %+v, want the full-object CRC64NVME %s combined from the parts", d.Checksums, want)
		}
		// An aborted upload leaves nothing behind.
		c.json("POST", "/api/buckets/docs/uploads", map[string]string{"key": "gone.bin"}, &up)
		if status := c.json("DELETE", "/api/buckets/docs/uploads?key=gone.bin&uploadId="+url.QueryEscape(up.UploadID), nil, nil); status != 200 {
			t.Fatalf("abort: got %d", status)
		}
		if status := c.json("DELETE", "/api/buckets/docs/uploads?key=gone.bin&uploadId="+url.QueryEscape(up.UploadID), nil, nil); status != 404 {
			t.Errorf("abort again: got %d, want 404", status)
		}
	})

	t.Run("delete", func(t *testing.T) {
		var nonEmpty apiErr
		if status := c.json("DELETE", "/api/buckets/docs", nil, &nonEmpty); status != http.StatusConflict || nonEmpty.Code != "BucketNotEmpty" {
			t.Fatalf("delete a non-empty bucket: got %d %+v, want 409 BucketNotEmpty", status, nonEmpty)
		}
		var res struct {
			Deleted int `json:"deleted"`
			Errors  []struct {
				Key string `json:"key"`
			} `json:"errors"`
		}
		if status := c.json("POST", "/api/buckets/docs/delete", map[string]any{"keys": []string{"a.txt", "z.png"}, "prefixes": []string{"b/"}}, &res); status != 200 || res.Deleted != 4 || len(res.Errors) != 0 {
			t.Fatalf("delete keys and a folder: got %d %+v, want 4 deleted", status, res)
		}
		var l listing
		c.json("GET", "/api/buckets/docs/objects?flat=true", nil, &l)
		var left []string
		for _, o := range l.Objects {
			left = append(left, o.Key)
		}
		if got := strings.Join(left, ","); got != "big.bin,c d/ü?#%.txt,page.html" {
			t.Errorf("left after delete: got %s", got)
		}
		// An upload in progress does not stop a forced delete.
		var up struct {
			UploadID string `json:"uploadId"`
		}
		c.json("POST", "/api/buckets/docs/uploads", map[string]string{"key": "pending.bin"}, &up)
		if status := c.json("DELETE", "/api/buckets/docs?force=true", nil, nil); status != 200 {
			t.Fatalf("forced delete: got %d, want 200", status)
		}
		if bucketExists(t, e, "docs") {
			t.Fatal("the bucket survived a forced delete")
		}
	})
}

// TestUsageAndDashboard checks bucket usage and the dashboard's figures.
func TestUsageAndDashboard(t *testing.T) {
	e, c := signedIn(t, 4)
	for _, b := range []string{"one", "two"} {
		if status := c.json("POST", "/api/buckets", map[string]string{"name": b}, nil); status != 201 {
			t.Fatalf("create %s: got %d", b, status)
		}
	}
	c.put("one", "x", "text/plain", bytes.Repeat([]byte{'x'}, 1000))
	c.put("one", "y", "text/plain", bytes.Repeat([]byte{'y'}, 500))
	var u struct {
		Buckets []struct {
			Name    string `json:"name"`
			Objects int    `json:"objects"`
			Bytes   int    `json:"bytes"`
		} `json:"buckets"`
	}
	if status := c.json("GET", "/api/usage", nil, &u); status != 200 {
		t.Fatalf("usage: got %d", status)
	}
	if got := fmt.Sprint(u.Buckets); got != "[{one 2 1500} {two 0 0}]" {
		t.Errorf("usage: got %s, want [{one 2 1500} {two 0 0}]", got)
	}
	var d struct {
		Mode         string `json:"mode"`
		DataShards   int    `json:"dataShards"`
		ParityShards int    `json:"parityShards"`
		RawBytes     uint64 `json:"rawBytes"`
		UsableBytes  uint64 `json:"usableBytes"`
		UsedBytes    uint64 `json:"usedBytes"`
		Nodes        []struct {
			Name   string `json:"name"`
			Drives []struct {
				State string `json:"state"`
			} `json:"drives"`
		} `json:"nodes"`
	}
	if status := c.json("GET", "/api/dashboard", nil, &d); status != 200 {
		t.Fatalf("dashboard: got %d", status)
	}
	if d.Mode != "erasure" || d.DataShards+d.ParityShards != 4 || len(d.Nodes) != 1 || len(d.Nodes[0].Drives) != 4 || d.UsedBytes != 1500 {
		t.Errorf("dashboard: got %+v, want 4 online drives on one node, 1500 bytes used", d)
	}
	want := float64(d.RawBytes) * float64(d.DataShards) / 4
	if got := float64(d.UsableBytes); got < want*0.99 || got > want*1.01 {
		t.Errorf("usable %d of raw %d: want about raw × %d/4", d.UsableBytes, d.RawBytes, d.DataShards)
	}
	_ = e
}

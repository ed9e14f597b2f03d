package s3api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// BenchmarkPostObject uploads one file per browser-style POST form beside
// the same bytes by PUT, on one drive, so the cost of the form path (form
// parsing, boundary scan of large files) reads as the ratio of the two.
func BenchmarkPostObject(b *testing.B) {
	for _, size := range []int{64 << 10, 8 << 20} {
		b.Run(fmt.Sprintf("POST/%dKiB", size>>10), func(b *testing.B) { benchPost(b, size) })
		b.Run(fmt.Sprintf("PUT/%dKiB", size>>10), func(b *testing.B) { benchPutOne(b, size) })
	}
}

func benchPost(b *testing.B, size int) {
	h := benchHandler(b, 1, 0, 0)
	now := time.Now()
	cred := sigv4.Credentials{AccessKey: benchAccess, SecretKey: benchSecret}
	sf := sigv4.SignPost("", cred, "us-east-1", now)
	doc := fmt.Sprintf(`{"expiration":%q,"conditions":[{"bucket":"bench"},["starts-with","$key","post/"],{"x-amz-algorithm":%q},{"x-amz-credential":%q},{"x-amz-date":%q}]}`,
		now.Add(time.Hour).UTC().Format(time.RFC3339), sf.Algorithm, sf.Credential, sf.Date)
	policy := base64.StdEncoding.EncodeToString([]byte(doc))
	sf = sigv4.SignPost(policy, cred, "us-east-1", now)
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, kv := range [][2]string{{"key", "post/${filename}"}, {"x-amz-algorithm", sf.Algorithm}, {"x-amz-credential", sf.Credential},
		{"x-amz-date", sf.Date}, {"policy", policy}, {"x-amz-signature", sf.Signature}} {
		w.WriteField(kv[0], kv[1])
	}
	fw, _ := w.CreateFormFile("file", "f")
	fw.Write(bytes.Repeat([]byte("hoard-bench-data"), size/16))
	w.Close()
	body, ct := buf.Bytes(), w.FormDataContentType()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:9000/bench", bytes.NewReader(body))
		r.Header.Set("Content-Type", ct)
		if st := serveOnce(h, r); st != http.StatusNoContent {
			b.Fatalf("POST: got HTTP %d, want 204", st)
		}
	}
}

func benchPutOne(b *testing.B, size int) {
	h := benchHandler(b, 1, 0, 0)
	body := bytes.Repeat([]byte("hoard-bench-data"), size/16)
	tmpl := benchRequest(b, http.MethodPut, "/bench/put"+strconv.Itoa(size), body)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		r := tmpl.Clone(context.Background())
		r.Body = io.NopCloser(bytes.NewReader(body))
		if st := serveOnce(h, r); st != http.StatusOK {
			b.Fatalf("PUT: got HTTP %d, want 200", st)
		}
	}
}

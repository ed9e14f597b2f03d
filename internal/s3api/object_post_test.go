package s3api_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/s3api"
	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// Tests of POST Object (browser form uploads) against the handler over
// real HTTP on 127.0.0.1, with an engine on a temporary drive.

const (
	postAccess = "post-access"
	postSecret = "post-secret/0123456789"
	postRegion = "us-east-1"
	postDomain = "s3.post.test"
	postBucket = "forms"
)

type postServer struct {
	url   string
	layer storage.ObjectLayer
}

func startPostServer(t *testing.T) *postServer {
	t.Helper()
	layer, err := erasure.Open(context.Background(), erasure.Config{Drives: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { layer.Close() })
	if err := layer.MakeBucket(context.Background(), postBucket); err != nil {
		t.Fatal(err)
	}
	h := s3api.New(s3api.Config{
		Layer: layer, Region: postRegion, Domains: []string{postDomain}, OwnerName: "post",
		Credentials: func(k string) (sigv4.Credentials, bool) {
			return sigv4.Credentials{AccessKey: postAccess, SecretKey: postSecret}, k == postAccess
		},
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &postServer{url: srv.URL, layer: layer}
}

// field is one form field, in order.
type field struct{ name, value string }

// postPolicy returns the base64 policy expiring at exp with conditions.
func postPolicy(t *testing.T, exp time.Time, conds ...any) string {
	t.Helper()
	doc, err := json.Marshal(map[string]any{"expiration": exp.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(doc)
}

// signedFields returns the SigV4 fields for fields plus a policy that
// covers each of them exactly (with extra conditions appended), signed at
// now.
func signedFields(t *testing.T, fields []field, extra ...any) []field {
	t.Helper()
	now := time.Now().UTC()
	sf := sigv4.SignPost("", sigv4.Credentials{AccessKey: postAccess, SecretKey: postSecret}, postRegion, now)
	all := append(append([]field(nil), fields...),
		field{"x-amz-algorithm", sf.Algorithm}, field{"x-amz-credential", sf.Credential}, field{"x-amz-date", sf.Date})
	conds := []any{map[string]string{"bucket": postBucket}}
	for _, f := range all {
		conds = append(conds, []string{"eq", "$" + f.name, f.value})
	}
	conds = append(conds, extra...)
	policy := postPolicy(t, now.Add(time.Hour), conds...)
	sf = sigv4.SignPost(policy, sigv4.Credentials{AccessKey: postAccess, SecretKey: postSecret}, postRegion, now)
	return append(all, field{"policy", policy}, field{"x-amz-signature", sf.Signature})
}

// form encodes fields, then the file part, then after.
func form(t *testing.T, fields []field, filename string, file []byte, after ...field) (body []byte, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := w.WriteField(f.name, f.value); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	for _, f := range after {
		w.WriteField(f.name, f.value)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

// post sends a form to target (a URL) and returns the answer and its body.
func post(t *testing.T, target, host string, body []byte, contentType string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if host != "" {
		req.Host = host
	}
	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, rb
}

func errorCode(body []byte) string {
	var e struct{ Code string }
	xml.Unmarshal(body, &e)
	return e.Code
}

// readObject returns an object's data and info, or the error.
func readObject(t *testing.T, l storage.ObjectLayer, key string) ([]byte, storage.ObjectInfo, error) {
	t.Helper()
	obj, err := l.OpenObject(context.Background(), postBucket, key, storage.GetOptions{})
	if err != nil {
		return nil, storage.ObjectInfo{}, err
	}
	defer obj.Close()
	rd, err := obj.Reader(0, obj.Info().Size)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	return data, obj.Info(), nil
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func TestPostObjectSuccess(t *testing.T) {
	t.Parallel()
	s := startPostServer(t)
	small := []byte("hello from a browser form")
	large := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320,000 bytes, past the form buffer
	crc := crc32.ChecksumIEEE(small)
	crcB64 := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	tests := []struct {
		name       string
		fields     []field
		extra      []any
		filename   string
		file       []byte
		after      []field
		host, path string
		wantStatus int
		wantKey    string
		check      func(t *testing.T, resp *http.Response, body []byte, info storage.ObjectInfo)
	}{
		{name: "default 204 with metadata", fields: []field{{"key", "a/plain.txt"}, {"Content-Type", "text/plain"}, {"x-amz-meta-owner", "eric"}, {"Cache-Control", "max-age=60"}},
			file: small, wantStatus: http.StatusNoContent, wantKey: "a/plain.txt",
			check: func(t *testing.T, resp *http.Response, _ []byte, info storage.ObjectInfo) {
				if got := resp.Header.Get("ETag"); got != `"`+md5hex(small)+`"` {
					t.Errorf("ETag: got %s, want the MD5 of the file", got)
				}
				if info.Metadata["content-type"] != "text/plain" || info.Metadata["x-amz-meta-owner"] != "eric" || info.Metadata["cache-control"] != "max-age=60" {
					t.Errorf("metadata: got %v", info.Metadata)
				}
				if got := resp.Header.Get("Location"); got != s.url+"/"+postBucket+"/a/plain.txt" {
					t.Errorf("Location: got %s", got)
				}
			}},
		{name: "filename substitution", fields: []field{{"key", "up/${filename}"}}, filename: `C:\Users\eric\photo one.jpg`, file: small,
			wantStatus: http.StatusNoContent, wantKey: "up/photo one.jpg"},
		{name: "201 document", fields: []field{{"key", "doc 201"}, {"success_action_status", "201"}}, file: small,
			wantStatus: http.StatusCreated, wantKey: "doc 201",
			check: func(t *testing.T, _ *http.Response, body []byte, _ storage.ObjectInfo) {
				var doc struct {
					XMLName                     xml.Name `xml:"PostResponse"`
					Location, Bucket, Key, ETag string
				}
				if err := xml.Unmarshal(body, &doc); err != nil {
					t.Fatalf("PostResponse: %v in %s", err, body)
				}
				if doc.Bucket != postBucket || doc.Key != "doc 201" || doc.ETag != `"`+md5hex(small)+`"` || doc.Location != s.url+"/"+postBucket+"/doc%20201" {
					t.Errorf("PostResponse: got %+v", doc)
				}
			}},
		{name: "200 empty", fields: []field{{"key", "k200"}, {"success_action_status", "200"}}, file: small, wantStatus: http.StatusOK, wantKey: "k200",
			check: func(t *testing.T, _ *http.Response, body []byte, _ storage.ObjectInfo) {
				if len(body) != 0 {
					t.Errorf("200 body: got %q, want none", body)
				}
			}},
		{name: "unknown status gives 204", fields: []field{{"key", "k302"}, {"success_action_status", "302"}}, file: small, wantStatus: http.StatusNoContent, wantKey: "k302"},
		{name: "redirect", fields: []field{{"key", "redir"}, {"success_action_redirect", "https://app.example/done?x=1"}}, file: small,
			wantStatus: http.StatusSeeOther, wantKey: "redir",
			check: func(t *testing.T, resp *http.Response, _ []byte, _ storage.ObjectInfo) {
				u, err := url.Parse(resp.Header.Get("Location"))
				if err != nil {
					t.Fatal(err)
				}
				q := u.Query()
				if u.Host != "app.example" || q.Get("x") != "1" || q.Get("bucket") != postBucket || q.Get("key") != "redir" || q.Get("etag") != `"`+md5hex(small)+`"` {
					t.Errorf("redirect Location: got %s", u)
				}
			}},
		{name: "virtual host", fields: []field{{"key", "vhost"}}, file: small, host: postBucket + "." + postDomain, path: "/",
			wantStatus: http.StatusNoContent, wantKey: "vhost"},
		{name: "large file streamed", fields: []field{{"key", "big"}}, extra: []any{[]any{"content-length-range", 1, len(large)}}, file: large,
			wantStatus: http.StatusNoContent, wantKey: "big"},
		{name: "small file then ignored field", fields: []field{{"key", "after"}}, file: small, after: []field{{"ignored", "x"}},
			wantStatus: http.StatusNoContent, wantKey: "after"},
		{name: "empty file", fields: []field{{"key", "empty"}}, file: []byte{}, wantStatus: http.StatusNoContent, wantKey: "empty"},
		{name: "checksum", fields: []field{{"key", "crc"}, {"x-amz-checksum-crc32", crcB64}}, file: small, wantStatus: http.StatusNoContent, wantKey: "crc",
			check: func(t *testing.T, resp *http.Response, _ []byte, info storage.ObjectInfo) {
				if info.Checksum.Algorithm != storage.ChecksumCRC32 || info.Checksum.Value != crcB64 || resp.Header.Get("x-amz-checksum-crc32") != crcB64 {
					t.Errorf("checksum: got %+v, header %q; want CRC32 %s", info.Checksum, resp.Header.Get("x-amz-checksum-crc32"), crcB64)
				}
			}},
		{name: "tagging and private acl", fields: []field{{"key", "tagged"}, {"acl", "private"}, {"tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>"}},
			file: small, wantStatus: http.StatusNoContent, wantKey: "tagged",
			check: func(t *testing.T, _ *http.Response, _ []byte, info storage.ObjectInfo) {
				if info.Tags["k"] != "v" {
					t.Errorf("tags: got %v", info.Tags)
				}
			}},
		{name: "upper-case field names", fields: []field{{"Key", "upper"}, {"Success_Action_Status", "201"}}, file: small, wantStatus: http.StatusCreated, wantKey: "upper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, ct := form(t, signedFields(t, tt.fields, tt.extra...), tt.filename, tt.file, tt.after...)
			path := "/" + postBucket
			if tt.path != "" {
				path = tt.path
			}
			resp, rb := post(t, s.url+path, tt.host, body, ct)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status: got %d (%s), want %d", resp.StatusCode, rb, tt.wantStatus)
			}
			data, info, err := readObject(t, s.layer, tt.wantKey)
			if err != nil {
				t.Fatalf("object %q: %v", tt.wantKey, err)
			}
			if !bytes.Equal(data, tt.file) {
				t.Errorf("object data: got %d bytes, want %d equal bytes", len(data), len(tt.file))
			}
			if tt.check != nil {
				tt.check(t, resp, rb, info)
			}
		})
	}
}

func TestPostObjectSigV2(t *testing.T) {
	t.Parallel()
	s := startPostServer(t)
	policy := postPolicy(t, time.Now().Add(time.Hour), map[string]string{"bucket": postBucket}, []string{"starts-with", "$key", "v2/"})
	fields := []field{{"key", "v2/obj"}, {"AWSAccessKeyId", postAccess}, {"policy", policy}, {"signature", sigv2.SignPost(policy, postSecret)}}
	body, ct := form(t, fields, "f", []byte("v2 body"))
	resp, rb := post(t, s.url+"/"+postBucket, "", body, ct)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("SigV2 POST: got %d %s, want 204", resp.StatusCode, rb)
	}
	if data, _, err := readObject(t, s.layer, "v2/obj"); err != nil || string(data) != "v2 body" {
		t.Errorf("SigV2 object: got %q, %v", data, err)
	}
	fields[3].value = sigv2.SignPost(policy, "wrong secret")
	body, ct = form(t, fields, "f", []byte("v2 body"))
	if resp, rb := post(t, s.url+"/"+postBucket, "", body, ct); resp.StatusCode != http.StatusForbidden || errorCode(rb) != "SignatureDoesNotMatch" {
		t.Errorf("SigV2 bad signature: got %d %s, want 403 SignatureDoesNotMatch", resp.StatusCode, rb)
	}
}

func TestPostObjectErrors(t *testing.T) {
	t.Parallel()
	s := startPostServer(t)
	file := []byte("data")
	large := bytes.Repeat([]byte("x"), 200<<10)
	now := time.Now()
	tamper := func(fs []field, name, value string) []field {
		out := append([]field(nil), fs...)
		for i := range out {
			if out[i].name == name {
				out[i].value = value
			}
		}
		return out
	}
	expired := func() []field {
		sf := sigv4.SignPost("", sigv4.Credentials{AccessKey: postAccess}, postRegion, now)
		fs := []field{{"key", "err/expired"}, {"x-amz-algorithm", sf.Algorithm}, {"x-amz-credential", sf.Credential}, {"x-amz-date", sf.Date}}
		policy := postPolicy(t, now.Add(-time.Minute), []string{"starts-with", "$key", ""}, []string{"starts-with", "$x-amz-algorithm", ""},
			[]string{"starts-with", "$x-amz-credential", ""}, []string{"starts-with", "$x-amz-date", ""})
		sf = sigv4.SignPost(policy, sigv4.Credentials{AccessKey: postAccess, SecretKey: postSecret}, postRegion, now)
		return append(fs, field{"policy", policy}, field{"x-amz-signature", sf.Signature})
	}
	badJSON := func() []field {
		sf := sigv4.SignPost("", sigv4.Credentials{AccessKey: postAccess}, postRegion, now)
		policy := base64.StdEncoding.EncodeToString([]byte(`{"expiration": nope}`))
		sig := sigv4.SignPost(policy, sigv4.Credentials{AccessKey: postAccess, SecretKey: postSecret}, postRegion, now).Signature
		return []field{{"key", "err/json"}, {"x-amz-algorithm", sf.Algorithm}, {"x-amz-credential", sf.Credential}, {"x-amz-date", sf.Date}, {"policy", policy}, {"x-amz-signature", sig}}
	}
	tests := []struct {
		name        string
		fields      []field
		file        []byte
		after       []field
		contentType string
		key         string // must not exist afterwards
		wantStatus  int
		wantCode    string
	}{
		{name: "anonymous", fields: []field{{"key", "err/anon"}}, file: file, key: "err/anon", wantStatus: 403, wantCode: "AccessDenied"},
		{name: "extra field", fields: append(signedFields(t, []field{{"key", "err/extra"}}), field{"x-amz-meta-sneaky", "1"}), file: file, key: "err/extra", wantStatus: 403, wantCode: "AccessDenied"},
		{name: "tampered key", fields: tamper(signedFields(t, []field{{"key", "err/k"}}), "key", "err/other"), file: file, key: "err/other", wantStatus: 403, wantCode: "AccessDenied"},
		{name: "bad signature", fields: tamper(signedFields(t, []field{{"key", "err/sig"}}), "x-amz-signature", strings.Repeat("0", 64)), file: file, key: "err/sig", wantStatus: 403, wantCode: "SignatureDoesNotMatch"},
		{name: "unknown access key", fields: tamper(signedFields(t, []field{{"key", "err/akid"}}), "x-amz-credential", "nobody/"+now.UTC().Format("20060102")+"/us-east-1/s3/aws4_request"), file: file, key: "err/akid", wantStatus: 403, wantCode: "InvalidAccessKeyId"},
		{name: "wrong region", fields: tamper(signedFields(t, []field{{"key", "err/region"}}), "x-amz-credential", postAccess+"/"+now.UTC().Format("20060102")+"/eu-west-9/s3/aws4_request"), file: file, key: "err/region", wantStatus: 400, wantCode: "InvalidArgument"},
		{name: "expired", fields: expired(), file: file, key: "err/expired", wantStatus: 403, wantCode: "AccessDenied"},
		{name: "invalid policy", fields: badJSON(), file: file, key: "err/json", wantStatus: 400, wantCode: "InvalidPolicyDocument"},
		{name: "too large", fields: signedFields(t, []field{{"key", "err/large"}}, []any{"content-length-range", 0, 3}), file: file, key: "err/large", wantStatus: 400, wantCode: "EntityTooLarge"},
		{name: "too small", fields: signedFields(t, []field{{"key", "err/small"}}, []any{"content-length-range", 5, 10}), file: file, key: "err/small", wantStatus: 400, wantCode: "EntityTooSmall"},
		{name: "no file", fields: signedFields(t, []field{{"key", "err/nofile"}}), key: "err/nofile", wantStatus: 400, wantCode: "IncorrectNumberOfFilesInPostRequest"},
		{name: "no key", fields: signedFields(t, []field{{"success_action_status", "201"}}), file: file, wantStatus: 400, wantCode: "InvalidArgument"},
		{name: "not multipart", fields: signedFields(t, []field{{"key", "err/ct"}}), file: file, contentType: "application/x-www-form-urlencoded", key: "err/ct", wantStatus: 412, wantCode: "PreconditionFailed"},
		{name: "fields too large", fields: signedFields(t, []field{{"key", "err/fields"}, {"x-amz-meta-big", strings.Repeat("b", 21<<10)}}), file: file, key: "err/fields", wantStatus: 400, wantCode: "MaxPostPreDataLengthExceededError"},
		{name: "public acl", fields: signedFields(t, []field{{"key", "err/acl"}, {"acl", "public-read"}}), file: file, key: "err/acl", wantStatus: 400, wantCode: "AccessControlListNotSupported"},
		{name: "bad checksum", fields: signedFields(t, []field{{"key", "err/crc"}, {"x-amz-checksum-crc32", "AAAAAA=="}}), file: file, key: "err/crc", wantStatus: 400, wantCode: "BadDigest"},
		{name: "large file not last", fields: signedFields(t, []field{{"key", "err/notlast"}}), file: large, after: []field{{"x-ignore-after", "1"}}, key: "err/notlast", wantStatus: 400, wantCode: "MalformedPOSTRequest"},
		{name: "no bucket", fields: signedFields(t, []field{{"key", "k"}}), file: file, wantStatus: 403, wantCode: "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, ct := form(t, tt.fields, "f.txt", tt.file, tt.after...)
			if tt.contentType != "" {
				ct = tt.contentType
			}
			target := s.url + "/" + postBucket
			if tt.name == "no bucket" {
				target = s.url + "/missing-bucket" // the policy names "forms"
			}
			resp, rb := post(t, target, "", body, ct)
			if resp.StatusCode != tt.wantStatus || errorCode(rb) != tt.wantCode {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, rb, tt.wantStatus, tt.wantCode)
			}
			if tt.key != "" {
				if _, _, err := readObject(t, s.layer, tt.key); !errors.Is(err, storage.ErrObjectNotFound) {
					t.Errorf("object %q after a refused POST: got %v, want not found", tt.key, err)
				}
			}
		})
	}
}

// TestPostObjectChunkedBody sends forms without a Content-Length: a small
// one is delimited within the buffer, a large one needs the length.
func TestPostObjectChunkedBody(t *testing.T) {
	t.Parallel()
	s := startPostServer(t)
	for _, tc := range []struct {
		size       int
		wantStatus int
	}{{1000, http.StatusNoContent}, {300 << 10, http.StatusLengthRequired}} {
		t.Run(fmt.Sprint(tc.size), func(t *testing.T) {
			key := fmt.Sprintf("chunked/%d", tc.size)
			body, ct := form(t, signedFields(t, []field{{"key", key}}), "f", bytes.Repeat([]byte("c"), tc.size))
			req, err := http.NewRequest(http.MethodPost, s.url+"/"+postBucket, io.MultiReader(bytes.NewReader(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", ct)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			rb, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("got %d %s, want %d", resp.StatusCode, rb, tc.wantStatus)
			}
		})
	}
}

func TestParsePostObjectRoute(t *testing.T) {
	for _, tc := range []struct {
		target, host string
		want         s3api.Route
	}{
		{"/b", "", s3api.Route{Op: s3api.OpPostObject, Bucket: "b"}},
		{"/b/", "", s3api.Route{Op: s3api.OpPostObject, Bucket: "b"}},
		{"/", "b.s3.example.com", s3api.Route{Op: s3api.OpPostObject, Bucket: "b"}},
		{"/b?delete", "", s3api.Route{Op: s3api.OpDeleteObjects, Bucket: "b"}},
	} {
		r := httptest.NewRequest(http.MethodPost, tc.target, nil)
		if tc.host != "" {
			r.Host = tc.host
		}
		if got := s3api.Parse(r, []string{"s3.example.com"}); got != tc.want {
			t.Errorf("POST %s host %q: got %+v, want %+v", tc.target, tc.host, got, tc.want)
		}
	}
}

// TestPostObjectAuthenticatesBeforeFile sends forms whose file part has
// its headers but none of its content yet: a form that fails
// authentication is answered at once, without waiting for (reading) the
// file.
func TestPostObjectAuthenticatesBeforeFile(t *testing.T) {
	t.Parallel()
	s := startPostServer(t)
	file := bytes.Repeat([]byte("F"), 1000) // small: sizing it would read it whole
	tests := []struct {
		name     string
		fields   []field
		wantCode string
	}{
		{"bad signature", nil, "SignatureDoesNotMatch"},
		{"anonymous", []field{{"key", "early/anon"}}, "AccessDenied"},
		{"field outside the policy", append(signedFields(t, []field{{"key", "early/extra"}}), field{"x-amz-meta-sneaky", "1"}), "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fields := tt.fields
			if fields == nil {
				fields = signedFields(t, []field{{"key", "early/sig"}})
				for i := range fields {
					if fields[i].name == "x-amz-signature" {
						fields[i].value = strings.Repeat("0", 64)
					}
				}
			}
			body, ct := form(t, fields, "f.bin", file)
			cut := bytes.Index(body, file)
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST /%s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", postBucket, strings.TrimPrefix(s.url, "http://"), ct, len(body))
			if _, err := conn.Write(body[:cut]); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer while the file is withheld: %v", err)
			}
			rb, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden || errorCode(rb) != tt.wantCode {
				t.Fatalf("got %d %s, want 403 %s", resp.StatusCode, rb, tt.wantCode)
			}
		})
	}
}

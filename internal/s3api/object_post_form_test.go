package s3api

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hoardstore/hoard/internal/storage"
)

// formRequest builds a POST with a raw multipart body and boundary "XyZ".
// declared false sends no Content-Length.
func formRequest(body string, declared bool) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/b", io.NopCloser(iotest.HalfReader(strings.NewReader(body))))
	r.Header.Set("Content-Type", `multipart/form-data; boundary="XyZ"`)
	r.ContentLength = -1
	if declared {
		r.ContentLength = int64(len(body))
	}
	return r
}

func TestReadPostForm(t *testing.T) {
	big := strings.Repeat("0123456789", 10000) // 100,000 bytes: past the buffer
	tests := []struct {
		name     string
		body     string
		declared bool
		fields   map[string]string
		filename string
		file     string
		wantCode string
	}{
		{name: "plain", declared: true,
			body:   "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na/b\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n",
			fields: map[string]string{"key": "a/b"}, filename: "f.txt", file: "hello"},
		{name: "preamble, padding, multi-line value, no final CRLF", declared: true,
			body:   "ignored preamble\r\n--XyZ  \r\ncontent-disposition: form-data; name=\"Policy\"\r\n\r\nline1\r\nline2\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--XyZ--",
			fields: map[string]string{"policy": "line1\r\nline2\n"}, file: ""},
		{name: "fields after a small file are skipped", declared: true,
			body:   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nabc--XyZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"late\"\r\n\r\nv\r\n--XyZ--\r\n",
			fields: map[string]string{}, filename: "x", file: "abc--XyZ"},
		{name: "no content length, small", declared: false,
			body:   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nsmall\r\n--XyZ--\r\n",
			fields: map[string]string{}, file: "small"},
		{name: "large file", declared: true,
			body:   "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + big + "\r\n--XyZ--\r\n",
			fields: map[string]string{}, file: big},
		{name: "large file without final CRLF", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + big + "\r\n--XyZ--", wantCode: "MalformedPOSTRequest"},
		{name: "large file without content length", declared: false,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n" + big + "\r\n--XyZ--\r\n", wantCode: "MissingContentLength"},
		{name: "no file", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--XyZ--\r\n", wantCode: "IncorrectNumberOfFilesInPostRequest"},
		{name: "empty form", declared: true, body: "--XyZ--\r\n", wantCode: "IncorrectNumberOfFilesInPostRequest"},
		{name: "truncated", declared: true, body: "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk", wantCode: "MalformedPOSTRequest"},
		{name: "no name", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data\r\n\r\nk\r\n--XyZ--\r\n", wantCode: "MalformedPOSTRequest"},
		{name: "header without colon", declared: true,
			body: "--XyZ\r\nContent-Disposition form-data\r\n\r\nk\r\n--XyZ--\r\n", wantCode: "MalformedPOSTRequest"},
		{name: "duplicate field", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na\r\n--XyZ\r\nContent-Disposition: form-data; name=\"KEY\"\r\n\r\nb\r\n--XyZ--\r\n", wantCode: "InvalidArgument"},
		{name: "fields too large", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" + strings.Repeat("k", 21<<10) + "\r\n--XyZ--\r\n", wantCode: "MaxPostPreDataLengthExceededError"},
		{name: "header line too long", declared: true,
			body: "--XyZ\r\nContent-Disposition: form-data; name=\"" + strings.Repeat("n", 70<<10) + "\"\r\n\r\nk\r\n--XyZ--\r\n", wantCode: "MaxPostPreDataLengthExceededError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := readFormAndFile(formRequest(tt.body, tt.declared))
			if err == nil {
				var data []byte
				data, err = io.ReadAll(form.file)
				if err == nil {
					if tt.wantCode != "" {
						t.Fatalf("got a form, want %s", tt.wantCode)
					}
					if string(data) != tt.file || form.size != int64(len(tt.file)) || form.filename != tt.filename {
						t.Errorf("file: got %d bytes (size %d, name %q), want %d bytes named %q", len(data), form.size, form.filename, len(tt.file), tt.filename)
					}
					if len(form.fields) != len(tt.fields) {
						t.Errorf("fields: got %v, want %v", form.fields, tt.fields)
					}
					for k, v := range tt.fields {
						if form.fields[k] != v {
							t.Errorf("field %s: got %q, want %q", k, form.fields[k], v)
						}
					}
					return
				}
			}
			if got := toAPIError(err).Code; got != tt.wantCode {
				t.Fatalf("got %v (%s), want %s", err, got, tt.wantCode)
			}
		})
	}
}

func TestReadPostFormContentType(t *testing.T) {
	for _, ct := range []string{"", "text/plain", "multipart/form-data", "multipart/mixed; boundary=a"} {
		r := httptest.NewRequest(http.MethodPost, "/b", strings.NewReader("x"))
		r.Header.Set("Content-Type", ct)
		_, err := readPostForm(r)
		want := "PreconditionFailed"
		if ct == "multipart/form-data" {
			want = "MalformedPOSTRequest"
		}
		if got := toAPIError(err).Code; got != want {
			t.Errorf("Content-Type %q: got %s, want %s", ct, got, want)
		}
	}
}

// TestFileReaderBoundarySplit checks that a boundary inside a large file
// is found however the reads split it.
func TestFileReaderBoundarySplit(t *testing.T) {
	delim := "\r\n--XyZ"
	for cut := 0; cut <= len(delim); cut++ {
		data := strings.Repeat("a", 100) + delim[:cut] + "|" + delim + strings.Repeat("b", 50)
		closing := "\r\n--XyZ--\r\n"
		for _, split := range []bool{false, true} {
			var src io.Reader = strings.NewReader(data + closing)
			if split {
				src = iotest.OneByteReader(src)
			}
			r := &fileReader{br: newBuffered(src), remaining: int64(len(data)), closing: closing, delim: []byte(delim)}
			_, err := io.ReadAll(r)
			if toAPIError(err).Code != "MalformedPOSTRequest" {
				t.Errorf("cut %d split %v: got %v, want MalformedPOSTRequest", cut, split, err)
			}
		}
	}
	clean := strings.Repeat("\r\n--XyY", 1000)
	r := &fileReader{br: newBuffered(iotest.HalfReader(strings.NewReader(clean + "\r\n--XyZ--\r\n"))), remaining: int64(len(clean)), closing: "\r\n--XyZ--\r\n", delim: []byte("\r\n--XyZ")}
	if got, err := io.ReadAll(r); err != nil || string(got) != clean {
		t.Errorf("near-boundaries: got %d bytes, %v; want %d bytes", len(got), err, len(clean))
	}
	short := &fileReader{br: newBuffered(strings.NewReader("abc")), remaining: 10, closing: "x", delim: []byte("\r\n--XyZ")}
	if _, err := io.ReadAll(short); !errors.Is(err, storage.ErrIncompleteBody) {
		t.Errorf("short body: got %v, want ErrIncompleteBody", err)
	}
}

// FuzzReadPostForm parses arbitrary bodies: no panic, and every failure is
// an S3 error.
func FuzzReadPostForm(f *testing.F) {
	f.Add("--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhi\r\n--XyZ--\r\n", true)
	f.Add("--XyZ\r\n\r\n--XyZ--", false)
	f.Add("--XyZ", true)
	f.Fuzz(func(t *testing.T, body string, declared bool) {
		form, err := readFormAndFile(formRequest(body, declared))
		if err == nil {
			var data []byte
			if data, err = io.ReadAll(form.file); err == nil && int64(len(data)) != form.size {
				t.Fatalf("file: got %d bytes, size says %d", len(data), form.size)
			}
		}
		if err != nil {
			if e := toAPIError(err); e.Code == "InternalError" {
				t.Fatalf("got an internal error for bad input: %v", err)
			}
		}
	})
}

// readFormAndFile reads a form's fields and opens its file part, as an
// authenticated upload does.
func readFormAndFile(r *http.Request) (*postForm, error) {
	form, err := readPostForm(r)
	if err != nil {
		return nil, err
	}
	return form, form.openFile()
}

func newBuffered(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, postBufferSize) }

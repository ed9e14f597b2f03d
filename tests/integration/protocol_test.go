package integration

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRequestID checks that every response, successes and errors alike,
// carries a distinct x-amz-request-id, and that error bodies are S3 XML
// naming the resource.
func TestRequestID(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "k", []byte("x"))
		tests := []struct {
			name, method, bucket, key string
			signed                    bool
			status                    int
		}{
			{"list-buckets", http.MethodGet, "", "", true, 200},
			{"head-bucket", http.MethodHead, bucket, "", true, 200},
			{"get-object", http.MethodGet, bucket, "k", true, 200},
			{"head-object", http.MethodHead, bucket, "k", true, 200},
			{"put-object", http.MethodPut, bucket, "new", true, 200},
			{"delete-object", http.MethodDelete, bucket, "new", true, 204},
			{"no-such-key", http.MethodGet, bucket, "missing", true, 404},
			{"head-no-such-key", http.MethodHead, bucket, "missing", true, 404},
			{"no-such-bucket", http.MethodGet, "no-such-bucket-" + bucket[:8], "", true, 404},
			{"anonymous", http.MethodGet, bucket, "k", false, 403},
		}
		seen := map[string]string{}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var resp *http.Response
				var body []byte
				if tt.signed {
					resp, body = e.do(t, tt.method, tt.bucket, tt.key, nil, nil, nil)
				} else {
					resp, body = e.send(t, e.request(t, tt.method, tt.bucket, tt.key, nil, nil))
				}
				wantStatus(t, tt.method, resp, body, tt.status)
				id := resp.Header.Get("x-amz-request-id")
				if id == "" {
					t.Fatalf("no x-amz-request-id on %s %d", tt.method, resp.StatusCode)
				}
				if prev, dup := seen[id]; dup {
					t.Errorf("x-amz-request-id %q repeated (also on %s)", id, prev)
				}
				seen[id] = tt.name
				if tt.status >= 400 && tt.method != http.MethodHead {
					if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
						t.Errorf("error Content-Type: got %q, want application/xml", ct)
					}
					var se s3Error
					if err := xml.Unmarshal(body, &se); err != nil || se.RequestID != id {
						t.Errorf("error body: got %+v (%v), want RequestId %q", se, err, id)
					}
					if tt.name == "no-such-bucket" && !strings.Contains(se.Resource, tt.bucket) {
						t.Errorf("NoSuchBucket Resource: got %q, want it to name %s", se.Resource, tt.bucket)
					}
				}
			})
		}
	})
}

// rawConn opens a TCP connection to the server with a deadline.
func (e *env) rawConn(t *testing.T) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", e.srv.Host(), 5*time.Second)
	must(t, "dial", err)
	t.Cleanup(func() { c.Close() })
	must(t, "deadline", c.SetDeadline(time.Now().Add(30*time.Second)))
	return c, bufio.NewReader(c)
}

// writeHead writes req's request line and headers (no body) to w, with the
// given Content-Length header value ("" for none).
func writeHead(w io.Writer, req *http.Request, contentLength string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, req.URL.RequestURI(), req.URL.Host)
	if contentLength != "" {
		fmt.Fprintf(&b, "Content-Length: %s\r\n", contentLength)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// TestProtocolEdges checks HTTP-level behaviour: HEAD errors carry no body,
// a PUT without Content-Length is 411 MissingContentLength, a declared size
// over 5 GiB is EntityTooLarge before any data is sent, a body shorter than
// its Content-Length is IncompleteBody, and none of them stores anything.
func TestProtocolEdges(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		gone := func(t *testing.T, key string) {
			t.Helper()
			resp, body := e.do(t, http.MethodHead, bucket, key, nil, nil, nil)
			wantStatus(t, "HEAD "+key, resp, body, http.StatusNotFound)
		}
		t.Run("head-error-without-body", func(t *testing.T) {
			conn, br := e.rawConn(t)
			head := e.request(t, http.MethodHead, bucket, "missing", nil, nil)
			e.sign(t, head, emptySHA256, time.Now())
			get := e.request(t, http.MethodGet, bucket, "missing", nil, nil)
			e.sign(t, get, emptySHA256, time.Now())
			must(t, "write HEAD", writeHead(conn, head, ""))
			must(t, "write GET", writeHead(conn, get, ""))
			r1, err := http.ReadResponse(br, head)
			must(t, "read HEAD response", err)
			r1.Body.Close()
			if r1.StatusCode != http.StatusNotFound || r1.Header.Get("x-amz-request-id") == "" {
				t.Errorf("HEAD missing: got %d request-id %q, want 404 and an ID", r1.StatusCode, r1.Header.Get("x-amz-request-id"))
			}
			// Had the HEAD answer carried a body, the next response would not parse.
			r2, err := http.ReadResponse(br, get)
			if err != nil {
				t.Fatalf("the response after a HEAD error does not parse (did the HEAD carry a body?): %v", err)
			}
			body, _ := io.ReadAll(r2.Body)
			r2.Body.Close()
			wantError(t, "GET after HEAD", r2, body, http.StatusNotFound, "NoSuchKey")
		})
		t.Run("missing-content-length", func(t *testing.T) {
			req := e.request(t, http.MethodPut, bucket, "chunked", nil, nil)
			req.Body = io.NopCloser(strings.NewReader("no length given"))
			req.ContentLength = -1 // Go sends Transfer-Encoding: chunked
			e.sign(t, req, unsignedPayload, time.Now())
			resp, body := e.send(t, req)
			wantError(t, "PUT without Content-Length", resp, body, http.StatusLengthRequired, "MissingContentLength")
			gone(t, "chunked")
		})
		t.Run("entity-too-large", func(t *testing.T) {
			conn, br := e.rawConn(t)
			req := e.request(t, http.MethodPut, bucket, "huge", nil, nil)
			size := "5368709121" // 5 GiB + 1
			req.Header.Set("Content-Length", size)
			e.sign(t, req, unsignedPayload, time.Now())
			req.Header.Del("Content-Length")
			must(t, "write head", writeHead(conn, req, size))
			_, _ = conn.Write(make([]byte, 64<<10)) // a little data; the answer must not wait for more
			resp, err := http.ReadResponse(br, req)
			must(t, "read response", err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantError(t, "PUT of 5 GiB + 1", resp, body, http.StatusBadRequest, "EntityTooLarge")
			gone(t, "huge")
		})
		t.Run("incomplete-body", func(t *testing.T) {
			conn, br := e.rawConn(t)
			req := e.request(t, http.MethodPut, bucket, "short", nil, nil)
			req.Header.Set("Content-Length", "100")
			e.sign(t, req, unsignedPayload, time.Now())
			req.Header.Del("Content-Length")
			must(t, "write head", writeHead(conn, req, "100"))
			_, err := conn.Write([]byte(strings.Repeat("x", 50)))
			must(t, "write body", err)
			must(t, "close write", conn.(*net.TCPConn).CloseWrite())
			resp, err := http.ReadResponse(br, req)
			must(t, "read response", err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantError(t, "PUT with a short body", resp, body, http.StatusBadRequest, "IncompleteBody")
			gone(t, "short")
		})
	})
}

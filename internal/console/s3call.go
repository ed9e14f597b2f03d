package console

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// internalHost is the Host of the requests the console dispatches into the
// S3 handler. No virtual-host domain can match it ("localhost" has no dot),
// so they are always path-style.
const internalHost = "localhost"

// maxS3Response bounds a buffered S3 answer (a 1,000-key listing is far
// smaller).
const maxS3Response = 16 << 20

// s3Call is one S3 request the console makes on a user's behalf.
type s3Call struct {
	Method string
	Bucket string
	Key    string
	Query  url.Values
	Header http.Header
	// Body and Size are the request body and its exact length (0: none).
	Body io.Reader
	Size int64
}

// s3Error is an S3 error answer.
type s3Error struct {
	Status  int
	Code    string
	Message string
}

func (e *s3Error) Error() string {
	return fmt.Sprintf("console: s3 %d %s: %s", e.Status, e.Code, e.Message)
}

// request builds c as an HTTP request signed with the session's
// credentials, carrying r's context and client address.
func (h *Handler) request(r *http.Request, sess session, c s3Call) (*http.Request, error) {
	u := &url.URL{Scheme: "http", Host: internalHost, Path: "/"}
	if c.Bucket != "" {
		u.Path = "/" + c.Bucket
		if c.Key != "" {
			u.Path += "/" + c.Key
		}
	}
	if c.Query != nil {
		u.RawQuery = c.Query.Encode()
	}
	body := c.Body
	if body == nil || c.Size == 0 {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(r.Context(), c.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("console: building %s request: %w", c.Method, err)
	}
	req.URL = u
	req.Host = internalHost
	req.ContentLength = c.Size
	req.RemoteAddr = r.RemoteAddr
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if err := sigv4.SignRequest(req, sess.cred, h.cfg.Region, sigv4.UnsignedPayload, h.cfg.Now()); err != nil {
		return nil, fmt.Errorf("console: signing: %w", err)
	}
	return req, nil
}

// do runs c and buffers the answer. An S3 error answer is returned as an
// *s3Error along with the recorded response.
func (h *Handler) do(r *http.Request, sess session, c s3Call) (*recorder, error) {
	req, err := h.request(r, sess, c)
	if err != nil {
		return nil, err
	}
	rec := newRecorder(maxS3Response)
	h.cfg.S3.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.overflow {
		return rec, fmt.Errorf("console: %s answer larger than %d bytes", c.Method, maxS3Response)
	}
	if rec.status >= 300 && rec.status != http.StatusNotModified {
		return rec, parseS3Error(rec.status, rec.hdr, rec.buf.Bytes())
	}
	return rec, nil
}

// doXML runs c and decodes its XML answer into out.
func (h *Handler) doXML(r *http.Request, sess session, c s3Call, out any) error {
	rec, err := h.do(r, sess, c)
	if err != nil {
		return err
	}
	if err := xml.Unmarshal(rec.buf.Bytes(), out); err != nil {
		return fmt.Errorf("console: decoding %s answer: %w", c.Method, err)
	}
	return nil
}

// parseS3Error reads an S3 error document, or for bodiless answers (HEAD)
// the error headers.
func parseS3Error(status int, hdr http.Header, body []byte) *s3Error {
	e := &s3Error{Status: status}
	var doc struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if len(body) > 0 && xml.Unmarshal(body, &doc) == nil && doc.Code != "" {
		e.Code, e.Message = doc.Code, doc.Message
		return e
	}
	e.Code, e.Message = hdr.Get("X-Minio-Error-Code"), hdr.Get("X-Minio-Error-Desc")
	if e.Code == "" {
		switch status {
		case http.StatusNotFound:
			e.Code = "NotFound"
		case http.StatusForbidden:
			e.Code = "AccessDenied"
		default:
			e.Code = http.StatusText(status)
		}
	}
	return e
}

// recorder is an in-memory ResponseWriter with a size limit.
type recorder struct {
	hdr      http.Header
	status   int
	buf      bytes.Buffer
	limit    int
	overflow bool
}

func newRecorder(limit int) *recorder { return &recorder{hdr: http.Header{}, limit: limit} }

func (rec *recorder) Header() http.Header { return rec.hdr }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.buf.Len()+len(p) > rec.limit {
		rec.overflow = true
		return 0, errors.New("console: response too large")
	}
	return rec.buf.Write(p)
}

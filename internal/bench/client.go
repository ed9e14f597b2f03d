package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// ioBufferSize is the socket buffer size of the transport and the size
// of each worker's read buffer: large enough that a big object moves in
// few system calls.
const ioBufferSize = 256 << 10

// client is a minimal S3 client over one keep-alive transport, signing
// with SigV4 and an unsigned payload (the same for every server measured,
// and no payload hashing on the generator's CPU).
type client struct {
	base   string // scheme://host[:port]
	signer *signer
	http   *http.Client
	tr     *http.Transport
}

func newClient(cfg Config) *client {
	tr := &http.Transport{
		Proxy:                  nil, // never anything but the endpoint given
		DialContext:            (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:           cfg.Concurrency + 8,
		MaxIdleConnsPerHost:    cfg.Concurrency + 8,
		IdleConnTimeout:        90 * time.Second,
		ResponseHeaderTimeout:  cfg.RequestTimeout,
		DisableCompression:     true,
		WriteBufferSize:        ioBufferSize,
		ReadBufferSize:         ioBufferSize,
		MaxResponseHeaderBytes: 64 << 10,
		TLSClientConfig:        &tls.Config{InsecureSkipVerify: cfg.Insecure}, //nolint:gosec // opt-in flag for test servers
	}
	base := strings.TrimSuffix(cfg.Endpoint, "/")
	return &client{
		base:   base,
		signer: newSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region),
		tr:     tr,
		http: &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// close drops the idle connections.
func (c *client) close() { c.tr.CloseIdleConnections() }

// S3Error is an error answer from the server.
type S3Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the S3 error code from the body, when there is one.
	Code string
	// Op names the request, such as "PUT bucket/key".
	Op string
}

// Error formats the answer.
func (e *S3Error) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("bench: %s: HTTP %d", e.Op, e.Status)
	}
	return fmt.Sprintf("bench: %s: HTTP %d %s", e.Op, e.Status, e.Code)
}

// request is one S3 call: target, query, headers and body.
type request struct {
	method string
	bucket string
	key    string // "" for bucket operations
	query  string // canonical, from canonicalQuery
	body   []byte
	header map[string]string
}

// path returns the escaped path-style request path.
func (r *request) path() string {
	p := "/" + r.bucket
	if r.key != "" {
		p += "/" + r.key
	}
	return p
}

// do sends r and returns the response when its status is 2xx; any other
// status becomes an *S3Error and the body is drained and closed.
func (c *client) do(ctx context.Context, r *request) (*http.Response, error) {
	u := c.base + sigv4.URIEncode(r.path(), false)
	if r.query != "" {
		u += "?" + r.query
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("bench: request %s %s: %w", r.method, r.path(), err)
	}
	if r.body == nil && (r.method == http.MethodPut || r.method == http.MethodPost) {
		req.ContentLength = 0
		req.Body = http.NoBody
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	c.signer.sign(req, time.Now())
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: %s %s: %w", r.method, r.path(), err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	return nil, responseError(resp, r.method+" "+r.path())
}

// responseError turns a non-2xx answer into an *S3Error, reading the code
// from at most 64 KiB of the body, then drains and closes the body.
func responseError(resp *http.Response, op string) error {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	e := &S3Error{Status: resp.StatusCode, Op: op, Code: xmlElement(b, "Code")}
	if e.Code == "" {
		e.Code = resp.Header.Get("X-Minio-Error-Code")
	}
	return e
}

// discard drains and closes a response body so its connection is reused.
func discard(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// isStatus reports whether err is an S3 answer with the given status.
func isStatus(err error, status int) bool {
	var e *S3Error
	return errors.As(err, &e) && e.Status == status
}

// isCode reports whether err is an S3 answer with the given error code.
func isCode(err error, code string) bool {
	var e *S3Error
	return errors.As(err, &e) && e.Code == code
}

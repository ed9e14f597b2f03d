package server

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// TestSlowBodiesAreDropped opens 50 unauthenticated POST form uploads
// announcing 100 MB: half trickle a byte every 300 ms (far below the
// minimum rate), half send nothing after their headers. The server keeps
// answering other clients, and drops every slow one at its deadline with
// RequestTimeout, while a slow but fast-enough signed upload that lasts
// several deadlines succeeds.
func TestSlowBodiesAreDropped(t *testing.T) {
	t.Parallel()
	const (
		timeout = time.Second
		minRate = 2000
		slow    = 50
	)
	cfg := testConfig(t, t.TempDir())
	cfg.BodyTimeout, cfg.BodyMinRate = timeout, minRate
	s := startServer(t, cfg)
	defer s.Shutdown(context.Background())

	type result struct {
		status int
		code   string
		after  time.Duration
		err    error
	}
	results := make(chan result, slow)
	var writers sync.WaitGroup
	stop := make(chan struct{})
	for i := range slow {
		conn, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		start := time.Now()
		fmt.Fprintf(conn, "POST /bucket HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000000\r\n\r\n", s.Addr())
		if i%2 == 0 {
			writers.Add(1)
			go func() {
				defer writers.Done()
				// At most 60 bytes over 18 s, until the server drops us.
				for range 60 {
					select {
					case <-stop:
						return
					case <-time.After(300 * time.Millisecond):
					}
					if _, err := conn.Write([]byte("-")); err != nil {
						return
					}
				}
			}()
		}
		go func() {
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				results <- result{err: err, after: time.Since(start)}
				return
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			var e struct{ Code string }
			xml.Unmarshal(body, &e)
			results <- result{status: resp.StatusCode, code: e.Code, after: time.Since(start)}
		}()
	}
	defer func() { close(stop); writers.Wait() }()

	// Meanwhile other clients are served: health checks and a signed
	// upload at 8 KB/s (above the minimum rate) lasting three deadlines.
	for i := range 10 {
		begin := time.Now()
		resp, err := http.Get("http://" + s.Addr() + "/hoard/health/live")
		if err != nil {
			t.Fatalf("health check %d during the attack: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || time.Since(begin) > time.Second {
			t.Fatalf("health check %d: got %d after %v, want 200 within 1s", i, resp.StatusCode, time.Since(begin))
		}
	}
	putSlowly(t, s, "/okbucket", "", 0)
	putSlowly(t, s, "/okbucket/steady", strings.Repeat("s", 24<<10), 8<<10)

	for range slow {
		r := <-results
		if r.err != nil {
			t.Fatalf("slow client: no answer, %v after %v", r.err, r.after)
		}
		if r.status != http.StatusBadRequest || r.code != "RequestTimeout" {
			t.Errorf("slow client: got %d %s, want 400 RequestTimeout", r.status, r.code)
		}
		// The trickle buys 0.5 ms per byte: the cut comes within the
		// timeout give or take one deadline step and scheduling.
		if r.after < timeout-bodyExtendEvery || r.after > timeout+3*time.Second {
			t.Errorf("slow client dropped after %v, want about %v", r.after, timeout)
		}
	}
}

// putSlowly sends a signed PUT of data to path at rate bytes per second
// (0: at once) and fails the test unless it succeeds.
func putSlowly(t *testing.T, s *Server, path, data string, rate int) {
	t.Helper()
	var body io.Reader = strings.NewReader(data)
	if rate > 0 {
		body = &pacedReader{r: body, rate: rate}
	}
	req, err := http.NewRequest(http.MethodPut, "http://"+s.Addr()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(data))
	if len(data) == 0 {
		req.Body = http.NoBody
	}
	if err := sigv4.SignRequest(req, s.Credentials(), s.cfg.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("PUT %s: %v", path, err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PUT %s: got %d %s, want 200", path, resp.StatusCode, msg)
	}
}

// pacedReader yields r at about rate bytes per second, in 1 KiB reads.
type pacedReader struct {
	r     io.Reader
	rate  int
	start time.Time
	n     int
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	if due := p.start.Add(time.Duration(p.n) * time.Second / time.Duration(p.rate)); time.Until(due) > 0 {
		time.Sleep(time.Until(due))
	}
	n, err := p.r.Read(b[:min(len(b), 1024)])
	p.n += n
	return n, err
}

// TestBodyDeadlineClearedAtEOF: a handler that works on after reading its
// whole body is not cut by the deadline of the body (which net/http's
// background read would turn into a cancelled request context).
func TestBodyDeadlineClearedAtEOF(t *testing.T) {
	t.Parallel()
	done := make(chan error, 1)
	h := bodyDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
			done <- r.Context().Err()
		case <-time.After(600 * time.Millisecond): // three deadlines
			done <- nil
		}
	}), 200*time.Millisecond, 0)
	srv := &http.Server{Handler: h}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	resp, err := http.Post("http://"+ln.Addr().String()+"/", "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := <-done; err != nil {
		t.Fatalf("request context after the body: got %v, want still live", err)
	}
}

// TestConnectionLimits: beyond the per-address limit connections are
// closed at once while other addresses are served; beyond the total they
// wait until a connection closes.
func TestConnectionLimits(t *testing.T) {
	t.Parallel()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitListen(raw, 3, 2, slog.New(slog.DiscardHandler))
	defer ln.Close()
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func(from string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
		c, err := d.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatalf("dial from %s: %v", from, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	accept := func(what string) net.Conn {
		select {
		case c := <-accepted:
			return c
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: not accepted", what)
			return nil
		}
	}
	a1 := accept2(t, dial("127.0.0.1"), accept)
	accept2(t, dial("127.0.0.1"), accept)
	// A third from the same address is closed by the server.
	over := dial("127.0.0.1")
	over.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := over.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("third connection from one address: got %d bytes, %v; want EOF", n, err)
	}
	// Another address still gets in: the third and last slot.
	accept2(t, dial("127.0.0.2"), accept)
	// The fourth connection waits for a slot.
	dial("127.0.0.3")
	select {
	case c := <-accepted:
		t.Fatalf("connection from %v accepted beyond the total limit", c.RemoteAddr())
	case <-time.After(300 * time.Millisecond):
	}
	a1.Close()
	if c := accept("queued connection after one closed"); !strings.HasPrefix(c.RemoteAddr().String(), "127.0.0.3:") {
		t.Fatalf("queued connection: got one from %v, want 127.0.0.3", c.RemoteAddr())
	}
	// Closing the listener ends the Accept waiting for a slot.
	ln.Close()
	select {
	case c, ok := <-accepted:
		if ok {
			t.Fatalf("connection from %v accepted after Close", c.RemoteAddr())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waiting after Close")
	}
}

// accept2 waits for the server side of the client connection c.
func accept2(t *testing.T, c net.Conn, accept func(string) net.Conn) net.Conn {
	t.Helper()
	s := accept("connection from " + c.LocalAddr().String())
	if s.RemoteAddr().String() != c.LocalAddr().String() {
		t.Fatalf("accepted %v, want %v", s.RemoteAddr(), c.LocalAddr())
	}
	t.Cleanup(func() { s.Close() })
	return s
}

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// Body deadlines. A request body must keep arriving: reading it starts
// with timeout of credit, every byte received adds 1/minRate seconds, and
// the credit never reaches more than timeout ahead of now. The connection's
// read deadline is set to where the credit runs out, so a client that
// stalls (or trickles below minRate) is cut by the network poller, without
// a goroutine or timer of ours. The deadline is moved at most every
// bodyExtendEvery: a read does not cost a deadline update, and the cut
// comes at most that much credit early.

// bodyExtendEvery is the least time between two read-deadline updates of
// one body.
const bodyExtendEvery = 250 * time.Millisecond

// errSlowBody marks a body dropped for arriving too slowly. It wraps
// context.DeadlineExceeded, which the S3 API answers as RequestTimeout.
var errSlowBody = fmt.Errorf("server: request body too slow: %w", context.DeadlineExceeded)

// bodyDeadline wraps h so that every request body is bound by the given
// timeout and minimum rate (see above); timeout 0 returns h unchanged.
func bodyDeadline(h http.Handler, timeout time.Duration, minRate int64) http.Handler {
	if timeout <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			// A shallow copy carries the wrapped body: net/http looks at
			// the type of its own request's body after the handler, to
			// decide whether to drain an unread body or close the
			// connection, and must still see its own.
			wrapped := *r
			wrapped.Body = &deadlineBody{
				body: r.Body, rc: http.NewResponseController(w),
				timeout: timeout, perByte: perByte(minRate), now: time.Now,
			}
			r = &wrapped
		}
		h.ServeHTTP(w, r)
	})
}

// perByte is the time one byte buys at rate bytes per second (0: none).
func perByte(rate int64) time.Duration {
	if rate <= 0 {
		return 0
	}
	return max(time.Second/time.Duration(rate), 1)
}

// deadlineSetter is what a body needs of http.ResponseController.
type deadlineSetter interface {
	SetReadDeadline(time.Time) error
}

// deadlineBody is a request body whose reads extend the connection's read
// deadline as bytes arrive.
type deadlineBody struct {
	body    io.ReadCloser
	rc      deadlineSetter
	timeout time.Duration
	perByte time.Duration // credit per byte; 0: each read renews timeout
	now     func() time.Time

	started bool
	off     bool      // the connection does not support deadlines, or EOF
	due     time.Time // where the credit runs out
	set     time.Time // the deadline last given to the connection
	setAt   time.Time // when it was given
}

// Read reads from the body and moves the deadline.
func (b *deadlineBody) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		now := b.now()
		b.due = now.Add(b.timeout)
		b.push(now)
	}
	n, err := b.body.Read(p)
	if b.off {
		return n, err
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			// A deadline left behind would fire during the rest of the
			// request and cancel it. net/http clears it itself when it
			// starts its background read of an HTTP/1 connection; this
			// covers the other cases (HTTP/2 streams).
			b.rc.SetReadDeadline(time.Time{})
			b.off = true
		} else if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("%w: %w", errSlowBody, err)
		}
		return n, err
	}
	if n > 0 {
		now := b.now()
		if b.perByte == 0 {
			b.due = now.Add(b.timeout)
		} else {
			b.due = b.due.Add(time.Duration(n) * b.perByte)
			if limit := now.Add(b.timeout); b.due.After(limit) {
				b.due = limit
			}
		}
		if now.Sub(b.setAt) >= bodyExtendEvery && b.due.After(b.set) {
			b.push(now)
		}
	}
	return n, err
}

// push gives the connection the current deadline.
func (b *deadlineBody) push(now time.Time) {
	if err := b.rc.SetReadDeadline(b.due); err != nil {
		// httptest recorders and some wrappers: no deadlines to keep.
		b.off = true
		return
	}
	b.set, b.setAt = b.due, now
}

// Close closes the body.
func (b *deadlineBody) Close() error { return b.body.Close() }

package server

import (
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// limitListener bounds the open connections of a listener: in all
// (max; more wait in the kernel's accept queue, which Accept stops
// draining until a connection closes) and from one client address
// (perIP; more are closed as soon as they are accepted, so one client
// cannot take every slot). A limit of 0 is no limit.
type limitListener struct {
	net.Listener
	slots chan struct{} // one token per open connection; nil: no total limit
	perIP int
	log   *slog.Logger
	done  chan struct{}
	close sync.Once

	mu       sync.Mutex
	open     map[netip.Addr]int
	loggedAt time.Time // last refusal logged
	refused  int       // refusals since then
}

// limitListen wraps ln with the limits (either may be 0).
func limitListen(ln net.Listener, max, perIP int, log *slog.Logger) net.Listener {
	if max <= 0 && perIP <= 0 {
		return ln
	}
	l := &limitListener{Listener: ln, perIP: perIP, log: log, done: make(chan struct{}), open: map[netip.Addr]int{}}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

// Accept waits for a free slot, then returns the next connection whose
// address is under its own limit.
func (l *limitListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			l.freeSlot()
			return nil, err
		}
		ip := remoteIP(c)
		if l.admit(ip) {
			return &limitConn{Conn: c, l: l, ip: ip}, nil
		}
		c.Close()
	}
}

// admit counts a connection from ip unless ip is at its limit.
func (l *limitListener) admit(ip netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP > 0 && l.open[ip] >= l.perIP {
		l.refused++
		if now := time.Now(); now.Sub(l.loggedAt) >= 10*time.Second {
			l.log.Warn("refused connections over the per-address limit (logged at most every 10s)",
				"address", ip.String(), "limit", l.perIP, "refused", l.refused)
			l.loggedAt, l.refused = now, 0
		}
		return false
	}
	l.open[ip]++
	return true
}

// release forgets a closed connection from ip.
func (l *limitListener) release(ip netip.Addr) {
	l.mu.Lock()
	if l.open[ip]--; l.open[ip] <= 0 {
		delete(l.open, ip)
	}
	l.mu.Unlock()
	l.freeSlot()
}

func (l *limitListener) freeSlot() {
	if l.slots != nil {
		<-l.slots
	}
}

// Close closes the listener and ends a pending Accept.
func (l *limitListener) Close() error {
	l.close.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// remoteIP is the client address of c (the zero Addr when it has none).
func remoteIP(c net.Conn) netip.Addr {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// limitConn gives its slot back when closed, once.
type limitConn struct {
	net.Conn
	l    *limitListener
	ip   netip.Addr
	once sync.Once
}

// Close closes the connection and frees its slot.
func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}

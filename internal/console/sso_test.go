package console

import (
	"fmt"
	"testing"
	"time"
)

// TestSSOPendingBounded: starting sign-ins in bulk from one address keeps
// only its newest few, and a full table drops its oldest: a sign-in
// started by someone else afterwards still completes.
func TestSSOPendingBounded(t *testing.T) {
	var p ssoPending
	now := time.Now()
	for i := range 3 * ssoMaxPerClient {
		p.put(fmt.Sprintf("flood-%d", i), "203.0.113.9", i, now.Add(time.Duration(i)*time.Millisecond))
	}
	if n := len(p.m); n != ssoMaxPerClient {
		t.Fatalf("one address's sign-ins: %d kept, want %d", n, ssoMaxPerClient)
	}
	if _, ok := p.take("flood-0", now); ok {
		t.Error("the flood's oldest sign-in is still kept")
	}
	for i := range ssoMaxPending + 10 {
		p.put(fmt.Sprintf("s-%d", i), fmt.Sprintf("198.51.100.%d:%d", i%250, i), i, now)
	}
	if n := len(p.m); n > ssoMaxPending {
		t.Fatalf("table: %d sign-ins, want at most %d", n, ssoMaxPending)
	}
	p.put("victim", "192.0.2.1", "mine", now)
	if got, ok := p.take("victim", now.Add(time.Minute)); !ok || got != "mine" {
		t.Errorf("a sign-in started after the flood: got %v, %v; want it kept", got, ok)
	}
	if _, ok := p.take("victim", now.Add(time.Minute)); ok {
		t.Error("a sign-in taken twice")
	}
	p.put("late", "192.0.2.2", "x", now)
	if _, ok := p.take("late", now.Add(ssoPendingTTL+time.Second)); ok {
		t.Error("an expired sign-in was accepted")
	}
}

package cluster

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestDriveStateObserve feeds ping answers to the drive-state watch: the
// handler runs when a peer is first seen, when its count moves and when
// it restarted, and not for an unchanged answer or without a handler.
func TestDriveStateObserve(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var s driveStates
	var calls atomic.Int64
	steps := []struct {
		name    string
		host    string
		info    PingInfo
		handler bool
		want    int64 // handler calls so far
	}{
		{"no handler yet", "a", PingInfo{Started: t0}, false, 0},
		{"unchanged", "a", PingInfo{Started: t0}, true, 0},
		{"count moved", "a", PingInfo{Started: t0, DriveState: 1}, true, 1},
		{"unchanged again", "a", PingInfo{Started: t0, DriveState: 1}, true, 1},
		{"another peer first seen", "b", PingInfo{Started: t0, DriveState: 7}, true, 2},
		{"restarted, count back to 0", "a", PingInfo{Started: t0.Add(time.Minute)}, true, 3},
		{"older node: never a count", "a", PingInfo{Started: t0.Add(time.Minute)}, true, 3},
	}
	for _, st := range steps {
		if st.handler && s.handler.Load() == nil {
			fn := func() { calls.Add(1) }
			s.handler.Store(&fn)
		}
		s.observe(st.host, st.info)
		if got := calls.Load(); got != st.want {
			t.Errorf("%s: handler calls got %d, want %d", st.name, got, st.want)
		}
	}
}

// TestPingInfoCompatible: an older node's ping answer (no drive_state)
// decodes with a zero count, a zero count is not sent (an older node's
// answer and ours look alike), and a new answer decodes in an older
// node's PingInfo (the field is ignored).
func TestPingInfoCompatible(t *testing.T) {
	t.Parallel()
	old := `{"host":"127.0.0.1:9000","topology":"abc","ready":true,"started":"2026-01-02T03:04:05Z"}`
	var got PingInfo
	if err := json.Unmarshal([]byte(old), &got); err != nil || got.DriveState != 0 || got.Host != "127.0.0.1:9000" || !got.Ready {
		t.Errorf("older node's answer: got %+v, %v; want it decoded with drive state 0", got, err)
	}
	b, err := json.Marshal(PingInfo{Host: "h", Topology: "t"})
	if err != nil || strings.Contains(string(b), "drive_state") {
		t.Errorf("zero count: got %s, %v; want no drive_state", b, err)
	}
	b, err = json.Marshal(PingInfo{Host: "h", Topology: "t", DriveState: 3})
	if err != nil || !strings.Contains(string(b), `"drive_state":3`) {
		t.Errorf("count 3: got %s, %v; want drive_state 3", b, err)
	}
	var older struct {
		Host     string    `json:"host"`
		Topology string    `json:"topology"`
		Ready    bool      `json:"ready"`
		Started  time.Time `json:"started"`
	}
	if err := json.Unmarshal(b, &older); err != nil || older.Host != "h" {
		t.Errorf("new answer read by an older node: got %+v, %v", older, err)
	}
}

// TestDriveStateAcrossNodes: a node's DriveStateChanged reaches its
// peers' handlers through their heartbeats; LocalDrive names only this
// node's drives.
func TestDriveStateAcrossNodes(t *testing.T) {
	t.Parallel()
	ms := startMembers(t, 3)
	var heard [3]atomic.Int64
	for i, m := range ms {
		m.c.OnPeerDriveState(func() { heard[i].Add(1) })
	}
	waitFor(t, func() bool {
		return ms[0].c.OnlineNodes() == 3 && ms[1].c.OnlineNodes() == 3 && ms[2].c.OnlineNodes() == 3
	})
	waitFor(t, func() bool { return heard[1].Load() > 0 && heard[2].Load() > 0 }) // first seen
	before1, before2, before0 := heard[1].Load(), heard[2].Load(), heard[0].Load()
	ms[0].c.DriveStateChanged()
	waitFor(t, func() bool { return heard[1].Load() > before1 && heard[2].Load() > before2 })
	time.Sleep(150 * time.Millisecond) // three heartbeats: node 1 hears nothing new of the others
	if got := heard[0].Load(); got != before0 {
		t.Errorf("node 1 heard %d changes after its own; want none", got-before0)
	}
	for i, m := range ms {
		for j, d := range m.c.Drives() {
			if got := m.c.LocalDrive(d.Endpoint()); got != (i == j) {
				t.Errorf("node %d LocalDrive(%s): got %v, want %v", i+1, d.Endpoint(), got, i == j)
			}
		}
		if m.c.LocalDrive("http://nowhere/x") {
			t.Errorf("node %d LocalDrive of an unknown endpoint: got true", i+1)
		}
	}
}

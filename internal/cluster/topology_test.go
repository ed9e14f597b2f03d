package cluster

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/config"
)

// fakeResolver knows node1..node4 as 10.0.0.1..4 and this machine as 10.0.0.2.
var fakeResolver = Resolver{
	LookupIP: func(host string) ([]net.IP, error) {
		if strings.HasPrefix(host, "node") && len(host) == 5 {
			return []net.IP{net.ParseIP("10.0.0." + host[4:])}, nil
		}
		return nil, errors.New("no such host")
	},
	LocalIPs: func() ([]net.IP, error) { return []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.2")}, nil },
}

func expand(t *testing.T, args ...string) []string {
	t.Helper()
	out, err := config.ExpandAll(args)
	if err != nil {
		t.Fatalf("ExpandAll: %v", err)
	}
	return out
}

func TestParseTopology(t *testing.T) {
	t.Parallel()
	args := expand(t, "http://node{1...4}:9000/mnt/disk{1...2}")
	cases := []struct {
		name    string
		address string
		local   int
	}{
		{"all interfaces", ":9000", 1},
		{"unspecified address", "0.0.0.0:9000", 1},
		{"own name", "node3:9000", 2},
		{"own address", "10.0.0.4:9000", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topo, err := ParseTopology(args, c.address, fakeResolver)
			if err != nil {
				t.Fatalf("ParseTopology: %v", err)
			}
			if topo.Local != c.local || !topo.Nodes[c.local].Local {
				t.Fatalf("local node: got %d, want %d", topo.Local, c.local)
			}
			if len(topo.Nodes) != 4 || len(topo.Drives) != 8 {
				t.Fatalf("got %d nodes, %d drives; want 4, 8", len(topo.Nodes), len(topo.Drives))
			}
			want := []string{"http://node1:9000/mnt/disk1", "http://node2:9000/mnt/disk1", "http://node3:9000/mnt/disk1", "http://node4:9000/mnt/disk1", "http://node1:9000/mnt/disk2"}
			for i, w := range want {
				if topo.Drives[i].URL != w {
					t.Fatalf("drive %d: got %s, want %s (interleaved across nodes)", i, topo.Drives[i].URL, w)
				}
			}
			if q, r := topo.WriteQuorum(), topo.ReadQuorum(); q != 3 || r != 2 {
				t.Fatalf("quorums: got write %d read %d, want 3 and 2", q, r)
			}
			if s := topo.MaxNodeShare(8); s != 2 {
				t.Fatalf("MaxNodeShare(8): got %d, want 2", s)
			}
		})
	}
}

func TestParseTopologySameIDEverywhere(t *testing.T) {
	t.Parallel()
	args := expand(t, "http://node{1...4}:9000/mnt/disk{1...2}")
	a, err1 := ParseTopology(args, "node1:9000", fakeResolver)
	b, err2 := ParseTopology(args, "node4:9000", fakeResolver)
	if err1 != nil || err2 != nil || a.ID != b.ID {
		t.Fatalf("IDs: got %q (%v) and %q (%v), want equal", a.ID, err1, b.ID, err2)
	}
	c, _ := ParseTopology(expand(t, "http://node{1...4}:9000/mnt/disk{1...3}"), "node1:9000", fakeResolver)
	if c.ID == a.ID {
		t.Fatalf("a different endpoint list got the same ID %s", a.ID)
	}
}

func TestParseTopologyErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		address string
		want    string
	}{
		{"mixed with folders", []string{"http://node1:9000/d", "/mnt/d"}, ":9000", "mixing"},
		{"bad scheme", []string{"ftp://node1:9000/d"}, ":9000", "scheme"},
		{"mixed schemes", []string{"http://node2:9000/d", "https://node1:9000/d"}, ":9000", "every endpoint"},
		{"relative path", []string{"http://node2:9000"}, ":9000", "absolute"},
		{"duplicate", []string{"http://node2:9000/d", "http://node2:9000/d/"}, ":9000", "twice"},
		{"no local node", []string{"http://node1:9000/d", "http://node3:9000/d"}, ":9000", "no endpoint belongs"},
		{"other port", []string{"http://node2:9100/d"}, ":9000", "no endpoint belongs"},
		{"ambiguous", []string{"http://127.0.0.1:9000/d", "http://10.0.0.2:9000/d"}, ":9000", "several nodes"},
		{"query", []string{"http://node2:9000/d?x=1"}, ":9000", "want scheme"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseTopology(c.args, c.address, fakeResolver)
			if !errors.Is(err, ErrTopology) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrTopology mentioning %q", err, c.want)
			}
		})
	}
}

func TestIsCluster(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"/mnt/d1", "/mnt/d2"}, false},
		{[]string{"http://n1:9000/d"}, true},
		{nil, false},
	} {
		if got := IsCluster(c.args); got != c.want {
			t.Fatalf("IsCluster(%q): got %v, want %v", c.args, got, c.want)
		}
	}
}

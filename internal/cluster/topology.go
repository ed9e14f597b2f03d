package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"path"
	"slices"
	"strings"
)

// DefaultPort is the port of an endpoint URL that names none.
const DefaultPort = "9000"

// Endpoint is one drive of the cluster: a folder on one node.
type Endpoint struct {
	// URL is the endpoint as given, normalised: scheme://host:port/path.
	URL string
	// Node is the index of the node holding the drive in Topology.Nodes.
	Node int
	// Path is the drive's folder on its node.
	Path string
}

// Node is one server of the cluster.
type Node struct {
	// Host is the node's host:port as the endpoints name it.
	Host string
	// Local says this process is the node.
	Local bool
	// Drives are the node's drive folders in argument order.
	Drives []string
}

// Topology is the cluster as every node's endpoint list describes it.
type Topology struct {
	// Scheme is http or https, the same for every node.
	Scheme string
	// Nodes are the servers in order of first appearance.
	Nodes []Node
	// Drives are every drive in erasure order: interleaved across nodes
	// (the first drive of every node, then the second of every node...),
	// so the consecutive drives that form an erasure set spread over
	// nodes and a set loses as few drives as possible with one node.
	Drives []Endpoint
	// Local is the index of this process's node in Nodes.
	Local int
	// ID is a digest of the endpoint list; nodes compare it to detect
	// peers started with a different list.
	ID string
}

// Resolver finds the addresses of host names and of this machine; the
// zero value uses the system resolver and network interfaces.
type Resolver struct {
	// LookupIP returns the addresses of host (default net.LookupIP).
	LookupIP func(host string) ([]net.IP, error)
	// LocalIPs returns the addresses of this machine's interfaces.
	LocalIPs func() ([]net.IP, error)
}

func (r Resolver) lookup(host string) []net.IP {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}
	}
	f := r.LookupIP
	if f == nil {
		f = net.LookupIP
	}
	ips, _ := f(host)
	return ips
}

func (r Resolver) local() []net.IP {
	if r.LocalIPs != nil {
		ips, _ := r.LocalIPs()
		return ips
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			out = append(out, n.IP)
		}
	}
	return out
}

// IsCluster reports whether drive arguments are endpoint URLs (cluster
// mode) rather than local folders.
func IsCluster(args []string) bool {
	for _, a := range args {
		if strings.Contains(a, "://") {
			return true
		}
	}
	return false
}

// ParseTopology parses expanded endpoint URLs and recognises this node by
// address (the --address host:port): a node is local if its port equals
// address's port and its host resolves to address's host or, when
// address's host is empty or unspecified, to an address of this machine.
// Exactly one node must be local.
func ParseTopology(args []string, address string, res Resolver) (*Topology, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%w: no endpoints", ErrTopology)
	}
	_, defPort, err := net.SplitHostPort(address)
	if err != nil || defPort == "" || defPort == "0" {
		defPort = DefaultPort
	}
	t := &Topology{Local: -1}
	index := map[string]int{}
	seen := map[string]bool{}
	for _, a := range args {
		host, p, scheme, err := parseEndpoint(a, defPort)
		if err != nil {
			return nil, err
		}
		if t.Scheme == "" {
			t.Scheme = scheme
		} else if scheme != t.Scheme {
			return nil, fmt.Errorf("%w: %q: every endpoint must use %s", ErrTopology, a, t.Scheme)
		}
		n, ok := index[host]
		if !ok {
			n = len(t.Nodes)
			index[host] = n
			t.Nodes = append(t.Nodes, Node{Host: host})
		}
		u := scheme + "://" + host + p
		if seen[u] {
			return nil, fmt.Errorf("%w: %s listed twice", ErrTopology, u)
		}
		seen[u] = true
		t.Nodes[n].Drives = append(t.Nodes[n].Drives, p)
	}
	if err := t.findLocal(address, res); err != nil {
		return nil, err
	}
	t.interleave()
	sum := sha256.New()
	for _, d := range t.Drives {
		sum.Write([]byte(d.URL + "\n"))
	}
	t.ID = hex.EncodeToString(sum.Sum(nil)[:16])
	return t, nil
}

// parseEndpoint checks one URL and returns its host:port, cleaned path and scheme.
func parseEndpoint(a, defPort string) (host, p, scheme string, err error) {
	u, err := url.Parse(a)
	if err != nil || !strings.Contains(a, "://") {
		return "", "", "", fmt.Errorf("%w: %q is not an endpoint URL (mixing URLs and plain folders is not allowed)", ErrTopology, a)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", "", "", fmt.Errorf("%w: %q: scheme must be http or https", ErrTopology, a)
	}
	if u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", "", fmt.Errorf("%w: %q: want scheme://host[:port]/path", ErrTopology, a)
	}
	port := u.Port()
	if port == "" {
		port = defPort
	}
	if u.Path == "" || u.Path[0] != '/' || path.Clean(u.Path) == "/" {
		return "", "", "", fmt.Errorf("%w: %q: the drive path must be an absolute folder", ErrTopology, a)
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port), path.Clean(u.Path), u.Scheme, nil
}

func (t *Topology) findLocal(address string, res Resolver) error {
	ahost, aport, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: address %q: %v", ErrTopology, address, err)
	}
	var want []net.IP
	if ip := net.ParseIP(ahost); ahost == "" || (ip != nil && ip.IsUnspecified()) {
		want = res.local()
	} else {
		want = res.lookup(ahost)
	}
	var matches []string
	for i := range t.Nodes {
		h, p, _ := net.SplitHostPort(t.Nodes[i].Host)
		if p != aport {
			continue
		}
		local := strings.EqualFold(h, ahost)
		for _, ip := range res.lookup(h) {
			if slices.ContainsFunc(want, ip.Equal) {
				local = true
			}
		}
		if local {
			t.Nodes[i].Local = true
			t.Local = i
			matches = append(matches, t.Nodes[i].Host)
		}
	}
	switch {
	case len(matches) == 0:
		return fmt.Errorf("%w: no endpoint belongs to this node (address %s); set --address to this node's host:port as the endpoints name it", ErrTopology, address)
	case len(matches) > 1:
		return fmt.Errorf("%w: endpoints of several nodes (%s) match this node's address %s; set --address to this node's own host:port", ErrTopology, strings.Join(matches, ", "), address)
	}
	return nil
}

// interleave fills Drives in erasure order.
func (t *Topology) interleave() {
	for i := 0; ; i++ {
		added := false
		for n, node := range t.Nodes {
			if i < len(node.Drives) {
				p := node.Drives[i]
				t.Drives = append(t.Drives, Endpoint{URL: t.Scheme + "://" + node.Host + p, Node: n, Path: p})
				added = true
			}
		}
		if !added {
			return
		}
	}
}

// LocalNode returns this process's node.
func (t *Topology) LocalNode() Node { return t.Nodes[t.Local] }

// WriteQuorum is the number of nodes whose lock tables must grant a write
// lock: a strict majority, so two writers can never both hold one.
func (t *Topology) WriteQuorum() int { return len(t.Nodes)/2 + 1 }

// ReadQuorum is the number of nodes that must grant a read lock: enough
// that every read quorum meets every write quorum.
func (t *Topology) ReadQuorum() int { return len(t.Nodes) - t.WriteQuorum() + 1 }

// MaxNodeShare returns the largest number of drives one node holds in any
// erasure set when consecutive runs of setSize drives form the sets: the
// drives a set loses with that node.
func (t *Topology) MaxNodeShare(setSize int) int {
	worst := 0
	for start := 0; setSize > 0 && start < len(t.Drives); start += setSize {
		count := map[int]int{}
		for _, d := range t.Drives[start:min(start+setSize, len(t.Drives))] {
			count[d.Node]++
			worst = max(worst, count[d.Node])
		}
	}
	return worst
}

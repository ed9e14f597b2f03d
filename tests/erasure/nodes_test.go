package erasure

import (
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestFourNodesOneHost starts a four-node cluster of the real binary on
// 127.0.0.1-127.0.0.4 with the default console settings: each node's
// console listens on its own address, port 9001 (before, every console
// bound :9001 on all interfaces and the second node failed to start),
// and on no other address.
func TestFourNodesOneHost(t *testing.T) {
	const nodes = 4
	for i := range nodes {
		addr := fmt.Sprintf("127.0.0.%d:9001", i+1)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("the default console port is taken on this host (%s: %v)", addr, err)
		}
		l.Close()
	}
	bin := testserver.BuildHoard(t)
	root := t.TempDir()
	addrs := make([]string, nodes)
	var endpoints []string
	for i := range addrs {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", i+1))
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = l.Addr().String()
		l.Close()
		for d := range 2 {
			endpoints = append(endpoints, fmt.Sprintf("http://%s%s", addrs[i], filepath.Join(root, fmt.Sprintf("node%d", i+1), fmt.Sprintf("drive%d", d+1))))
		}
	}
	opts := make([]testserver.ProcessOptions, nodes)
	for i := range opts {
		opts[i] = testserver.ProcessOptions{Binary: bin, Address: addrs[i], Drives: endpoints, DefaultConsole: true}
	}
	procs := testserver.StartProcesses(t, opts)
	client := &http.Client{Transport: testserver.NewTransport(), Timeout: 5 * time.Second}
	defer client.Transport.(*http.Transport).CloseIdleConnections()
	for i, p := range procs {
		url := fmt.Sprintf("http://127.0.0.%d:9001/", i+1)
		resp, err := client.Get(url)
		if err != nil {
			t.Errorf("node %d console %s: %v\n%s", i+1, url, err, p.Logs())
			continue
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("node %d console %s: status %d, want 200", i+1, url, resp.StatusCode)
		}
	}
	// No console listens beyond the nodes' addresses.
	if c, err := net.DialTimeout("tcp", "127.0.0.5:9001", time.Second); err == nil {
		c.Close()
		t.Errorf("a console answers on 127.0.0.5:9001: some node listens on every interface")
	}
}

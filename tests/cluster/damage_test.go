package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/server"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// damageMode is how one file (or record) is damaged: its bytes flipped,
// cut in half, or removed.
type damageMode int

const (
	modeFlip damageMode = iota
	modeTruncate
	modeDelete
)

func (m damageMode) String() string { return [...]string{"flip", "truncate", "delete"}[m] }

// damageBytes returns b damaged by m (nil for modeDelete).
func damageBytes(b []byte, m damageMode) []byte {
	switch m {
	case modeFlip:
		out := slices.Clone(b)
		for i := max(len(out)/2-8, 0); i < len(out)/2+8 && i < len(out); i++ {
			out[i] ^= 0xa5
		}
		return out
	case modeTruncate:
		return slices.Clone(b[:len(b)/2])
	}
	return nil
}

// damageFile damages the file at path by m.
func damageFile(t *testing.T, path string, m damageMode) {
	t.Helper()
	if m == modeDelete {
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, damageBytes(b, m), 0o600); err != nil {
		t.Fatal(err)
	}
}

// filesUnder lists the regular files under dir, sorted.
func filesUnder(t *testing.T, dir string, match func(name string) bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.Type().IsRegular() && match(e.Name()) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// damageTables damages the metadata tables of the (stopped) drive in dir:
// every table flipped, truncated or deleted, as m says, and every blob
// file too.
func damageTables(t *testing.T, dir string, m damageMode) {
	t.Helper()
	meta := filepath.Join(dir, ".hoard.sys", "meta")
	files := filesUnder(t, meta, func(n string) bool { return strings.HasSuffix(n, ".sst") || strings.HasSuffix(n, ".blob") })
	if len(files) == 0 {
		t.Fatalf("%s: no metadata table to damage", meta)
	}
	for _, f := range files {
		damageFile(t, f, m)
	}
}

// damageShards damages every shard file of the drive in dir, the modes
// taking turns from file to file (starting at m).
func damageShards(t *testing.T, dir string, m damageMode) {
	t.Helper()
	files := filesUnder(t, filepath.Join(dir, ".hoard.sys", "data"), func(string) bool { return true })
	if len(files) == 0 {
		t.Fatalf("%s: no shard file to damage", dir)
	}
	for i, f := range files {
		damageFile(t, f, (m+damageMode(i))%3)
	}
}

// damageInline damages every inline shard record of the (stopped) drive
// in dir through the drive's own interface, the modes taking turns from
// record to record (starting at m). The store itself stays sound: only
// the values are wrong, as if the disk had decayed under the checksums.
func damageInline(t *testing.T, dir string, m damageMode) {
	t.Helper()
	ctx := context.Background()
	d, err := drive.OpenLocal(dir, drive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var muts []drive.Mutation
	start := ""
	for range 1000 {
		res, err := d.Walk(ctx, drive.WalkOptions{NS: drive.NSInline, Start: start, Limit: 500})
		if err != nil {
			t.Fatalf("walk inline records of %s: %v", dir, err)
		}
		for _, e := range res.Entries {
			mode := (m + damageMode(len(muts))) % 3
			muts = append(muts, drive.Mutation{NS: drive.NSInline, Key: e.Name, Value: damageBytes(e.Value, mode), Delete: mode == modeDelete})
		}
		if !res.Truncated {
			break
		}
		start = res.Entries[len(res.Entries)-1].Name + "\x00"
	}
	if len(muts) == 0 {
		t.Fatalf("%s: no inline record to damage", dir)
	}
	if err := d.Apply(ctx, drive.Batch{Mutations: muts}); err != nil {
		t.Fatalf("damage inline records of %s: %v", dir, err)
	}
}

// info returns the admin info of node n.
func (e *damageEnv) info(t *testing.T, n int) admin.Info {
	t.Helper()
	var info admin.Info
	e.adminCall(t, n, http.MethodGet, "info", http.StatusOK, &info)
	return info
}

// adminCall sends a root-signed admin request to node n and decodes its
// answer into out, failing the test unless it answers want.
func (e *damageEnv) adminCall(t *testing.T, n int, method, path string, want int, out any) {
	t.Helper()
	if got, err := e.tryAdmin(t, n, method, path, out); err != nil || got != want {
		t.Fatalf("node %d: admin %s %s: got status %d, %v; want %d", n+1, method, path, got, err, want)
	}
}

// tryAdmin sends a root-signed admin request to node n and, if it
// answers 200 or 202, decodes its answer into out. It returns the status.
func (e *damageEnv) tryAdmin(t *testing.T, n int, method, path string, out any) (int, error) {
	t.Helper()
	ep := e.nodes[n].Endpoint
	r, err := http.NewRequest(method, ep.URL+admin.Prefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.SignRequest(r, sigv4.Credentials{AccessKey: ep.AccessKey, SecretKey: ep.SecretKey}, ep.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := e.http.Do(r)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
}

// driveOf returns the drive of info whose endpoint ends with dir.
func driveOf(t *testing.T, info admin.Info, dir string) (d struct{ State, Reason string }) {
	t.Helper()
	for _, di := range info.Drives {
		if strings.HasSuffix(di.Endpoint, dir) {
			return struct{ State, Reason string }{di.State, di.Reason}
		}
	}
	t.Fatalf("admin info lists no drive %s: %+v", dir, info.Drives)
	return
}

// damageEnv is the cluster of TestClusterDamage and what it holds.
type damageEnv struct {
	nodes   []*testserver.Server
	clients []*s3.Client
	http    *http.Client // for the admin API, shared: polling opens no new connections
	objs    map[string][2]int
}

// readEverything lists and reads every object through every running node
// and checks its bytes.
func (e *damageEnv) readEverything(t *testing.T, what string) {
	t.Helper()
	var clients []*s3.Client
	for i, n := range e.nodes {
		if n.Running() {
			clients = append(clients, e.clients[i])
		}
	}
	ctx := ctx(t)
	for ci, c := range clients {
		keys, err := listKeys(ctx, c, "damage", "")
		if err != nil {
			t.Fatalf("%s: LIST through node %d: %v", what, ci+1, err)
		}
		if len(keys) != len(e.objs) {
			t.Fatalf("%s: LIST through node %d: %d keys, want %d", what, ci+1, len(keys), len(e.objs))
		}
	}
	for key, v := range e.objs {
		for ci, c := range clients {
			got, err := get(ctx, c, "damage", key)
			if err != nil {
				t.Fatalf("%s: GET %s through node %d: %v", what, key, ci+1, err)
			}
			if !bytes.Equal(got, body(uint64(v[0]), v[1])) {
				t.Fatalf("%s: GET %s through node %d: %d bytes differing from the %d written", what, key, ci+1, len(got), v[1])
			}
		}
	}
}

// waitAllOnline waits until every running node's admin info shows every
// drive online and no heal running.
func (e *damageEnv) waitAllOnline(t *testing.T, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		var bad []string
		for i, n := range e.nodes {
			if !n.Running() {
				continue
			}
			for _, d := range e.info(t, i).Drives {
				if d.State != "online" {
					bad = append(bad, fmt.Sprintf("node %d sees %s %s (%s)", i+1, d.Endpoint, d.State, d.Reason))
				}
			}
			var st admin.HealStatus
			e.adminCall(t, i, http.MethodGet, "heal", http.StatusOK, &st)
			if st.Running {
				bad = append(bad, fmt.Sprintf("node %d heals (%+v)", i+1, st.Drives))
			}
		}
		if len(bad) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", limit, strings.Join(bad, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitReady waits until every running node is ready.
func (e *damageEnv) waitReady(t *testing.T) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	for i, n := range e.nodes {
		if n.Running() {
			if err := n.WaitReady(c, nil); err != nil {
				t.Fatalf("node %d: %v", i+1, err)
			}
		}
	}
}

// TestClusterDamage damages, on a 4-node cluster (one drive per node: one
// set of 2 data and 2 parity drives on four nodes) whose metadata stores
// have flushed tables and blob files, the metadata tables, the shard files
// or the inline records of 1 and of 2 drives (each on its own node,
// restarted over the damage), by flipping, truncating or deleting them.
// Every node stays up and serves every object byte-exact; a drive with a
// damaged store shows it in its node's admin info and is moved aside and
// rebuilt by its node; healing (the admin heal API) restores full
// redundancy, proven by then stopping the two nodes whose drives were not
// damaged (or two of the three) and reading everything through the rest.
func TestClusterDamage(t *testing.T) {
	nodes := testserver.StartCluster(t, testserver.ClusterOptions{
		Options: testserver.Options{Drives: 1, Server: server.Options{DriveOptions: drive.Options{MemTableSize: 64 << 10}}},
		Nodes:   4,
	})
	e := &damageEnv{nodes: nodes, http: nodes[0].HTTPClient(t), objs: map[string][2]int{}}
	for _, n := range nodes {
		e.clients = append(e.clients, n.S3Client(t))
	}
	mkBucket(t, e.clients[0], "damage")
	ctx := ctx(t)
	// Empty, small, inline (kept in blob files from 1 KiB per shard) and
	// shard-file objects; the 40 KiB ones put some 320 KiB of inline
	// shards into each drive's 64 KiB memtable: the stores flush and
	// compact.
	sizes := []int{0, 100, 3000, 40 << 10, 40<<10 + 1, 300 << 10, 1<<20 + 7}
	for i := range 56 {
		key := fmt.Sprintf("obj/%03d", i)
		e.objs[key] = [2]int{i + 1, sizes[i%len(sizes)]}
		if err := put(ctx, e.clients[i%4], "damage", key, body(uint64(i+1), sizes[i%len(sizes)])); err != nil {
			t.Fatalf("PUT %s: %v", key, err)
		}
	}
	for i, n := range nodes {
		meta := filepath.Join(n.DriveDirs[0], ".hoard.sys", "meta")
		tables := filesUnder(t, meta, func(s string) bool { return strings.HasSuffix(s, ".sst") })
		blobs := filesUnder(t, meta, func(s string) bool { return strings.HasSuffix(s, ".blob") })
		if len(tables) < 2 || len(blobs) < 1 {
			t.Fatalf("node %d: %d tables and %d blob files after the writes; the test needs flushed ones", i+1, len(tables), len(blobs))
		}
	}
	cases := []struct {
		name    string
		damage  func(t *testing.T, dir string, m damageMode)
		damaged []int // node indexes
		store   bool  // the metadata store is damaged: the drive is faulty
	}{
		{"tables-1", damageTables, []int{1}, true},
		{"tables-2", damageTables, []int{1, 2}, true},
		{"shards-1", damageShards, []int{2}, false},
		{"shards-2", damageShards, []int{0, 3}, false},
		{"inline-1", damageInline, []int{3}, false},
		{"inline-2", damageInline, []int{0, 2}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kept := e.keptStores(t)
			for i, n := range tc.damaged {
				nodes[n].Stop(t)
				tc.damage(t, nodes[n].DriveDirs[0], damageMode(i))
			}
			for _, n := range tc.damaged {
				nodes[n].Restart(t)
			}
			if tc.store {
				e.checkShownFaulty(t, tc.damaged, kept)
			}
			e.waitReady(t)
			e.readEverything(t, "after the damage")
			e.adminCall(t, 0, http.MethodPost, "heal", http.StatusAccepted, &admin.HealStatus{})
			e.waitAllOnline(t, 60*time.Second)
			// Only the drives damaged (all of them with 2, with one
			// other with 1) now hold the objects: stop the other nodes.
			var stopped []int
			for i := range nodes {
				if len(stopped) < 2 && !slices.Contains(tc.damaged, i) {
					nodes[i].Stop(t)
					stopped = append(stopped, i)
				}
			}
			e.readEverything(t, fmt.Sprintf("healed, with nodes %v stopped", stopped))
			for _, i := range stopped {
				nodes[i].Restart(t)
			}
			e.waitReady(t)
			e.waitAllOnline(t, 60*time.Second)
		})
	}
}

// keptStores counts, per node, the damaged metadata stores kept aside on
// its drive.
func (e *damageEnv) keptStores(t *testing.T) []int {
	t.Helper()
	out := make([]int, len(e.nodes))
	for i, n := range e.nodes {
		kept, err := filepath.Glob(filepath.Join(n.DriveDirs[0], ".hoard.sys", "meta.damaged-*"))
		if err != nil {
			t.Fatal(err)
		}
		out[i] = len(kept)
	}
	return out
}

// checkShownFaulty checks that each damaged drive's node shows it out of
// service for its damaged metadata store (corrupt with the reason, or
// already being rebuilt because its store was repaired: the node's
// drive check runs as soon as it serves), and that one more damaged
// store than before (kept) was kept aside.
func (e *damageEnv) checkShownFaulty(t *testing.T, damaged []int, kept []int) {
	t.Helper()
	// The nodes are polled together: each repairs its drive as soon as it
	// serves, and rebuilds it in a fraction of a second.
	pending := slices.Clone(damaged)
	deadline := time.Now().Add(30 * time.Second)
	for len(pending) > 0 {
		for k := 0; k < len(pending); k++ {
			n := pending[k]
			var info admin.Info
			if st, err := e.tryAdmin(t, n, http.MethodGet, "info", &info); err != nil || st != http.StatusOK {
				continue // not ready yet: the node waits for its cluster
			}
			d := driveOf(t, info, e.nodes[n].DriveDirs[0])
			if (d.State == "corrupt" && strings.Contains(d.Reason, "metadata store")) ||
				(d.State == "healing" && strings.Contains(d.Reason, "metadata repaired")) {
				t.Logf("node %d shows its drive %s: %s", n+1, d.State, d.Reason)
				pending = slices.Delete(pending, k, k+1)
				k--
				continue
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d's drive: state %s (%s); want it shown faulty for its metadata store", n+1, d.State, d.Reason)
			}
		}
		if time.Now().After(deadline) && len(pending) > 0 {
			t.Fatalf("nodes %v never answered admin info", pending)
		}
		time.Sleep(5 * time.Millisecond)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		now := e.keptStores(t)
		missing := 0
		for _, n := range damaged {
			if now[n] != kept[n]+1 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("damaged stores kept aside per node: %v, before the damage %v; want one more on each of nodes %v", now, kept, damaged)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

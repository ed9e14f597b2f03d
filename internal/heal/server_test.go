package heal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/server"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// startServer runs a real server on 127.0.0.1:0 over four fresh drive
// folders, with the scanner off so only the heals under test run.
func startServer(t *testing.T) (*server.Server, testserver.Endpoint, []string) {
	t.Helper()
	root := t.TempDir()
	cfg := config.Defaults()
	cfg.Address, cfg.ConsoleAddress = "127.0.0.1:0", ""
	cfg.RootUser, cfg.RootPassword = testserver.DefaultAccessKey, testserver.DefaultSecretKey
	cfg.ScannerRate = 0
	for i := range 4 {
		cfg.Drives = append(cfg.Drives, filepath.Join(root, fmt.Sprintf("drive%d", i+1)))
	}
	srv, err := server.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	ep := testserver.Endpoint{URL: "http://" + srv.Addr(), Region: cfg.Region, AccessKey: cfg.RootUser, SecretKey: cfg.RootPassword}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := ep.WaitReady(ctx, nil); err != nil {
		t.Fatal(err)
	}
	return srv, ep, cfg.Drives
}

// adminCall makes one admin API request, signed with key/secret, and
// decodes the answer into out (when not nil).
func adminCall(t *testing.T, ep testserver.Endpoint, method, path, secret string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, ep.URL+admin.Prefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		cred := sigv4.Credentials{AccessKey: ep.AccessKey, SecretKey: secret}
		if err := sigv4.SignRequest(req, cred, ep.Region, sigv4.EmptySHA256, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("admin %s: %v in %s", path, err, body)
		}
	}
	return resp.StatusCode
}

// verifyServer reads every object back through S3 and checks every
// drive's shards of it (a deep dry-run heal reads and hashes them all).
func verifyServer(t *testing.T, srv *server.Server, mc *minio.Client, bodies map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	l := srv.Layer().(*erasure.Layer)
	for k, want := range bodies {
		res, err := l.HealObjectWith(ctx, "bkt", k, repair.Options{Deep: true, DryRun: true})
		if err != nil || res.Damaged() {
			t.Errorf("%s: drives %+v, %v; want every copy intact", k, res.Drives, err)
		}
		o, err := mc.GetObject(ctx, "bkt", k, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(o)
		o.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GET %s: got %d bytes, %v; want %d", k, len(got), err, len(want))
		}
	}
}

// TestServerReplaceDriveAndAdminHeal wipes a drive folder of a running
// server: the drive is formatted again and rebuilt automatically, with
// progress shown by the admin API; then shards damaged on another drive
// are repaired by a heal started through the signed admin API.
func TestServerReplaceDriveAndAdminHeal(t *testing.T) {
	t.Parallel()
	srv, ep, drives := startServer(t)
	ctx := context.Background()
	mc := ep.MinioClient(t)
	if err := mc.MakeBucket(ctx, "bkt", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	for i := range 24 {
		k := fmt.Sprintf("dir/obj-%02d", i)
		bodies[k] = make([]byte, []int{500, 100 << 10, 3<<20 + 5}[i%3])
		r := rand.New(rand.NewPCG(uint64(i), 1))
		for j := range bodies[k] {
			bodies[k][j] = byte(r.Uint32())
		}
		if _, err := mc.PutObject(ctx, "bkt", k, bytes.NewReader(bodies[k]), int64(len(bodies[k])), minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if code := adminCall(t, ep, "GET", "heal", "", nil); code != http.StatusForbidden {
		t.Errorf("unsigned admin call: got %d, want 403", code)
	}
	if code := adminCall(t, ep, "GET", "heal", "wrong-secret-key", nil); code != http.StatusForbidden {
		t.Errorf("admin call with a wrong key: got %d, want 403", code)
	}

	// Replace a drive: wipe its folder while the server runs.
	if err := os.RemoveAll(drives[2]); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(drives[2], 0o755); err != nil {
		t.Fatal(err)
	}
	var percents []float64
	deadline := time.Now().Add(25 * time.Second)
	sawRebuild := false
	for {
		var st admin.HealStatus
		if code := adminCall(t, ep, "GET", "heal", ep.SecretKey, &st); code != http.StatusOK {
			t.Fatalf("heal status: got %d", code)
		}
		for _, d := range st.Drives {
			sawRebuild = true
			if d.Endpoint != drives[2] {
				t.Errorf("drive rebuilt: got %s, want %s", d.Endpoint, drives[2])
			}
			percents = append(percents, d.Percent)
		}
		var info admin.Info
		adminCall(t, ep, "GET", "info", ep.SecretKey, &info)
		if sawRebuild && !st.Running && info.Drives[2].State == "online" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drive not rebuilt in time: status %+v, drive state %q", st, info.Drives[2].State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i := 1; i < len(percents); i++ {
		if percents[i] < percents[i-1] || percents[i] > 100 {
			t.Errorf("progress: %v, want rising to at most 100", percents)
			break
		}
	}
	verifyServer(t, srv, mc, bodies)

	// Bitrot on another drive, repaired by a heal started through the admin API.
	files, _ := filepath.Glob(filepath.Join(drives[0], ".hoard.sys", "data", "*", "*", "part.1"))
	if len(files) == 0 {
		t.Fatal("no shard files on drive 1")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		b[len(b)/2] ^= 0xff
		os.WriteFile(f, b, 0o644)
	}
	var st admin.HealStatus
	if code := adminCall(t, ep, "POST", "heal?bucket=bkt&prefix=dir/", ep.SecretKey, &st); code != http.StatusAccepted || !st.Running {
		t.Fatalf("start heal: got %d %+v, want 202 and running", code, st)
	}
	if code := adminCall(t, ep, "POST", "heal?bucket=missing", ep.SecretKey, nil); code != http.StatusNotFound {
		t.Errorf("heal of a missing bucket: got %d, want 404", code)
	}
	deadline = time.Now().Add(20 * time.Second)
	for st.Running {
		if time.Now().After(deadline) {
			t.Fatalf("heal still running: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
		adminCall(t, ep, "GET", "heal", ep.SecretKey, &st)
	}
	if st.Scanned != 24 || st.Healed != uint64(len(files)) || st.Failed != 0 || st.Bucket != "bkt" || st.Prefix != "dir/" {
		t.Errorf("heal: got %+v, want 24 scanned, %d healed, none failed", st, len(files))
	}
	verifyServer(t, srv, mc, bodies)
}

// TestServerHealsWhatReadsFind: the server hands the engine and the Healer
// one queue, so a GET that meets bitrot answers byte-exact and the object
// is repaired in the background, with the scanner off and no command.
func TestServerHealsWhatReadsFind(t *testing.T) {
	t.Parallel()
	srv, ep, drives := startServer(t)
	ctx := context.Background()
	mc := ep.MinioClient(t)
	if err := mc.MakeBucket(ctx, "bkt", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 2<<20+7)
	r := rand.New(rand.NewPCG(5, 6))
	for i := range body {
		body[i] = byte(r.Uint32())
	}
	if _, err := mc.PutObject(ctx, "bkt", "k", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	// Drive positions 0 and 2 hold shards r+1 and r+3 (mod 4) of a 2+2
	// object, so exactly one of them is a data shard, which a read uses.
	for _, pos := range []int{0, 2} {
		files, _ := filepath.Glob(filepath.Join(drives[pos], ".hoard.sys", "data", "*", "*", "part.1"))
		if len(files) != 1 {
			t.Fatalf("drive %d: got shard files %v, want one", pos+1, files)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0xff
		if err := os.WriteFile(files[0], b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l := srv.Layer().(*erasure.Layer)
	if res, err := l.HealObjectWith(ctx, "bkt", "k", repair.Options{Deep: true, DryRun: true}); err != nil || !res.Damaged() {
		t.Fatalf("before the read: drives %+v, %v; want two damaged", res.Drives, err)
	}
	o, err := mc.GetObject(ctx, "bkt", "k", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(o)
	o.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("GET: got %d bytes, %v; want the %d bytes written", len(got), err, len(body))
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		res, err := l.HealObjectWith(ctx, "bkt", "k", repair.Options{Deep: true, DryRun: true})
		if err == nil && !res.Damaged() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not healed after the read: drives %+v, %v", res.Drives, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package erasure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/server"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
	"github.com/hoardstore/hoard/internal/testserver"
)

// payload is a storage.Payload over a byte slice for filling drives
// through the engine directly.
type payload struct {
	*bytes.Reader
	size int64
}

func (p payload) Size() int64                { return p.size }
func (p payload) ETag() string               { return "" }
func (p payload) Checksum() storage.Checksum { return storage.Checksum{} }

// prepareDrives formats n drive folders and stores objects of the given
// sizes in bucket "data" through the engine, then closes it.
func prepareDrives(t *testing.T, n int, sizes []int) []string {
	t.Helper()
	root := t.TempDir()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(root, fmt.Sprintf("drive%d", i+1))
	}
	ctx := context.Background()
	l, err := erasure.Open(ctx, erasure.Config{Drives: dirs})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.MakeBucket(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	for i, size := range sizes {
		b := body(i, size)
		if _, err := l.PutObject(ctx, "data", fmt.Sprintf("o%d", i), payload{bytes.NewReader(b), int64(size)}, storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

func adminInfo(t *testing.T, e testserver.Endpoint) admin.Info {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, e.URL+admin.Prefix+"info", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.SignRequest(r, sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}, e.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := e.HTTPClient(t).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin info: got status %d, want 200", resp.StatusCode)
	}
	var info admin.Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	return info
}

// TestAdminInfoDriveStates: a server started on four drives of which one
// has a corrupt format record and one was replaced by an empty folder
// reports them "corrupt" and "healing", counts capacity only on drives
// that answer, scales usable capacity by the parity, and still serves
// every object.
func TestAdminInfoDriveStates(t *testing.T) {
	sizes := []int{1000, 300 << 10, 2 << 20}
	dirs := prepareDrives(t, 4, sizes)
	if err := os.WriteFile(filepath.Join(dirs[1], ".hoard.sys", "format.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dirs[2]); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dirs[2], 0o755); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, testserver.Options{Drives: 4, Configure: func(c *config.Server) { c.Drives = dirs }})
	info := adminInfo(t, srv.Endpoint)
	want := []string{"online", "corrupt", "healing", "online"}
	var answering uint64
	for i, d := range info.Drives {
		if i == 2 && d.State == "online" {
			// The healer may rebuild three small objects before the
			// admin call is answered: "healing" is then already over.
			d.State = "healing"
		}
		if d.Endpoint != dirs[i] || d.State != want[i] {
			t.Errorf("drive %d: got %s %s, want %s %s", i+1, d.Endpoint, d.State, dirs[i], want[i])
		}
		if d.State != "corrupt" {
			answering += d.TotalBytes
			if d.TotalBytes == 0 {
				t.Errorf("drive %d: got no capacity, want the filesystem's", i+1)
			}
		}
	}
	if info.Mode != "erasure" || info.DataShards != 2 || info.ParityShards != 2 {
		t.Errorf("layout: got %s %d+%d, want erasure 2+2", info.Mode, info.DataShards, info.ParityShards)
	}
	if info.RawBytes != answering || info.UsableBytes != answering/2 {
		t.Errorf("capacity: got raw %d usable %d, want raw %d (answering drives) usable %d", info.RawBytes, info.UsableBytes, answering, answering/2)
	}
	var total uint64
	for _, s := range sizes {
		total += uint64(s)
	}
	if info.Objects != uint64(len(sizes)) || info.UsedBytes != total {
		t.Errorf("usage: got %d objects %d bytes, want %d and %d", info.Objects, info.UsedBytes, len(sizes), total)
	}
	c := srv.S3Client(t)
	for i, size := range sizes {
		got, err := getBody(context.Background(), c, "data", fmt.Sprintf("o%d", i))
		if err != nil || !bytes.Equal(got, body(i, size)) {
			t.Errorf("GET o%d: got %d bytes, %v; want %d", i, len(got), err, size)
		}
	}
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), Body: bytes.NewReader(body(9, 5000))}); err != nil {
		t.Errorf("PUT with one drive corrupt and one rebuilding: got %v, want success", err)
	}
}

// TestServerRefusesForeignDrive: a server listing a drive of another
// deployment does not start, and says which drive.
func TestServerRefusesForeignDrive(t *testing.T) {
	ours := prepareDrives(t, 4, []int{10})
	theirs := prepareDrives(t, 4, []int{10})
	cfg := config.Defaults()
	cfg.Address, cfg.ConsoleAddress = "127.0.0.1:0", ""
	cfg.RootUser, cfg.RootPassword = testserver.DefaultAccessKey, testserver.DefaultSecretKey
	cfg.Drives = []string{ours[0], ours[1], theirs[2], ours[3]}
	srv, err := server.New(cfg, nil)
	if err == nil {
		srv.Shutdown(context.Background())
		t.Fatal("server.New: got a server, want a refusal")
	}
	for _, want := range []string{"different deployments", theirs[2]} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("server.New: got %q, want it to mention %q", err, want)
		}
	}
}

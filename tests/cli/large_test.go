package cli

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// largeSize is the size of the big-file round trip.
const largeSize = 200 << 20

// writeLarge writes n random bytes to path without holding them in memory.
func writeLarge(t *testing.T, path string, n int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, n); err != nil {
		t.Fatal(err)
	}
}

func TestLargeFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "big.bin")
	writeLarge(t, src, largeSize)
	want := fileSHA256(t, src)
	forEachLayout(t, func(t *testing.T, e *cliEnv) {
		e.ok("mb", "e2e/large")
		start := time.Now()
		e.ok("cp", "--part-size", "16MiB", "--concurrency", "4", src, "e2e/large/big.bin")
		up := time.Since(start)
		st := lastJSON(t, e.ok("stat", "--json", "e2e/large/big.bin"))
		if st["size"] != float64(largeSize) || !strings.HasSuffix(st["etag"].(string), "-13") {
			t.Errorf("stat: got %v, want %d bytes in 13 parts", st, largeSize)
		}
		dst := filepath.Join(t.TempDir(), "back.bin")
		start = time.Now()
		e.ok("cp", "--part-size", "16MiB", "--concurrency", "4", "e2e/large/big.bin", dst)
		down := time.Since(start)
		if got := fileSHA256(t, dst); got != want {
			t.Fatalf("downloaded file: SHA-256 %s, want %s", got, want)
		}
		mib := float64(largeSize) / (1 << 20)
		t.Logf("200 MiB: upload %v (%.0f MiB/s), download %v (%.0f MiB/s)", up.Round(time.Millisecond), mib/up.Seconds(), down.Round(time.Millisecond), mib/down.Seconds())
		os.Remove(dst)
		e.ok("rb", "--force", "e2e/large")
	})
}

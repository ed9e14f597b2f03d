package checksum

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// TestReaderMD5Sizes checks the ETag of payloads on both sides of the
// shared-server threshold, read in uneven chunks, several at once.
func TestReaderMD5Sizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int{0, 1, 63, 64, 65, simdMinSize - 1, simdMinSize, simdMinSize + 1, 3*simdMinSize + 1000}
	bodies := make([][]byte, len(sizes))
	for i, n := range sizes {
		bodies[i] = make([]byte, n)
		for j := range bodies[i] {
			bodies[i][j] = byte(rng.Uint32())
		}
	}
	for round := range 3 {
		t.Run(fmt.Sprintf("round=%d", round), func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, len(sizes))
			for i, body := range bodies {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = checkETag(body, 1+round*7919)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("size %d: %v", sizes[i], err)
				}
			}
		})
	}
}

// checkETag reads body through a Reader in chunks of up to chunk bytes and
// compares its ETag with crypto/md5's.
func checkETag(body []byte, chunk int) error {
	sum := md5.Sum(body)
	want := hex.EncodeToString(sum[:])
	r, err := NewReader(bytes.NewReader(body), int64(len(body)), Options{ContentMD5: sum[:]})
	if err != nil {
		return err
	}
	buf := make([]byte, chunk)
	for range len(body) + 2 {
		_, err = r.Read(buf)
		if err != nil {
			break
		}
	}
	if !errors.Is(err, io.EOF) {
		return fmt.Errorf("read: got %v, want io.EOF", err)
	}
	if got := r.ETag(); got != want {
		return fmt.Errorf("ETag: got %s, want %s", got, want)
	}
	if r.lease != nil {
		return fmt.Errorf("lease: got held after the end, want released")
	}
	return nil
}

// TestReaderMD5Release checks that failed and abandoned readers give their
// shared hasher back, so the bounded set of hashers is never exhausted.
func TestReaderMD5Release(t *testing.T) {
	lanes := sharedMD5()
	if lanes == nil {
		t.Skip("no AVX2: large payloads use crypto/md5")
	}
	body := make([]byte, simdMinSize)
	// Failed readers: the source breaks half-way.
	for range 2 * simdHashers {
		r, err := NewReader(io.MultiReader(bytes.NewReader(body[:simdMinSize/2]), iotest.ErrReader(io.ErrClosedPipe)), simdMinSize, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, r); !errors.Is(err, io.ErrClosedPipe) {
			t.Fatalf("broken source: got %v, want %v", err, io.ErrClosedPipe)
		}
	}
	// Abandoned readers: half-read, then dropped.
	for range 2 * simdHashers {
		r, err := NewReader(bytes.NewReader(body), simdMinSize, Options{Algorithm: storage.ChecksumCRC32C})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(io.Discard, r, simdMinSize/2); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; len(lanes.idle) < int(lanes.made.Load()); i++ {
		if time.Now().After(deadline) || i > 1000 {
			t.Fatalf("idle hashers: got %d of %d after GC, want all", len(lanes.idle), lanes.made.Load())
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if err := checkETag(body, 32<<10); err != nil {
		t.Errorf("after release: %v", err)
	}
}

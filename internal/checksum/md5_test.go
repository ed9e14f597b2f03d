package checksum

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime/trace"
	"sync"
	"testing"
)

// TestReaderMD5Sizes checks the ETag of payloads on both sides of the
// block and buffer sizes, read in uneven chunks, several at once.
func TestReaderMD5Sizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int{0, 1, 63, 64, 65, 1<<20 - 1, 1 << 20, 1<<20 + 1, 3<<20 + 1000}
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
	return nil
}

// TestReaderUnderExecutionTrace hashes large payloads on several streams
// while the Go execution tracer runs. The tracer unwinds stacks by frame
// pointer, so hashing assembly that clobbers the frame pointer crashes the
// process here (the multi-buffer MD5 library the package once used did).
func TestReaderUnderExecutionTrace(t *testing.T) {
	if err := trace.Start(io.Discard); err != nil {
		t.Skipf("execution tracer busy: %v", err)
	}
	defer trace.Stop()
	body := bytes.Repeat([]byte("hoard trace "), 700_000) // 8.4 MB
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = checkETag(body, 1<<20)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("stream %d: %v", i, err)
		}
	}
}

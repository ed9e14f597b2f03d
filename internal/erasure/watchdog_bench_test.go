package erasure

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// BenchmarkWatchdog measures what the drive deadline (drive.Watchdog)
// costs: GETs from the page cache and PUTs on four drives, with the
// deadline on (the default) and off.
func BenchmarkWatchdog(b *testing.B) {
	for _, w := range []struct {
		name    string
		timeout time.Duration
	}{{"off", -1}, {"on", 0}} {
		for _, size := range []int{4 << 10, 4 << 20} {
			b.Run(fmt.Sprintf("get-%dKiB-%s", size>>10, w.name), func(b *testing.B) {
				l, _ := openTest(b, 4, func(c *Config) { c.DriveTimeout = w.timeout })
				mustBucket(b, l, "bkt")
				for i := range 20 {
					mustPut(b, l, "bkt", fmt.Sprintf("k%d", i), randBytes(size, uint64(i)))
				}
				b.SetBytes(int64(size))
				i := 0
				for b.Loop() {
					i++
					o, err := l.OpenObject(context.Background(), "bkt", fmt.Sprintf("k%d", i%20), storage.GetOptions{})
					if err != nil {
						b.Fatal(err)
					}
					r, _ := o.Reader(0, o.Info().Size)
					io.Copy(io.Discard, r)
					r.Close()
					o.Close()
				}
			})
		}
		b.Run("put-1MiB-"+w.name, func(b *testing.B) {
			l, _ := openTest(b, 4, func(c *Config) { c.DriveTimeout = w.timeout })
			mustBucket(b, l, "bkt")
			body := randBytes(1<<20, 1)
			b.SetBytes(1 << 20)
			i := 0
			for b.Loop() {
				i++
				mustPut(b, l, "bkt", fmt.Sprintf("k%d", i%50), body)
			}
		})
	}
}

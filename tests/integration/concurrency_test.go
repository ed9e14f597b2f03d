package integration

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestConcurrentOverwrites overwrites one key from several writers while
// readers read it: every read returns exactly one written body with its
// own ETag (never a mix), and the final object is one of the bodies.
func TestConcurrentOverwrites(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		const writers, rounds, readers = 4, 3, 2
		bodies := map[string][]byte{} // hex MD5 -> body
		var all [][]byte
		for i := 0; i < writers*rounds; i++ {
			b := data(uint64(500+i), 200<<10+i*(150<<10)) // 200 KiB .. ~1.8 MiB: inline and not
			bodies[md5Hex(b)] = b
			all = append(all, b)
		}
		e.putObject(t, bucket, "hot", all[0])
		stop := make(chan struct{})
		var readersWG, writersWG sync.WaitGroup
		for r := 0; r < readers; r++ {
			readersWG.Add(1)
			go func() {
				defer readersWG.Done()
				for n := 0; n < 200; n++ {
					select {
					case <-stop:
						return
					default:
					}
					out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("hot")})
					if err != nil {
						t.Errorf("GetObject during overwrites: %v", err)
						return
					}
					got, err := io.ReadAll(out.Body)
					out.Body.Close()
					if err != nil {
						t.Errorf("read during overwrites: %v", err)
						return
					}
					sum := md5.Sum(got)
					etag := strings.Trim(aws.ToString(out.ETag), `"`)
					if want, ok := bodies[hex.EncodeToString(sum[:])]; !ok || !bytes.Equal(want, got) || etag != hex.EncodeToString(sum[:]) {
						t.Errorf("read %d bytes with ETag %s that match no written body (or not their ETag)", len(got), etag)
						return
					}
				}
			}()
		}
		for w := 0; w < writers; w++ {
			writersWG.Add(1)
			go func(w int) {
				defer writersWG.Done()
				for r := 0; r < rounds; r++ {
					b := all[w*rounds+r]
					if _, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("hot"), Body: bytes.NewReader(b)}); err != nil {
						t.Errorf("writer %d: PutObject: %v", w, err)
					}
				}
			}(w)
		}
		writersWG.Wait()
		close(stop)
		readersWG.Wait()
		got, out := e.getObject(t, bucket, "hot")
		if b, ok := bodies[md5Hex(got)]; !ok || !bytes.Equal(b, got) || aws.ToString(out.ETag) != quoted(md5Hex(got)) {
			t.Errorf("final object: %d bytes, ETag %s: not one of the written bodies", len(got), aws.ToString(out.ETag))
		}
		list, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
		must(t, "ListObjectsV2", err)
		if len(list.Contents) != 1 || aws.ToInt64(list.Contents[0].Size) != int64(len(got)) || aws.ToString(list.Contents[0].ETag) != quoted(md5Hex(got)) {
			t.Errorf("listing after overwrites: got %d entries, want one of %d bytes with ETag %s", len(list.Contents), len(got), quoted(md5Hex(got)))
		}
	})
}

package server

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkBodyDeadline measures what body deadlines cost: PUT bodies of
// 4 KiB and 16 MiB over loopback to a handler that drains them, without
// and with the deadline wrapper (defaults: 1m, 1024 B/s).
//
//	go test -run '^$' -bench BodyDeadline -count 5 ./internal/server
func BenchmarkBodyDeadline(b *testing.B) {
	for _, size := range []int{4 << 10, 16 << 20} {
		for _, on := range []bool{false, true} {
			name := map[bool]string{false: "off", true: "on"}[on]
			b.Run(byteSize(size)+"/"+name, func(b *testing.B) {
				var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
				})
				if on {
					h = bodyDeadline(h, time.Minute, 1024)
				}
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					b.Fatal(err)
				}
				srv := &http.Server{Handler: h}
				go srv.Serve(ln)
				defer srv.Close()
				url := "http://" + ln.Addr().String() + "/"
				data := bytes.Repeat([]byte("d"), size)
				client := &http.Client{Transport: &http.Transport{}}
				b.SetBytes(int64(size))
				b.ResetTimer()
				for range b.N {
					resp, err := client.Post(url, "application/octet-stream", bytes.NewReader(data))
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			})
		}
	}
}

func byteSize(n int) string {
	if n >= 1<<20 {
		return "16MiB"
	}
	return "4KiB"
}

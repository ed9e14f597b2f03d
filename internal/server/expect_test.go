package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestContinueEmpty: a request without a body that asks for
// "100 Continue" gets it before its final response, on a connection kept
// alive; one that does not ask gets the final response alone.
func TestContinueEmpty(t *testing.T) {
	t.Parallel()
	srv := &http.Server{Handler: continueEmpty(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Seen", r.Method)
		w.WriteHeader(http.StatusOK)
	}))}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	for _, tc := range []struct {
		name, expect string
		want         []int
	}{
		{"empty PUT asking", "100-continue", []int{100, 200}},
		{"token case and list", "foo, 100-Continue", []int{100, 200}},
		{"empty PUT not asking", "", []int{200}},
		{"asking again on the same connection", "100-continue", []int{100, 200}},
	} {
		req := "PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
		if tc.expect != "" {
			req += "Expect: " + tc.expect + "\r\n"
		}
		if _, err := io.WriteString(conn, req+"\r\n"); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []int
		for {
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("%s: reading the answer: %v", tc.name, err)
			}
			got = append(got, resp.StatusCode)
			if resp.StatusCode >= 200 {
				if resp.Header.Get("X-Seen") != "PUT" || resp.Close {
					t.Errorf("%s: final answer %v, close %v: want the handler's, kept alive", tc.name, resp.Header, resp.Close)
				}
				resp.Body.Close()
				break
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got statuses %v, want %v", tc.name, got, tc.want)
		}
	}
}

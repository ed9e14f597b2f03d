package server

import (
	"net/http"
	"strings"
)

// Expect: 100-continue on a request without a body. net/http sends the
// interim "100 Continue" when the handler first reads the body, and only
// arms that for a request with a body: a PUT with Content-Length: 0 and
// Expect: 100-continue (boto3 sends the header on every PUT, empty
// objects included) is answered with the final status alone, on a
// connection kept alive. RFC 9110 allows that, but botocore takes the
// final status it read while waiting for "100 Continue" as the status of
// every later response on that connection (its connection keeps the
// status line until it is closed), so the next PUT on the kept-alive
// connection misreads its response and waits for its read timeout before
// a retry on a new connection succeeds. AWS S3 answers "100 Continue"
// first. So does Hoard: the interim response goes out before the handler
// runs, which costs one small write on the rare empty request that asks
// for it and keeps the connection reusable; a request with a body keeps
// net/http's own behaviour ("100 Continue" on the first read, the
// connection closed when the handler answers without reading it, which
// resets botocore's connection).

// continueEmpty wraps h so that an HTTP/1.1 request without a body that
// asks for "100 Continue" gets it before its final response.
func continueEmpty(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 && r.ProtoMajor == 1 && r.ProtoMinor >= 1 && expectsContinue(r.Header) {
			w.WriteHeader(http.StatusContinue)
		}
		h.ServeHTTP(w, r)
	})
}

// expectsContinue reports whether the Expect header lists 100-continue
// (its token is case-insensitive, RFC 9110 section 10.1.1).
func expectsContinue(h http.Header) bool {
	for _, v := range h.Values("Expect") {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), "100-continue") {
				return true
			}
		}
	}
	return false
}

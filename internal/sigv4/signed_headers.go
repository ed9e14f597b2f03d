package sigv4

import (
	"net/http"
	"slices"
	"strings"
)

// checkSignedHeaders refuses a request carrying x-amz-* headers that its
// signature does not cover, as S3 does: those headers choose and shape the
// operation (x-amz-copy-source turns a PUT into a copy; x-amz-meta-*,
// x-amz-acl and x-amz-tagging are stored), so one added by whoever holds a
// presigned URL or a captured request would act with the signer's
// authority.
//
// The one exemption is S3's: a presigned request may carry an unsigned
// x-amz-content-sha256, which only says how the body is framed or adds a
// check of it (the holder of the URL chooses the body anyway); a
// header-signed request must sign it. Headers outside x-amz-* (User-Agent,
// Expect, Content-Type...) may stay unsigned, as on S3; Content-MD5, when
// present, is checked against the body whether signed or not.
func checkSignedHeaders(h http.Header, signed []string, presigned bool) error {
	var missing []string
	for name := range h {
		lname := strings.ToLower(name)
		if !strings.HasPrefix(lname, "x-amz-") || contains(signed, lname) {
			continue
		}
		if presigned && lname == "x-amz-content-sha256" {
			continue
		}
		if !contains(missing, lname) {
			missing = append(missing, lname)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	e := ErrHeadersNotSigned.derive("headers not signed: "+strings.Join(missing, ", "), "")
	e.headers = missing
	return e
}

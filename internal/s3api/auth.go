package s3api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/authguard"
	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// authenticate verifies the request's signature: SigV4, or SigV2 for the
// requests sigv4 reports as such. Either way the handler gets a
// sigv4.Result (access key, body, length), so handlers do not care which
// signature version the client used.
//
// Failed signatures are throttled (see internal/authguard): a source that
// keeps failing is answered 503 SlowDown, before its signature is checked,
// until its budget refills.
func (h *Handler) authenticate(req *request) (*sigv4.Result, error) {
	key := accessKeyOf(req.r)
	if err := h.openSession(req, key); err != nil {
		return nil, err
	}
	if key == "" {
		// Anonymous: decided by the bucket's policy, nothing to guess.
		return h.verify(req)
	}
	attempt, wait, err := h.guard.Begin(req.r.Context(), key, clientAddr(req.r))
	if err != nil {
		return nil, err
	}
	if attempt == nil {
		secs := int((wait + 999_999_999) / 1_000_000_000)
		req.w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		return nil, newError("SlowDown", "Too many failed signatures from this address: retry later.")
	}
	res, err := h.verify(req)
	attempt.Done(authOutcome(err))
	return res, err
}

// authOutcome classifies an authentication error for the guard: only a
// wrong signature or an unknown key counts as a guess.
func authOutcome(err error) authguard.Outcome {
	switch {
	case err == nil:
		return authguard.Passed
	case errors.Is(err, sigv4.ErrSignatureDoesNotMatch), errors.Is(err, sigv2.ErrSignatureDoesNotMatch):
		return authguard.WrongSignature
	case errors.Is(err, sigv4.ErrInvalidAccessKeyID), errors.Is(err, sigv2.ErrInvalidAccessKeyID):
		return authguard.UnknownKey
	}
	return authguard.Passed
}

// accessKeyOf returns the access key a request claims, from a SigV4 or
// SigV2 Authorization header or presigned query, without checking
// anything ("" for an unsigned request).
func accessKeyOf(r *http.Request) string {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, cred, ok := strings.Cut(auth, "Credential="); ok {
			key, _, _ := strings.Cut(cred, "/")
			return key
		}
		if rest, ok := strings.CutPrefix(auth, "AWS "); ok {
			key, _, _ := strings.Cut(rest, ":")
			return key
		}
		return auth
	}
	q := r.URL.Query()
	if cred := q.Get("X-Amz-Credential"); cred != "" {
		key, _, _ := strings.Cut(cred, "/")
		return key
	}
	return q.Get("AWSAccessKeyId")
}

// clientAddr is the address a request came from: the TCP peer, or the
// client a trusted proxy forwarded.
func clientAddr(r *http.Request) string { return clientip.FromRequest(r).String() }

// verify checks the request's signature, SigV4 or SigV2.
func (h *Handler) verify(req *request) (*sigv4.Result, error) {
	res, err := h.verifier.Verify(req.r)
	if !errors.Is(err, sigv4.ErrSignatureV2) {
		return res, err
	}
	v2 := sigv2.Verifier{Lookup: sigv2Lookup(h.lookup), Now: h.cfg.Now, MaxSkew: h.verifier.MaxSkew}
	r2, err := v2.Verify(req.r, BucketFromHost(req.r.Host, h.cfg.Domains))
	if err != nil {
		return nil, err
	}
	return &sigv4.Result{
		AccessKey:     r2.AccessKey,
		Presigned:     r2.Presigned,
		SignedAt:      r2.SignedAt,
		Expires:       r2.Expires,
		Body:          r2.Body,
		ContentLength: r2.ContentLength,
	}, nil
}

// sigv2Lookup adapts the credential lookup to sigv2's.
func sigv2Lookup(lookup sigv4.Lookup) sigv2.Lookup {
	if lookup == nil {
		return nil
	}
	return func(accessKey string) (sigv2.Credentials, bool) {
		c, ok := lookup(accessKey)
		return sigv2.Credentials{AccessKey: c.AccessKey, SecretKey: c.SecretKey}, ok
	}
}

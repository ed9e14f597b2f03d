package s3api

import (
	"errors"

	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// authenticate verifies the request's signature: SigV4, or SigV2 for the
// requests sigv4 reports as such. Either way the handler gets a
// sigv4.Result (access key, body, length), so handlers do not care which
// signature version the client used.
func (h *Handler) authenticate(req *request) (*sigv4.Result, error) {
	res, err := h.verifier.Verify(req.r)
	if !errors.Is(err, sigv4.ErrSignatureV2) {
		return res, err
	}
	v2 := sigv2.Verifier{Lookup: sigv2Lookup(h.cfg.Credentials), Now: h.cfg.Now, MaxSkew: h.verifier.MaxSkew}
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
		return sigv2.Credentials(c), ok
	}
}

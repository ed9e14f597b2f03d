package clientip

import (
	"context"
	"net/http"
)

type contextKey struct{}

// WithClient returns ctx carrying c, for FromRequest.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

// FromRequest returns the client Handler resolved for r (or one carried
// into r's context from the request r was made for); without one, the
// TCP peer and whether r came over TLS, with no header trusted.
func FromRequest(r *http.Request) Client {
	if c, ok := r.Context().Value(contextKey{}).(Client); ok {
		return c
	}
	return Resolve(r.RemoteAddr, r.TLS != nil, nil, Trusted{})
}

// Handler resolves every request's client with trusted and stores it in
// the request's context before calling next.
func Handler(trusted Trusted, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := Resolve(r.RemoteAddr, r.TLS != nil, r.Header, trusted)
		next.ServeHTTP(w, r.WithContext(WithClient(r.Context(), c)))
	})
}

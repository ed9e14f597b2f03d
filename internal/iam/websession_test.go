package iam

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestSessionClaimsOf(t *testing.T) {
	many := map[string]string{}
	for i := range maxWebClaims + 1 {
		many["c"+strings.Repeat("x", i)] = "v"
	}
	tests := []struct {
		name    string
		in      map[string]string
		want    map[string]string
		wantErr bool
	}{
		{"names lower-cased", map[string]string{"sub": "a", "Email": "e@x"}, map[string]string{"sub": "a", "email": "e@x"}, false},
		{"names differing only in case", map[string]string{"email": "carol@x", "Email": "mallory@x"}, nil, true},
		{"too many", many, nil, true},
		{"a long value", map[string]string{"sub": strings.Repeat("a", maxWebClaimBytes+1)}, nil, true},
		{"too many bytes in all", map[string]string{"a": strings.Repeat("a", 1000), "b": strings.Repeat("b", 1000), "c": strings.Repeat("c", 1000), "d": strings.Repeat("d", 100)}, nil, true},
		{"none", nil, map[string]string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sessionClaimsOf(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrClaims) {
					t.Fatalf("got %v, %v; want ErrClaims", got, err)
				}
				return
			}
			if err != nil || !maps.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

package storage

import (
	"strings"
	"testing"
)

func TestValidBucketName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"abc", true},
		{"my-bucket.logs", true},
		{"a1", false},
		{strings.Repeat("a", 63), true},
		{strings.Repeat("a", 64), false},
		{"Upper", false},
		{"-start", false},
		{"end-", false},
		{"two..dots", false},
		{"dot.-dash", false},
		{"dash-.dot", false},
		{"192.168.1.1", false},
		{"under_score", false},
		{"xn--abc", false},
		{"sthree-abc", false},
		{"abc-s3alias", false},
		{"abc--ol-s3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidBucketName(tt.name); got != tt.want {
				t.Errorf("ValidBucketName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestValidObjectName(t *testing.T) {
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"..", true},
		{"//a//", true},
		{"/lead", true},
		{"with space %+ 😀", true},
		{"", false},
		{strings.Repeat("k", MaxKeyLength), true},
		{strings.Repeat("k", MaxKeyLength+1), false},
		{"bad\xffutf8", false},
		{"nul\x00", false},
	}
	for _, tt := range tests {
		if got := ValidObjectName(tt.key); got != tt.want {
			t.Errorf("ValidObjectName(%q) = %v, want %v", tt.key, got, tt.want)
		}
	}
}

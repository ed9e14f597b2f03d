package s3api

import (
	"errors"
	"testing"
)

func TestDocTTLCache(t *testing.T) {
	var c docTTLCache
	reads := 0
	read := func() ([]byte, bool) { reads++; return []byte("doc"), true }
	for range 3 {
		if doc, ok := c.get("b", read); !ok || string(doc) != "doc" {
			t.Fatalf("get: got %q %v", doc, ok)
		}
	}
	if reads != 1 {
		t.Errorf("three gets within the TTL read %d times, want 1", reads)
	}
	c.forget("b")
	c.get("b", read)
	c.get("other", read)
	if reads != 3 {
		t.Errorf("after forget and another bucket: %d reads, want 3", reads)
	}
}

func TestCheckTransitionMinSize(t *testing.T) {
	for v, code := range map[string]string{"": "", "all_storage_classes_128K": "", "varies_by_storage_class": "NotImplemented", "x": "InvalidArgument"} {
		err := checkTransitionMinSize(v)
		var ae *APIError
		switch {
		case code == "" && err != nil:
			t.Errorf("%q: got %v, want nil", v, err)
		case code != "" && (!errors.As(err, &ae) || ae.Code != code):
			t.Errorf("%q: got %v, want %s", v, err, code)
		}
	}
}

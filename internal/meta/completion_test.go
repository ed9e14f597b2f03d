package meta

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestCompletionRoundTrip(t *testing.T) {
	for _, c := range []*Completion{
		{Completed: time.Unix(1700000000, 5).UTC(), ETag: "abc-2", Parts: []byte{1, 2, 3}},
		{
			Completed: time.Unix(1700000001, 0).UTC(), VersionID: "0190a6f2-7c3e-7b1a-9c4e-0123456789ab", Versioned: true,
			ETag: "def-3", Checksum: storage.Checksum{Algorithm: storage.ChecksumCRC32C, Type: storage.ChecksumFullObject, Value: "AAAAAA=="},
			ModTime: time.Unix(1700000000, 42).UTC(), Size: 15 << 20, Tags: map[string]string{"k": "v", "team": "data"},
			Parts: make([]byte, 32),
		},
		{Completed: time.Unix(1700000002, 0).UTC(), Versioned: true, ETag: "null-version-1", Parts: []byte{}},
	} {
		got, err := DecodeCompletion(EncodeCompletion(c))
		if err != nil {
			t.Fatalf("decode %+v: %v", c, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("round trip: got %+v, want %+v", got, c)
		}
	}
}

func TestCompletionCorrupt(t *testing.T) {
	good := EncodeCompletion(&Completion{Completed: time.Unix(1, 0), ETag: "e", Parts: []byte{9}})
	bad := append([]byte(nil), good...)
	// The versioned flag (before the etag, checksum, zero mod time, size,
	// tags and parts: 2+3+10+1+1+2 bytes) is neither 0 nor 1.
	bad[len(bad)-20] = 7
	for name, b := range map[string][]byte{
		"empty":          nil,
		"truncated":      good[:len(good)-1],
		"trailing":       append(append([]byte(nil), good...), 0),
		"upload kind":    append([]byte{FormatVersion, kindUpload}, good[2:]...),
		"versioned flag": bad,
	} {
		if _, err := DecodeCompletion(b); !errors.Is(err, storage.ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
}

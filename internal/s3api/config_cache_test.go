package s3api

import (
	"errors"
	"testing"
)

func TestConfigCache(t *testing.T) {
	parses := 0
	c := newConfigCache(func(bucket string, doc []byte) (string, error) {
		parses++
		if string(doc) == "bad" {
			return "", errors.New("bad document")
		}
		return bucket + ":" + string(doc), nil
	})
	steps := []struct {
		bucket, doc string
		want        string
		parses      int
	}{
		{"a", "one", "a:one", 1},
		{"a", "one", "a:one", 1}, // same bytes: reused
		{"b", "one", "b:one", 2}, // another bucket
		{"a", "two", "a:two", 3}, // changed document
		{"a", "two", "a:two", 3},
		{"a", "bad", "", 4}, // errors are not kept
		{"a", "two", "a:two", 4},
	}
	for i, s := range steps {
		got, err := c.get(s.bucket, []byte(s.doc))
		if (err != nil) != (s.want == "") || got != s.want || parses != s.parses {
			t.Fatalf("step %d: get(%s, %s) = %q, %v after %d parses; want %q after %d", i, s.bucket, s.doc, got, err, parses, s.want, s.parses)
		}
	}
}

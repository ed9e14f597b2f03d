package erasure

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

// listAll pages through a listing and returns keys and prefixes in order.
func listAll(t *testing.T, l *Layer, bucket string, o storage.ListOptions) (keys, prefixes []string, pages int) {
	t.Helper()
	for pages = 1; pages < 10000; pages++ {
		res, err := l.ListObjects(context.Background(), bucket, o)
		if err != nil {
			t.Fatalf("ListObjects: got %v, want nil", err)
		}
		for _, ob := range res.Objects {
			keys = append(keys, ob.Key)
		}
		prefixes = append(prefixes, res.CommonPrefixes...)
		if !res.IsTruncated {
			return keys, prefixes, pages
		}
		if res.NextMarker == "" {
			t.Fatalf("truncated page without NextMarker")
		}
		o.Marker = res.NextMarker
	}
	t.Fatalf("listing did not end")
	return
}

func TestListObjects(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	keys := []string{
		"a", "a/b", "a/b/c", "a/c", "a//d", "ab", "b::x::1", "b::x::2", "b::y", "c", "é", "😀", "z/",
		"/lead", "..", "%41", "a/b/c/d/e",
	}
	for _, k := range keys {
		mustPut(t, l, "bkt", k, []byte(k))
	}
	tests := []struct {
		name     string
		opts     storage.ListOptions
		keys     []string
		prefixes []string
	}{
		{"all", storage.ListOptions{}, []string{"%41", "..", "/lead", "a", "a//d", "a/b", "a/b/c", "a/b/c/d/e", "a/c", "ab", "b::x::1", "b::x::2", "b::y", "c", "z/", "é", "😀"}, nil},
		{"slash", storage.ListOptions{Delimiter: "/"}, []string{"%41", "..", "a", "ab", "b::x::1", "b::x::2", "b::y", "c", "é", "😀"}, []string{"/", "a/", "z/"}},
		{"prefix a/ slash", storage.ListOptions{Prefix: "a/", Delimiter: "/"}, []string{"a/b", "a/c"}, []string{"a//", "a/b/"}},
		{"multi-char delimiter", storage.ListOptions{Delimiter: "::"}, []string{"%41", "..", "/lead", "a", "a//d", "a/b", "a/b/c", "a/b/c/d/e", "a/c", "ab", "c", "z/", "é", "😀"}, []string{"b::"}},
		{"prefix b:: delimiter ::", storage.ListOptions{Prefix: "b::", Delimiter: "::"}, []string{"b::y"}, []string{"b::x::"}},
		{"marker", storage.ListOptions{Marker: "b::x::1"}, []string{"b::x::2", "b::y", "c", "z/", "é", "😀"}, nil},
		{"marker inside prefix", storage.ListOptions{Delimiter: "/", Marker: "a/b"}, []string{"ab", "b::x::1", "b::x::2", "b::y", "c", "é", "😀"}, []string{"z/"}},
		{"prefix no match", storage.ListOptions{Prefix: "q"}, nil, nil},
	}
	for _, tt := range tests {
		for _, page := range []int{1000, 1, 2, 3} {
			t.Run(fmt.Sprintf("%s/page%d", tt.name, page), func(t *testing.T) {
				o := tt.opts
				o.MaxKeys = page
				gotKeys, gotPrefixes, _ := listAll(t, l, "bkt", o)
				if !reflect.DeepEqual(gotKeys, tt.keys) {
					t.Errorf("keys: got %q, want %q", gotKeys, tt.keys)
				}
				if !reflect.DeepEqual(gotPrefixes, tt.prefixes) {
					t.Errorf("prefixes: got %q, want %q", gotPrefixes, tt.prefixes)
				}
			})
		}
	}
}

func TestListPageBoundaryOnPrefix(t *testing.T) {
	l, _ := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	for i := 0; i < 50; i++ {
		mustPut(t, l, "bkt", fmt.Sprintf("dir/%03d", i), nil)
	}
	mustPut(t, l, "bkt", "after", nil)
	mustPut(t, l, "bkt", "before", nil)
	keys, prefixes, pages := listAll(t, l, "bkt", storage.ListOptions{Delimiter: "/", MaxKeys: 1})
	if !reflect.DeepEqual(keys, []string{"after", "before"}) || !reflect.DeepEqual(prefixes, []string{"dir/"}) || pages != 3 {
		t.Errorf("got keys %q prefixes %q in %d pages, want [after before] [dir/] in 3", keys, prefixes, pages)
	}
	if _, err := l.ListObjects(context.Background(), "nob", storage.ListOptions{}); !errorsIs(err, storage.ErrBucketNotFound) {
		t.Errorf("list missing bucket: got %v, want ErrBucketNotFound", err)
	}
}

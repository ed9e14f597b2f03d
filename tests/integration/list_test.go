package integration

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// listKeys are the keys of the listing tests, in the byte order of their
// UTF-8 encoding, which is S3's listing order (note "Ａ" U+FF21 sorts before
// the emoji in UTF-8 but after it in UTF-16).
var listKeys = []string{
	"Z", "a", "a b", "a%c", "a+b", "a-", "a/", "a/1", "a/2", "a/b/1", "a/b/2",
	"a::x::1", "a::y", "b", "é", "日本", "Ａ", "😀",
}

// fillListBucket creates a bucket holding listKeys (body = key) and returns it.
func (e *env) fillListBucket(t *testing.T) string {
	t.Helper()
	bucket := e.bucket(t)
	for i := len(listKeys) - 1; i >= 0; i-- { // reverse order: the server must sort
		e.putObject(t, bucket, listKeys[i], []byte(listKeys[i]))
	}
	return bucket
}

// listV2 pages through ListObjectsV2 and returns keys and common prefixes.
func (e *env) listV2(t *testing.T, in s3.ListObjectsV2Input) (keys, prefixes []string, pages int) {
	t.Helper()
	for pages = 1; pages <= 100; pages++ {
		out, err := e.s3.ListObjectsV2(ctx(t), &in)
		must(t, "ListObjectsV2", err)
		n := len(out.Contents) + len(out.CommonPrefixes)
		if max := aws.ToInt32(in.MaxKeys); max > 0 && n > int(max) {
			t.Errorf("page %d: got %d entries, want at most max-keys %d", pages, n, max)
		}
		if int(aws.ToInt32(out.KeyCount)) != n {
			t.Errorf("page %d: got KeyCount %d, want %d", pages, aws.ToInt32(out.KeyCount), n)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			return keys, prefixes, pages
		}
		if aws.ToString(out.NextContinuationToken) == "" {
			t.Fatalf("page %d: truncated without NextContinuationToken", pages)
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	t.Fatalf("ListObjectsV2 did not end within 100 pages")
	return nil, nil, 0
}

// listV1 pages through ListObjects (V1) with markers.
func (e *env) listV1(t *testing.T, in s3.ListObjectsInput) (keys, prefixes []string, pages int) {
	t.Helper()
	for pages = 1; pages <= 100; pages++ {
		out, err := e.s3.ListObjects(ctx(t), &in)
		must(t, "ListObjects", err)
		n := len(out.Contents) + len(out.CommonPrefixes)
		if max := aws.ToInt32(in.MaxKeys); max > 0 && n > int(max) {
			t.Errorf("page %d: got %d entries, want at most max-keys %d", pages, n, max)
		}
		last := ""
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			last = max(last, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
			last = max(last, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			return keys, prefixes, pages
		}
		next := aws.ToString(out.NextMarker)
		if in.Delimiter != nil && next != last {
			t.Errorf("page %d: got NextMarker %q, want the last entry %q", pages, next, last)
		}
		if next == "" {
			next = last
		}
		in.Marker = aws.String(next)
	}
	t.Fatalf("ListObjects did not end within 100 pages")
	return nil, nil, 0
}

func filterKeys(keep func(string) bool) []string {
	var out []string
	for _, k := range listKeys {
		if keep(k) {
			out = append(out, k)
		}
	}
	return out
}

// TestListObjects covers ListObjects V1 and V2: order, prefix, delimiters
// of one and several characters, max-keys paging with markers and
// continuation tokens, start-after, and the echoed fields.
func TestListObjects(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.fillListBucket(t)
		noSlash := filterKeys(func(k string) bool { return !strings.Contains(k, "/") })
		noColons := filterKeys(func(k string) bool { return !strings.Contains(k, "::") })
		tests := []struct {
			name, prefix, delim string
			maxKeys             int32
			wantKeys, wantPfx   []string
		}{
			{"all", "", "", 0, listKeys, nil},
			{"all-paged", "", "", 4, listKeys, nil},
			{"all-one-per-page", "", "", 1, listKeys, nil},
			{"prefix", "a/", "", 0, []string{"a/", "a/1", "a/2", "a/b/1", "a/b/2"}, nil},
			{"prefix-none", "nothing", "", 0, nil, nil},
			{"delimiter", "", "/", 0, noSlash, []string{"a/"}},
			{"delimiter-paged", "", "/", 2, noSlash, []string{"a/"}},
			{"prefix-delimiter", "a/", "/", 0, []string{"a/", "a/1", "a/2"}, []string{"a/b/"}},
			{"prefix-delimiter-paged", "a/", "/", 1, []string{"a/", "a/1", "a/2"}, []string{"a/b/"}},
			{"multi-char-delimiter", "", "::", 0, noColons, []string{"a::"}},
			{"multi-char-delimiter-prefix", "a::", "::", 0, []string{"a::y"}, []string{"a::x::"}},
			{"delimiter-not-slash", "a", "b", 0, []string{"a", "a%c", "a-", "a/", "a/1", "a/2", "a::x::1", "a::y"}, []string{"a b", "a+b", "a/b"}},
			{"delimiter-not-slash-paged", "a", "b", 2, []string{"a", "a%c", "a-", "a/", "a/1", "a/2", "a::x::1", "a::y"}, []string{"a b", "a+b", "a/b"}},
		}
		for _, tt := range tests {
			t.Run("v2/"+tt.name, func(t *testing.T) {
				in := s3.ListObjectsV2Input{Bucket: &bucket}
				if tt.prefix != "" {
					in.Prefix = aws.String(tt.prefix)
				}
				if tt.delim != "" {
					in.Delimiter = aws.String(tt.delim)
				}
				if tt.maxKeys > 0 {
					in.MaxKeys = aws.Int32(tt.maxKeys)
				}
				keys, pfx, _ := e.listV2(t, in)
				if !slices.Equal(keys, tt.wantKeys) || !slices.Equal(pfx, tt.wantPfx) {
					t.Errorf("got keys %q prefixes %q\nwant keys %q prefixes %q", keys, pfx, tt.wantKeys, tt.wantPfx)
				}
			})
			t.Run("v1/"+tt.name, func(t *testing.T) {
				in := s3.ListObjectsInput{Bucket: &bucket}
				if tt.prefix != "" {
					in.Prefix = aws.String(tt.prefix)
				}
				if tt.delim != "" {
					in.Delimiter = aws.String(tt.delim)
				}
				if tt.maxKeys > 0 {
					in.MaxKeys = aws.Int32(tt.maxKeys)
				}
				keys, pfx, _ := e.listV1(t, in)
				if !slices.Equal(keys, tt.wantKeys) || !slices.Equal(pfx, tt.wantPfx) {
					t.Errorf("got keys %q prefixes %q\nwant keys %q prefixes %q", keys, pfx, tt.wantKeys, tt.wantPfx)
				}
			})
		}
		t.Run("v2/start-after", func(t *testing.T) {
			keys, _, _ := e.listV2(t, s3.ListObjectsV2Input{Bucket: &bucket, StartAfter: aws.String("a/2")})
			if want := listKeys[slices.Index(listKeys, "a/2")+1:]; !slices.Equal(keys, want) {
				t.Errorf("got %q, want %q", keys, want)
			}
			keys, _, _ = e.listV2(t, s3.ListObjectsV2Input{Bucket: &bucket, StartAfter: aws.String("a/11")})
			if want := listKeys[slices.Index(listKeys, "a/2"):]; !slices.Equal(keys, want) {
				t.Errorf("start-after a key that does not exist: got %q, want %q", keys, want)
			}
		})
		t.Run("v1/marker", func(t *testing.T) {
			keys, _, _ := e.listV1(t, s3.ListObjectsInput{Bucket: &bucket, Marker: aws.String("b")})
			if want := []string{"é", "日本", "Ａ", "😀"}; !slices.Equal(keys, want) {
				t.Errorf("got %q, want %q", keys, want)
			}
		})
		t.Run("v2/echo-and-details", func(t *testing.T) {
			out, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{
				Bucket: &bucket, Prefix: aws.String("a"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(3), StartAfter: aws.String("a b"),
			})
			must(t, "ListObjectsV2", err)
			if aws.ToString(out.Name) != bucket || aws.ToString(out.Prefix) != "a" || aws.ToString(out.Delimiter) != "/" ||
				aws.ToInt32(out.MaxKeys) != 3 || aws.ToString(out.StartAfter) != "a b" || !aws.ToBool(out.IsTruncated) {
				t.Errorf("got Name %q Prefix %q Delimiter %q MaxKeys %d StartAfter %q IsTruncated %v; want %q a / 3 \"a b\" true",
					aws.ToString(out.Name), aws.ToString(out.Prefix), aws.ToString(out.Delimiter), aws.ToInt32(out.MaxKeys),
					aws.ToString(out.StartAfter), aws.ToBool(out.IsTruncated), bucket)
			}
			for _, o := range out.Contents {
				k := aws.ToString(o.Key)
				if aws.ToInt64(o.Size) != int64(len(k)) || aws.ToString(o.ETag) != quoted(md5Hex([]byte(k))) || o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil {
					t.Errorf("entry %q: got size %d etag %s class %q modified %v; want %d %s STANDARD set",
						k, aws.ToInt64(o.Size), aws.ToString(o.ETag), o.StorageClass, o.LastModified, len(k), quoted(md5Hex([]byte(k))))
				}
			}
		})
		t.Run("minio", func(t *testing.T) {
			for _, v1 := range []bool{false, true} {
				var keys []string
				for o := range e.mc.ListObjects(ctx(t), bucket, minio.ListObjectsOptions{Recursive: true, UseV1: v1, MaxKeys: 5}) {
					must(t, "minio ListObjects", o.Err)
					keys = append(keys, o.Key)
				}
				if !slices.Equal(keys, listKeys) {
					t.Errorf("minio ListObjects (v1=%v): got %q, want %q", v1, keys, listKeys)
				}
			}
			var top []string
			for o := range e.mc.ListObjects(ctx(t), bucket, minio.ListObjectsOptions{Prefix: "a/"}) {
				must(t, "minio ListObjects", o.Err)
				top = append(top, o.Key)
			}
			if want := []string{"a/", "a/1", "a/2", "a/b/"}; !slices.Equal(top, want) {
				t.Errorf("minio ListObjects non-recursive: got %q, want %q", top, want)
			}
		})
	})
}

// TestListObjectsEmptyAndInvalid checks an empty bucket's listing and the
// InvalidArgument answers to bad max-keys and continuation tokens.
func TestListObjectsEmptyAndInvalid(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		out, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
		must(t, "ListObjectsV2", err)
		if len(out.Contents) != 0 || aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 0 || aws.ToInt32(out.MaxKeys) != 1000 {
			t.Errorf("empty bucket: got %d entries truncated %v KeyCount %d MaxKeys %d; want 0 false 0 1000",
				len(out.Contents), aws.ToBool(out.IsTruncated), aws.ToInt32(out.KeyCount), aws.ToInt32(out.MaxKeys))
		}
		resp, body := e.do(t, http.MethodGet, bucket, "", query("list-type", "2", "max-keys", "-1"), nil, nil)
		wantError(t, "max-keys=-1", resp, body, http.StatusBadRequest, "InvalidArgument")
		resp, body = e.do(t, http.MethodGet, bucket, "", query("max-keys", "many"), nil, nil)
		wantError(t, "max-keys=many", resp, body, http.StatusBadRequest, "InvalidArgument")
		resp, body = e.do(t, http.MethodGet, bucket, "", query("list-type", "2", "continuation-token", "!!not-a-token!!"), nil, nil)
		wantError(t, "bad continuation-token", resp, body, http.StatusBadRequest, "InvalidArgument")
	})
}

// rawList is a ListBucketResult as XML, V1 or V2.
type rawList struct {
	Name, Prefix, Delimiter, Marker, NextMarker, StartAfter, EncodingType string
	IsTruncated                                                           bool
	KeyCount                                                              int
	Contents                                                              []struct {
		Key   string
		Owner *struct{ ID, DisplayName string }
	}
	CommonPrefixes []struct{ Prefix string }
}

// TestListObjectsEncodingURL checks encoding-type=url: keys, prefixes and
// delimiters in the XML are URL-encoded (so even control characters survive
// XML 1.0) and decode back to the stored keys.
func TestListObjectsEncodingURL(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		keys := []string{"ctrl\x01char", "dir one/a+b", "dir one/sp ace", "new\nline", "pct%41", "plus+", "q?&=#", "ü/ö"}
		for _, k := range keys {
			e.putObject(t, bucket, k, []byte("x"))
		}
		for _, lt := range []string{"1", "2"} {
			t.Run("v"+lt, func(t *testing.T) {
				q := query("encoding-type", "url")
				if lt == "2" {
					q.Set("list-type", "2")
				}
				resp, body := e.do(t, http.MethodGet, bucket, "", q, nil, nil)
				wantStatus(t, "list", resp, body, http.StatusOK)
				var got rawList
				must(t, "parse listing", xml.Unmarshal(body, &got))
				if got.EncodingType != "url" {
					t.Errorf("EncodingType: got %q, want url", got.EncodingType)
				}
				var decoded []string
				for _, c := range got.Contents {
					checkURLEncoded(t, c.Key)
					k, err := url.QueryUnescape(c.Key)
					must(t, "unescape "+c.Key, err)
					decoded = append(decoded, k)
				}
				if !slices.Equal(decoded, keys) {
					t.Errorf("decoded keys: got %q, want %q", decoded, keys)
				}

				q.Set("prefix", "dir one/")
				q.Set("delimiter", "+")
				resp, body = e.do(t, http.MethodGet, bucket, "", q, nil, nil)
				wantStatus(t, "list with prefix and delimiter", resp, body, http.StatusOK)
				got = rawList{}
				must(t, "parse listing", xml.Unmarshal(body, &got))
				for _, f := range []struct{ name, raw, want string }{
					{"Prefix", got.Prefix, "dir one/"},
					{"Delimiter", got.Delimiter, "+"},
				} {
					checkURLEncoded(t, f.raw)
					if v, _ := url.QueryUnescape(f.raw); v != f.want {
						t.Errorf("%s: got %q (decoded %q), want %q", f.name, f.raw, v, f.want)
					}
				}
				if len(got.CommonPrefixes) != 1 {
					t.Fatalf("CommonPrefixes: got %d, want 1 (dir one/a+)", len(got.CommonPrefixes))
				}
				checkURLEncoded(t, got.CommonPrefixes[0].Prefix)
				if v, _ := url.QueryUnescape(got.CommonPrefixes[0].Prefix); v != "dir one/a+" {
					t.Errorf("CommonPrefix: got %q (decoded %q), want %q", got.CommonPrefixes[0].Prefix, v, "dir one/a+")
				}
			})
		}
		t.Run("minio-decodes", func(t *testing.T) {
			var listed []string
			for o := range e.mc.ListObjects(ctx(t), bucket, minio.ListObjectsOptions{Recursive: true}) {
				must(t, "minio ListObjects", o.Err)
				listed = append(listed, o.Key)
			}
			if !slices.Equal(listed, keys) {
				t.Errorf("minio ListObjects: got %q, want %q", listed, keys)
			}
		})
	})
}

// checkURLEncoded fails t if s holds a character that URL encoding must
// escape (anything but unreserved characters, '/', '%' escapes and '+').
func checkURLEncoded(t *testing.T, s string) {
	t.Helper()
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~/+%", c) >= 0
		if !ok {
			t.Errorf("%q is not URL-encoded: byte %q at %d", s, c, i)
			return
		}
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				t.Errorf("%q has a bare '%%' at %d", s, i)
				return
			}
		}
	}
}

func isHex(c byte) bool {
	_, err := strconv.ParseUint(string(c), 16, 8)
	return err == nil
}

// TestListObjectsOwner checks fetch-owner: V2 lists owners only when asked,
// V1 always does.
func TestListObjectsOwner(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "owned", []byte("x"))
		out, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
		must(t, "ListObjectsV2", err)
		if len(out.Contents) != 1 || out.Contents[0].Owner != nil {
			t.Errorf("V2 without fetch-owner: got %d entries, owner %+v; want 1 entry without owner", len(out.Contents), ownerOf(out.Contents))
		}
		out, err = e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket, FetchOwner: aws.Bool(true)})
		must(t, "ListObjectsV2 fetch-owner", err)
		if len(out.Contents) != 1 || out.Contents[0].Owner == nil || aws.ToString(out.Contents[0].Owner.ID) == "" {
			t.Errorf("V2 with fetch-owner: got owner %+v, want an owner ID", ownerOf(out.Contents))
		}
		v1, err := e.s3.ListObjects(ctx(t), &s3.ListObjectsInput{Bucket: &bucket})
		must(t, "ListObjects", err)
		if len(v1.Contents) != 1 || v1.Contents[0].Owner == nil || aws.ToString(v1.Contents[0].Owner.ID) == "" {
			t.Errorf("V1: got owner %+v, want an owner ID", ownerOf(v1.Contents))
		}
	})
}

func ownerOf(objs []types.Object) *types.Owner {
	if len(objs) == 0 {
		return nil
	}
	return objs[0].Owner
}

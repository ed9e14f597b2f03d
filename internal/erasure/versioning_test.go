package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

func setVersioning(t testing.TB, l *Layer, bucket, status string) {
	t.Helper()
	if err := l.SetBucketConfig(context.Background(), bucket, storage.ConfigVersioning, []byte(status)); err != nil {
		t.Fatalf("SetBucketConfig(versioning %s): got %v, want nil", status, err)
	}
}

// readVersion reads one version of bucket/key whole.
func readVersion(l *Layer, bucket, key, id string) ([]byte, storage.ObjectInfo, error) {
	o, err := l.OpenObject(context.Background(), bucket, key, storage.GetOptions{VersionID: id})
	if err != nil {
		return nil, storage.ObjectInfo{}, err
	}
	defer o.Close()
	r, err := o.Reader(0, o.Info().Size)
	if err != nil {
		return nil, storage.ObjectInfo{}, err
	}
	b, err := readAllCloser(r)
	return b, o.Info(), err
}

// allVersions lists every version of the bucket, page by page with
// maxKeys, as "key@id" ("*" after delete markers, "!" after the latest).
func allVersions(t testing.TB, l *Layer, bucket string, maxKeys int) []string {
	t.Helper()
	var out []string
	opts := storage.ListVersionsOptions{MaxKeys: maxKeys}
	for range 1000 {
		res, err := l.ListObjectVersions(context.Background(), bucket, opts)
		if err != nil {
			t.Fatalf("ListObjectVersions(%+v): got %v", opts, err)
		}
		if len(res.Versions)+len(res.CommonPrefixes) > maxKeys {
			t.Fatalf("page of %d entries, want at most %d", len(res.Versions)+len(res.CommonPrefixes), maxKeys)
		}
		for _, v := range res.Versions {
			s := v.Key + "@" + versionIDOut(v.VersionID)
			if v.DeleteMarker {
				s += "*"
			}
			if v.IsLatest {
				s += "!"
			}
			out = append(out, s)
		}
		if !res.IsTruncated {
			return out
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	t.Fatal("version listing never ended")
	return nil
}

func listKeys(t testing.TB, l *Layer, bucket string, maxKeys int) []string {
	t.Helper()
	var out []string
	opts := storage.ListOptions{MaxKeys: maxKeys}
	for range 1000 {
		res, err := l.ListObjects(context.Background(), bucket, opts)
		if err != nil {
			t.Fatalf("ListObjects: got %v", err)
		}
		for _, o := range res.Objects {
			out = append(out, o.Key)
		}
		if !res.IsTruncated {
			return out
		}
		if len(res.Objects) == 0 {
			t.Fatalf("truncated page without objects")
		}
		opts.Marker = res.Objects[len(res.Objects)-1].Key
	}
	t.Fatal("listing never ended")
	return nil
}

// TestVersioning runs S3's versioning rules through the engine on one
// drive and on a 2+2 set, with objects inline and in files.
func TestVersioning(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4} {
		for _, size := range []int{100, 300 << 10} {
			t.Run(fmt.Sprintf("%d drives, %d bytes", n, size), func(t *testing.T) {
				t.Parallel()
				testVersioning(t, n, size)
			})
		}
	}
}

func testVersioning(t *testing.T, n, size int) {
	ctx := context.Background()
	l, _ := openTest(t, n, nil)
	mustBucket(t, l, "bkt")
	body := func(i int) []byte { return randBytes(size, uint64(i)) }

	// Unversioned: the null version, replaced in place.
	if info := mustPut(t, l, "bkt", "k", body(0)); info.VersionID != "" || info.Versioned {
		t.Fatalf("unversioned put: got version %q versioned %v, want null, false", info.VersionID, info.Versioned)
	}
	setVersioning(t, l, "bkt", "Enabled")
	v1 := mustPut(t, l, "bkt", "k", body(1))
	v2 := mustPut(t, l, "bkt", "k", body(2))
	if v1.VersionID == "" || v2.VersionID == "" || v1.VersionID == v2.VersionID || !v2.Versioned {
		t.Fatalf("versioned puts: got IDs %q, %q, want two new IDs", v1.VersionID, v2.VersionID)
	}
	for id, want := range map[string][]byte{"": body(2), v2.VersionID: body(2), v1.VersionID: body(1), "null": body(0)} {
		got, info, err := readVersion(l, "bkt", "k", id)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read version %q: got %d bytes, %v; want %d bytes", id, len(got), err, len(want))
		}
		if info.IsLatest != (id == "" || id == v2.VersionID) {
			t.Errorf("read version %q: IsLatest %v", id, info.IsLatest)
		}
	}
	// A delete without a version adds a marker; reads see it.
	dm, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{})
	if err != nil || !dm.DeleteMarker || dm.VersionID == "" {
		t.Fatalf("delete: got %+v, %v; want a delete marker with an ID", dm, err)
	}
	var dme *storage.DeleteMarkerError
	if _, err := l.StatObject(ctx, "bkt", "k", storage.GetOptions{}); !errors.As(err, &dme) || !errors.Is(err, storage.ErrObjectNotFound) || dme.VersionID != dm.VersionID || dme.Named {
		t.Fatalf("stat after delete: got %v, want a delete marker error (not found) naming %s", err, dm.VersionID)
	}
	if _, err := l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: dm.VersionID}); !errors.As(err, &dme) || !errors.Is(err, storage.ErrMethodNotAllowed) || !dme.Named || dme.ModTime.IsZero() {
		t.Fatalf("stat of the marker: got %v, want method not allowed", err)
	}
	if _, err := l.UpdateObject(ctx, "bkt", "k", storage.UpdateOptions{VersionID: dm.VersionID, Tags: map[string]string{"a": "b"}}); !errors.Is(err, storage.ErrMethodNotAllowed) {
		t.Fatalf("tag the marker: got %v, want method not allowed", err)
	}
	other := mustPut(t, l, "bkt", "other", body(3))
	if got := listKeys(t, l, "bkt", 1); strings.Join(got, ",") != "other" {
		t.Fatalf("list after delete: got %v, want [other]", got)
	}
	want := []string{"k@" + dm.VersionID + "*!", "k@" + v2.VersionID, "k@" + v1.VersionID, "k@null", "other@" + other.VersionID + "!"}
	for _, page := range []int{1, 2, 3, 1000} {
		got := allVersions(t, l, "bkt", page)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("versions in pages of %d:\n got %v\nwant %v", page, got, want)
		}
	}
	// Deleting the marker by ID brings v2 back; deleting v2 makes v1 current.
	if got, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: dm.VersionID}); err != nil || !got.DeleteMarker || got.VersionID != dm.VersionID {
		t.Fatalf("delete the marker: got %+v, %v", got, err)
	}
	if got, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: v2.VersionID}); err != nil || got.DeleteMarker || got.VersionID != v2.VersionID {
		t.Fatalf("delete v2: got %+v, %v", got, err)
	}
	if b, _, err := readVersion(l, "bkt", "k", ""); err != nil || !bytes.Equal(b, body(1)) {
		t.Fatalf("read after deleting v2: got %d bytes, %v; want v1", len(b), err)
	}
	if _, err := l.StatObject(ctx, "bkt", "k", storage.GetOptions{VersionID: v2.VersionID}); !errors.Is(err, storage.ErrVersionNotFound) {
		t.Fatalf("stat deleted v2: got %v, want version not found", err)
	}
	// Suspended: a put replaces only the null version, a delete makes a null marker.
	setVersioning(t, l, "bkt", "Suspended")
	s1 := mustPut(t, l, "bkt", "k", body(4))
	if s1.VersionID != "" || !s1.Versioned {
		t.Fatalf("suspended put: got version %q versioned %v, want null, true", s1.VersionID, s1.Versioned)
	}
	want = []string{"k@null!", "k@" + v1.VersionID}
	if got := allVersions(t, l, "bkt", 1000); strings.Join(got[:2], " ") != strings.Join(want, " ") || len(got) != 3 {
		t.Fatalf("after suspended put: got %v, want %v then other", got, want)
	}
	sdm, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{})
	if err != nil || !sdm.DeleteMarker || sdm.VersionID != "" {
		t.Fatalf("suspended delete: got %+v, %v; want a null marker", sdm, err)
	}
	want = []string{"k@null*!", "k@" + v1.VersionID}
	if got := allVersions(t, l, "bkt", 1000); strings.Join(got[:2], " ") != strings.Join(want, " ") {
		t.Fatalf("after suspended delete: got %v, want %v", got, want)
	}
	// Delete naming "null" removes the null marker: v1 is current again.
	if _, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: "null"}); err != nil {
		t.Fatalf("delete null: %v", err)
	}
	if b, _, err := readVersion(l, "bkt", "k", ""); err != nil || !bytes.Equal(b, body(1)) {
		t.Fatalf("read after deleting the null marker: got %d bytes, %v; want v1", len(b), err)
	}
	// Re-enabled: a delete of a missing key still adds a marker.
	setVersioning(t, l, "bkt", "Enabled")
	if got, err := l.DeleteObject(ctx, "bkt", "never", storage.DeleteOptions{}); err != nil || !got.DeleteMarker {
		t.Fatalf("delete of a missing key: got %+v, %v; want a marker", got, err)
	}
	// Removing every version leaves no record and no data.
	for _, v := range allVersions(t, l, "bkt", 1000) {
		key, id, _ := strings.Cut(strings.TrimRight(v, "*!"), "@")
		if _, err := l.DeleteObject(ctx, "bkt", key, storage.DeleteOptions{VersionID: id}); err != nil {
			t.Fatalf("delete %s: %v", v, err)
		}
	}
	if got := allVersions(t, l, "bkt", 1000); len(got) != 0 {
		t.Fatalf("after removing every version: got %v", got)
	}
	if err := l.DeleteBucket(ctx, "bkt", false); err != nil {
		t.Fatalf("delete the emptied bucket: %v", err)
	}
}

// TestVersioningMultipartAndBatch: Complete makes a version; a batch
// delete names versions, markers and plain keys, several of one key.
func TestVersioningMultipartAndBatch(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d drives", n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l, _ := openTest(t, n, nil)
			mustBucket(t, l, "bkt")
			setVersioning(t, l, "bkt", "Enabled")
			a1 := mustPut(t, l, "bkt", "a", []byte("one"))
			healPutParts(t, l, "bkt", "a", randBytes(storage.MinPartSize, 1), []byte("tail"))
			a2, err := l.StatObject(ctx, "bkt", "a", storage.GetOptions{})
			if err != nil || a2.VersionID == "" || a2.VersionID == a1.VersionID || len(a2.Parts) != 2 {
				t.Fatalf("after complete: got %+v, %v; want a new multipart version", a2, err)
			}
			b1 := mustPut(t, l, "bkt", "b", []byte("b"))
			res := l.DeleteObjects(ctx, "bkt", []storage.ObjectRef{
				{Key: "a", VersionID: a1.VersionID}, {Key: "a", VersionID: a2.VersionID},
				{Key: "b"}, {Key: "c", VersionID: "nope"},
			})
			for i, want := range []error{nil, nil, nil, storage.ErrVersionNotFound} {
				wantErr(t, fmt.Sprintf("batch entry %d", i), res[i].Err, want)
			}
			if !res[2].Info.DeleteMarker || res[2].Info.VersionID == "" {
				t.Errorf("batch delete of b: got %+v, want a marker", res[2].Info)
			}
			if res[0].Info.VersionID != a1.VersionID || res[1].Info.VersionID != a2.VersionID {
				t.Errorf("batch deletes of a: got %q, %q", res[0].Info.VersionID, res[1].Info.VersionID)
			}
			want := []string{"b@" + res[2].Info.VersionID + "*!", "b@" + b1.VersionID}
			if got := allVersions(t, l, "bkt", 1000); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("after batch: got %v, want %v", got, want)
			}
			for _, s := range l.sets {
				for pos, d := range s.drives {
					if _, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", "a")); !errors.Is(err, drive.ErrNotFound) {
						t.Errorf("drive %d still holds a's record: %v", pos, err)
					}
				}
			}
		})
	}
}

// TestHealVersions: drives that missed versioned writes, markers and
// removals of old versions get the quorum's whole record back, with the
// data of every version.
func TestHealVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, faulty, _ := healOpen(t, 4, Config{})
	mustBucket(t, l, "bkt")
	setVersioning(t, l, "bkt", "Enabled")
	bodies := map[string][]byte{}
	put := func(key string, size int, seed uint64) string {
		b := randBytes(size, seed)
		info := mustPut(t, l, "bkt", key, b)
		bodies[key+"@"+info.VersionID] = b
		return info.VersionID
	}
	old := put("k", 300<<10, 1)
	put("small", 50, 2)
	faulty[1].SetMode(drive.FaultRemoved)
	put("k", 200<<10, 3)
	put("small", 60, 4)
	if _, err := l.DeleteObject(ctx, "bkt", "small", storage.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeleteObject(ctx, "bkt", "k", storage.DeleteOptions{VersionID: old}); err != nil {
		t.Fatal(err)
	}
	delete(bodies, "k@"+old)
	faulty[1].SetMode(drive.FaultNone)
	faulty[2].SetMode(drive.FaultRemoved)
	put("k", 100, 5)
	faulty[2].SetMode(drive.FaultNone)
	for _, k := range []string{"k", "small"} {
		res, err := l.HealObject(ctx, "bkt", k)
		if err != nil || res.Healed == 0 {
			t.Fatalf("HealObject(%s): got %+v, %v; want drives healed", k, res, err)
		}
		if res, err := l.HealObject(ctx, "bkt", k); err != nil || res.Damaged() {
			t.Fatalf("second HealObject(%s): got damaged %v, %v", k, res.Damaged(), err)
		}
		s := l.setFor("bkt", k)
		var first []meta.Version
		for pos, d := range s.drives {
			b, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", k))
			if err != nil {
				t.Fatalf("%s on drive %d: %v", k, pos, err)
			}
			vs, err := meta.DecodeVersions(b)
			if err != nil {
				t.Fatal(err)
			}
			if pos == 0 {
				first = vs
			} else if !sameVersions(first, vs) {
				t.Fatalf("%s: drive %d holds %d versions, drive 0 %d: records differ after heal", k, pos, len(vs), len(first))
			}
		}
	}
	// Every version is readable with every drive but two data shards' worth gone.
	for kv, want := range bodies {
		key, id, _ := strings.Cut(kv, "@")
		for _, down := range [][]int{{0, 1}, {2, 3}} {
			for _, i := range down {
				faulty[i].SetMode(drive.FaultRemoved)
			}
			got, _, err := readVersion(l, "bkt", key, id)
			for _, i := range down {
				faulty[i].SetMode(drive.FaultNone)
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s with drives %v down: got %d bytes, %v; want %d", kv, down, len(got), err, len(want))
			}
		}
	}
	if got := allVersions(t, l, "bkt", 2); len(got) != 5 || !strings.HasSuffix(got[2], "*!") {
		t.Fatalf("versions after heal: got %v, want k's two, small's marker and two versions", got)
	}
}

// TestVersioningWriteQuorum: a versioned PUT, a delete marker (of a key
// that exists and of one that does not) and the removal of a version that
// miss their write quorum change nothing on the drives that took them.
func TestVersioningWriteQuorum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, faulty, _ := healOpen(t, 4, Config{})
	mustBucket(t, l, "bkt")
	setVersioning(t, l, "bkt", "Enabled")
	v1 := mustPut(t, l, "bkt", "k", []byte("one"))
	want := []string{"k@" + v1.VersionID + "!"}
	faulty[2].SetMode(drive.FaultRemoved)
	faulty[3].SetMode(drive.FaultRemoved)
	if _, err := l.PutObject(ctx, "bkt", "k", newPayload([]byte("two")), storage.PutOptions{}); !errors.Is(err, storage.ErrWriteQuorum) {
		t.Fatalf("put without quorum: got %v, want write quorum", err)
	}
	for _, op := range []struct {
		key  string
		opts storage.DeleteOptions
	}{{"k", storage.DeleteOptions{}}, {"new", storage.DeleteOptions{}}, {"k", storage.DeleteOptions{VersionID: v1.VersionID}}} {
		if _, err := l.DeleteObject(ctx, "bkt", op.key, op.opts); !errors.Is(err, storage.ErrWriteQuorum) {
			t.Fatalf("delete %s %+v without quorum: got %v, want write quorum", op.key, op.opts, err)
		}
	}
	res := l.DeleteObjects(ctx, "bkt", []storage.ObjectRef{{Key: "k"}, {Key: "new2"}})
	for i, r := range res {
		if !errors.Is(r.Err, storage.ErrWriteQuorum) {
			t.Fatalf("batch delete %d without quorum: got %v, want write quorum", i, r.Err)
		}
	}
	faulty[2].SetMode(drive.FaultNone)
	faulty[3].SetMode(drive.FaultNone)
	if got := allVersions(t, l, "bkt", 1000); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("after failed writes: got %v, want %v", got, want)
	}
	for pos, d := range l.setFor("bkt", "k").drives {
		b, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", "k"))
		if err != nil {
			t.Fatalf("k on drive %d: %v", pos, err)
		}
		if vs, err := meta.DecodeVersions(b); err != nil || len(vs) != 1 || vs[0].ID != v1.VersionID {
			t.Fatalf("k on drive %d: got %d versions, %v; want v1 alone", pos, len(vs), err)
		}
	}
	for _, key := range []string{"new", "new2"} {
		for pos, d := range l.setFor("bkt", key).drives {
			if _, err := d.Get(ctx, drive.NSObject, drive.ObjectKey("bkt", key)); !errors.Is(err, drive.ErrNotFound) {
				t.Fatalf("%s on drive %d: got %v, want no record", key, pos, err)
			}
		}
	}
}

// TestListSkipsDeleteMarkers: ListObjects pages leave out keys whose
// newest version is a delete marker and still fill up to MaxKeys, so a
// truncated page is never empty.
func TestListSkipsDeleteMarkers(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d drives", n), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			l, _ := openTest(t, n, nil)
			mustBucket(t, l, "bkt")
			setVersioning(t, l, "bkt", "Enabled")
			var want []string
			for i := range 20 {
				key := fmt.Sprintf("k%02d", i)
				mustPut(t, l, "bkt", key, []byte(key))
				if i%4 != 0 {
					if _, err := l.DeleteObject(ctx, "bkt", key, storage.DeleteOptions{}); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want = append(want, key)
			}
			for _, page := range []int{1, 2, 3, 1000} {
				res, err := l.ListObjects(ctx, "bkt", storage.ListOptions{MaxKeys: page})
				if err != nil || len(res.Objects) != min(page, len(want)) {
					t.Fatalf("first page of %d: got %d objects, %v", page, len(res.Objects), err)
				}
				if got := listKeys(t, l, "bkt", page); strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("pages of %d: got %v, want %v", page, got, want)
				}
			}
		})
	}
}

// TestLoneNullVersionReportsVersioning: a key holding only its null
// version (written before versioning was turned on) reads as versioned
// once the bucket is, so S3's "x-amz-version-id: null" is sent for it;
// in an unversioned bucket it is not.
func TestLoneNullVersionReportsVersioning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _ := openTest(t, 1, nil)
	mustBucket(t, l, "bkt")
	mustPut(t, l, "bkt", "k", []byte("before versioning"))
	read := func() (stat, open bool) {
		info, err := l.StatObject(ctx, "bkt", "k", storage.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		o, err := l.OpenObject(ctx, "bkt", "k", storage.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		return info.Versioned, o.Info().Versioned
	}
	for _, status := range []string{"", "Enabled", "Suspended"} {
		if status != "" {
			setVersioning(t, l, "bkt", status)
		}
		want := status != ""
		if stat, open := read(); stat != want || open != want {
			t.Errorf("versioning %q: got Versioned %v (stat), %v (open), want %v", status, stat, open, want)
		}
	}
}

package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// fakeStore is an in-memory Store: keys are placed in sets by length,
// listings come in pages of two versions (so keys straddle pages), and
// deletes follow S3's versioning rules for a versioned bucket.
type fakeStore struct {
	sets int
	mu   sync.Mutex
	conf []byte
	// keys holds each key's versions, newest first.
	keys    map[string][]storage.ObjectInfo
	uploads []storage.MultipartUpload
	locked  map[string]bool // version IDs that refuse deletion
	deleted map[string]int  // "key@id" (or "key+marker") -> times
	seq     int
}

func newFakeStore(sets int, conf string) *fakeStore {
	return &fakeStore{sets: sets, conf: []byte(conf), keys: map[string][]storage.ObjectInfo{}, locked: map[string]bool{}, deleted: map[string]int{}}
}

func (f *fakeStore) put(key string, mod time.Time, marker bool) string {
	f.seq++
	id := fmt.Sprintf("v%d", f.seq)
	f.keys[key] = append([]storage.ObjectInfo{{Key: key, VersionID: id, ModTime: mod, DeleteMarker: marker, Size: 1, ETag: id}}, f.keys[key]...)
	return id
}

func (f *fakeStore) setOf(key string) int { return len(key) % f.sets }

func (f *fakeStore) ListBuckets(context.Context) ([]storage.BucketInfo, error) {
	return []storage.BucketInfo{{Name: "b", Configs: map[string][]byte{ConfigName: f.conf}}, {Name: "none"}}, nil
}

func (f *fakeStore) Sets() int { return f.sets }

func (f *fakeStore) ListSetVersions(_ context.Context, set int, _ string, o storage.ListVersionsOptions) (storage.ListVersionsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for k := range f.keys {
		if f.setOf(k) == set {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var all []storage.ObjectInfo
	for _, k := range names {
		all = append(all, f.keys[k]...)
	}
	start := 0
	for i, v := range all {
		if o.KeyMarker != "" && v.Key == o.KeyMarker && v.VersionID == o.VersionIDMarker {
			start = i + 1
		}
	}
	end := min(start+2, len(all))
	res := storage.ListVersionsResult{Versions: all[start:end], IsTruncated: end < len(all)}
	if res.IsTruncated {
		res.NextKeyMarker, res.NextVersionIDMarker = all[end-1].Key, all[end-1].VersionID
	}
	return res, nil
}

func (f *fakeStore) EachSetUpload(_ context.Context, set int, _ string, fn func(storage.MultipartUpload) error) error {
	for _, u := range append([]storage.MultipartUpload(nil), f.uploads...) {
		if f.setOf(u.Key) == set {
			if err := fn(u); err != nil {
				return err
			}
		}
	}
	return nil
}

func (f *fakeStore) StatObject(_ context.Context, _, key string, o storage.GetOptions) (storage.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	vs := f.keys[key]
	if len(vs) == 0 || o.VersionID == "" && vs[0].DeleteMarker {
		return storage.ObjectInfo{}, storage.ErrObjectNotFound
	}
	return vs[0], nil
}

func (f *fakeStore) DeleteObject(_ context.Context, _, key string, o storage.DeleteOptions) (storage.ObjectInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.VersionID == "" { // a delete marker over the current version
		f.deleted[key+"+marker"]++
		f.seq++
		f.keys[key] = append([]storage.ObjectInfo{{Key: key, VersionID: fmt.Sprintf("v%d", f.seq), ModTime: time.Now(), DeleteMarker: true}}, f.keys[key]...)
		return storage.ObjectInfo{}, nil
	}
	if f.locked[o.VersionID] {
		return storage.ObjectInfo{}, errFakeLocked
	}
	vs := f.keys[key]
	for i := range vs {
		if vs[i].VersionID == o.VersionID {
			f.deleted[key+"@"+o.VersionID]++
			f.keys[key] = append(vs[:i:i], vs[i+1:]...)
			if len(f.keys[key]) == 0 {
				delete(f.keys, key)
			}
			return storage.ObjectInfo{}, nil
		}
	}
	return storage.ObjectInfo{}, storage.ErrVersionNotFound
}

func (f *fakeStore) AbortMultipartUpload(_ context.Context, _, key, id string) error {
	for i, u := range f.uploads {
		if u.UploadID == id {
			f.uploads = append(f.uploads[:i], f.uploads[i+1:]...)
			f.deleted[key+"#"+id]++
			return nil
		}
	}
	return storage.ErrUploadNotFound
}

// errFakeLocked is the fake store's refusal of a locked version.
var errFakeLocked = errors.New("locked")

func fakeProtected(err error) bool { return errors.Is(err, errFakeLocked) }

const workerRules = `<LifecycleConfiguration>` +
	`<Rule><ID>cur</ID><Filter><Prefix>cur/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>` +
	`<Rule><ID>nc</ID><Filter><Prefix>nc/</Prefix></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>` +
	`<Rule><ID>dm</ID><Filter><Prefix>dm/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>` +
	`<Rule><ID>mp</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>` +
	`</LifecycleConfiguration>`

func TestWorkerPass(t *testing.T) {
	day0 := ts("2024-05-01T10:00:00Z")
	f := newFakeStore(1, workerRules)
	f.put("cur/a", day0, false)
	f.put("keep", day0, false)
	nc1 := f.put("nc/k", day0, false)
	nc2 := f.put("nc/k", day0.Add(time.Hour), false)
	f.put("nc/k", day0.Add(2*time.Hour), false)
	f.put("dm/k", day0, true)
	locked := f.put("nc/l", day0, false)
	f.put("nc/l", day0.Add(time.Hour), false)
	f.put("nc/l", day0.Add(2*time.Hour), false)
	f.locked[locked] = true
	f.uploads = []storage.MultipartUpload{{Key: "up", UploadID: "u1", Initiated: day0}}

	now := day0
	w := NewWorker(WorkerConfig{Store: f, Rate: -1, Protected: fakeProtected, Now: func() time.Time { return now }})
	w.Pass(context.Background()) // nothing is due on day 0 but the lone marker
	if st := w.Status(); st.Total != (Counts{Scanned: 10, DeleteMarkers: 1}) || st.Passes != 1 {
		t.Fatalf("day 0: got %+v", st)
	}
	now = ts("2024-05-03T00:00:00Z") // cur/a and nc/k v1 are due (midnight after day0 + 1 day)
	w.Pass(context.Background())
	now = ts("2024-05-04T00:00:00Z") // the upload is due
	w.Pass(context.Background())
	st := w.Status()
	// The locked version is tried, and held, in both passes.
	want := Counts{Expired: 1, Noncurrent: 1, DeleteMarkers: 1, Aborted: 1, Held: 2}
	got := st.Total
	got.Scanned = 0
	if got != want {
		t.Errorf("after day 3: got %+v, want %+v", st.Total, want)
	}
	for k, n := range map[string]int{"cur/a+marker": 1, "nc/k@" + nc1: 1, "nc/k@" + nc2: 0, "up#u1": 1} {
		if f.deleted[k] != n {
			t.Errorf("%s deleted %d times, want %d (all: %v)", k, f.deleted[k], n, f.deleted)
		}
	}
	if st.LastError != "" || len(f.keys["nc/l"]) != 3 {
		t.Errorf("a locked version: got error %q and %d versions, want no error and all 3 kept", st.LastError, len(f.keys["nc/l"]))
	}
	// A restarted worker starts a pass from scratch: it finds nothing
	// left to do but the locked version. This one is not told which
	// refusals are object lock's, so it counts the refusal as an error.
	again := NewWorker(WorkerConfig{Store: f, Rate: -1, Now: func() time.Time { return now }})
	again.Pass(context.Background())
	if got := again.Status().Total; got.Expired+got.Noncurrent+got.DeleteMarkers+got.Aborted != 0 || got.Errors != 1 || got.Held != 0 {
		t.Errorf("a repeated pass: got %+v, want no action and the locked version's error", got)
	}
}

// TestWorkersShareSets runs three workers over four sets, each owning the
// sets i%3: every due version is deleted exactly once.
func TestWorkersShareSets(t *testing.T) {
	day0 := ts("2024-05-01T10:00:00Z")
	f := newFakeStore(4, workerRules)
	for i := range 40 {
		f.put(fmt.Sprintf("cur/%0*d", 1+i%7, i), day0, false)
	}
	now := ts("2024-06-01T00:00:00Z")
	var total Counts
	seen := map[int]bool{}
	for n := range 3 {
		w := NewWorker(WorkerConfig{Store: f, Rate: -1, Now: func() time.Time { return now }, Owns: func(set int) bool { return set%3 == n }})
		w.Pass(context.Background())
		st := w.Status()
		total.add(st.Total)
		for _, s := range st.Sets {
			if seen[s] {
				t.Errorf("set %d owned twice", s)
			}
			seen[s] = true
		}
	}
	if total.Expired != 40 || len(seen) != 4 {
		t.Errorf("got %+v over sets %v, want 40 expired over 4 sets", total, seen)
	}
	for k, n := range f.deleted {
		if n != 1 {
			t.Errorf("%s deleted %d times", k, n)
		}
	}
}

func TestPacerBoundsRate(t *testing.T) {
	p := newPacer(200)
	start := time.Now()
	for range 60 {
		if err := p.wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("60 items at 200/s took %v, want at least 250ms", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait on a cancelled context: got %v", err)
	}
}

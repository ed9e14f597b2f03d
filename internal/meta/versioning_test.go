package meta

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// ids lists the version IDs of r, newest first, with "null" for "" and a
// "*" after delete markers.
func ids(r *Record) string {
	var out []string
	for _, v := range r.Versions {
		id := v.ID
		if id == "" {
			id = NullVersionID
		}
		if v.DeleteMarker {
			id += "*"
		}
		out = append(out, id)
	}
	return strings.Join(out, " ")
}

// TestVersionRules runs sequences of writes and deletes in each bucket
// state and checks the record and what each step replaced or removed.
func TestVersionRules(t *testing.T) {
	type step struct {
		state Versioning
		op    string // "put", "delete" (no version named), "delete ID"
		fresh string // the ID a versioned write gets
		// want is the record after the step; gone the ID replaced or
		// removed ("-" for none).
		want, gone string
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"unversioned put replaces the null version", []step{
			{Unversioned, "put", "a", "null", "-"},
			{Unversioned, "put", "b", "null", "null"},
		}},
		{"unversioned delete removes the null version", []step{
			{Unversioned, "put", "a", "null", "-"},
			{Unversioned, "delete", "b", "", "null"},
		}},
		{"enabled puts add versions newest first", []step{
			{VersioningEnabled, "put", "v1", "v1", "-"},
			{VersioningEnabled, "put", "v2", "v2 v1", "-"},
		}},
		{"enabled keeps the null version written before", []step{
			{Unversioned, "put", "x", "null", "-"},
			{VersioningEnabled, "put", "v1", "v1 null", "-"},
		}},
		{"enabled delete adds a marker, even of a missing key", []step{
			{VersioningEnabled, "delete", "m1", "m1*", "-"},
			{VersioningEnabled, "put", "v1", "v1 m1*", "-"},
			{VersioningEnabled, "delete", "m2", "m2* v1 m1*", "-"},
			{VersioningEnabled, "delete", "m3", "m3* m2* v1 m1*", "-"},
		}},
		{"delete naming a version removes it for good", []step{
			{VersioningEnabled, "put", "v1", "v1", "-"},
			{VersioningEnabled, "put", "v2", "v2 v1", "-"},
			{VersioningEnabled, "delete v1", "", "v2", "v1"},
			{VersioningEnabled, "delete", "m1", "m1* v2", "-"},
			{VersioningEnabled, "delete m1", "", "v2", "m1"},
		}},
		{"suspended put replaces only the null version", []step{
			{VersioningEnabled, "put", "v1", "v1", "-"},
			{VersioningSuspended, "put", "x", "null v1", "-"},
			{VersioningSuspended, "put", "y", "null v1", "null"},
			{VersioningEnabled, "put", "v2", "v2 null v1", "-"},
			{VersioningSuspended, "put", "z", "null v2 v1", "null"},
		}},
		{"suspended delete makes a null marker in place of the null version", []step{
			{Unversioned, "put", "x", "null", "-"},
			{VersioningEnabled, "put", "v1", "v1 null", "-"},
			{VersioningSuspended, "delete", "y", "null* v1", "null"},
			{VersioningSuspended, "delete", "z", "null* v1", "null"},
			{VersioningSuspended, "delete null", "", "v1", "null"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Record{}
			for i, s := range tc.steps {
				gone := "-"
				op, named, hasID := strings.Cut(s.op, " ")
				switch {
				case op == "put" || (op == "delete" && PlanDelete(s.state, hasID) == AddMarker):
					v := Version{ID: WriteID(s.state, s.fresh), DeleteMarker: op == "delete"}
					if old := r.Add(v); old != nil {
						gone = old.ID
					}
				case op == "delete":
					if named == NullVersionID {
						named = ""
					}
					if old, ok := r.Remove(named); ok {
						gone = old.ID
					}
				}
				if gone == "" {
					gone = NullVersionID
				}
				if got := ids(r); got != s.want || gone != s.gone {
					t.Fatalf("step %d (%s): got record %q, gone %q; want %q, %q", i, s.op, got, gone, s.want, s.gone)
				}
			}
		})
	}
}

func TestPlanDelete(t *testing.T) {
	for _, tc := range []struct {
		state Versioning
		named bool
		want  DeleteAction
	}{
		{Unversioned, false, RemoveVersion},
		{Unversioned, true, RemoveVersion},
		{VersioningEnabled, false, AddMarker},
		{VersioningEnabled, true, RemoveVersion},
		{VersioningSuspended, false, AddMarker},
		{VersioningSuspended, true, RemoveVersion},
	} {
		if got := PlanDelete(tc.state, tc.named); got != tc.want {
			t.Errorf("PlanDelete(%v, %v) = %v, want %v", tc.state, tc.named, got, tc.want)
		}
	}
}

func TestParseVersioning(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want Versioning
		bad  bool
	}{
		{"", Unversioned, false},
		{"Enabled", VersioningEnabled, false},
		{"Suspended", VersioningSuspended, false},
		{"enabled", Unversioned, true},
	} {
		got, err := ParseVersioning([]byte(tc.doc))
		if got != tc.want || (err != nil) != tc.bad {
			t.Errorf("ParseVersioning(%q) = %v, %v; want %v, error %v", tc.doc, got, err, tc.want, tc.bad)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("ParseVersioning(%q): error %v does not wrap ErrCorrupt", tc.doc, err)
		}
		if !tc.bad && got.Status() != tc.doc {
			t.Errorf("%v.Status() = %q, want %q", got, got.Status(), tc.doc)
		}
	}
}

func TestNewVersionID(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var got []string
	seen := map[string]bool{}
	for i := range 200 {
		id, err := NewVersionID(base.Add(time.Duration(i/4)*time.Millisecond), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 36 || id[14] != '7' || seen[id] {
			t.Fatalf("id %q: want a new 36-character UUIDv7", id)
		}
		seen[id] = true
		got = append(got, id)
	}
	// IDs of later milliseconds sort after earlier ones.
	for i := 4; i < len(got); i++ {
		if got[i] <= got[i-4-i%4] {
			t.Fatalf("id %d %q sorts before an earlier millisecond's %q", i, got[i], got[i-4-i%4])
		}
	}
	// The same clock and different randomness give different IDs.
	a, _ := NewVersionID(base, bytes.NewReader(bytes.Repeat([]byte{1}, 10)))
	b, _ := NewVersionID(base, bytes.NewReader(bytes.Repeat([]byte{2}, 10)))
	if a == b {
		t.Fatalf("ids from one millisecond with different randomness are equal: %q", a)
	}
	if _, err := NewVersionID(base, bytes.NewReader(nil)); err == nil {
		t.Fatal("id without randomness: no error")
	}
	sorted := append([]string(nil), got...)
	sort.Strings(sorted)
	if sorted[0][:13] != got[0][:13] || sorted[len(sorted)-1][:13] != got[len(got)-1][:13] {
		t.Fatalf("ids do not sort by time: first %q last %q", sorted[0], sorted[len(sorted)-1])
	}
}

func TestDecodeVersions(t *testing.T) {
	r := sampleRecord()
	got, err := DecodeVersions(EncodeRecord(r))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(r.Versions) {
		t.Fatalf("got %d versions, want %d", len(got), len(r.Versions))
	}
	for i := range got {
		want := r.Versions[i]
		want.Metadata, want.Tags, want.Parts = nil, nil, nil
		if !reflect.DeepEqual(got[i], want) {
			t.Errorf("version %d: got %+v, want %+v", i, got[i], want)
		}
	}
	enc := EncodeRecord(r)
	for n := range len(enc) {
		if _, err := DecodeVersions(enc[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: got %v, want ErrCorrupt", n, err)
		}
	}
}

func TestAppendNewest(t *testing.T) {
	r := sampleRecord()
	enc := EncodeRecord(r)
	cut, ok := AppendNewest([]byte("prefix"), enc)
	if !ok || !bytes.HasPrefix(cut, []byte("prefix")) {
		t.Fatalf("AppendNewest: ok %v", ok)
	}
	cut = cut[len("prefix"):]
	got, err := DecodeRecord(cut)
	if err != nil || len(got.Versions) != 1 || !reflect.DeepEqual(got.Versions[0], r.Versions[0]) {
		t.Fatalf("cut record: got %+v, %v; want the newest version alone", got, err)
	}
	a, _, errA := DecodeListed(enc)
	b, _, errB := DecodeListed(cut)
	if errA != nil || errB != nil || !a.SameWrite(&b) || a.Size != b.Size || string(a.StorageClass) != string(b.StorageClass) {
		t.Fatalf("listed fields differ: %+v / %+v (%v, %v)", a, b, errA, errB)
	}
	if len(cut) >= len(enc) {
		t.Fatalf("cut record of %d bytes, whole %d: want shorter", len(cut), len(enc))
	}
	buf := make([]byte, 0, len(enc))
	if n := testing.AllocsPerRun(100, func() { AppendNewest(buf[:0], enc) }); n != 0 {
		t.Errorf("AppendNewest into room enough: %v allocations, want 0", n)
	}
	empty := EncodeRecord(&Record{})
	if out, ok := AppendNewest(nil, empty); !ok || !bytes.Equal(out, empty) {
		t.Fatalf("empty record: got %x, %v", out, ok)
	}
	// The newest version ends where the cut record does (a one-byte
	// count in both): a record cut before is refused, one cut after is not.
	for n := range len(enc) {
		if _, ok := AppendNewest(nil, enc[:n]); ok != (n >= len(cut)) {
			t.Fatalf("record truncated to %d bytes (newest ends at %d): ok %v", n, len(cut), ok)
		}
	}
}

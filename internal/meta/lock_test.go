package meta

import (
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Records written before object lock existed: one version and one upload,
// as the earlier codec encoded them.
const (
	preLockRecord = "014f0100027631000000000000000000000000000000008080d0e2c6bfce972f060165000000020c636f6e74656e742d747970650a746578742f706c61696e0000010080804001000000"
	preLockUpload = "01550275318080d0e2c6bfce972f00000000000100808040010000000000000000000000000000000000"
)

func TestPreLockRecordsDecode(t *testing.T) {
	b, _ := hex.DecodeString(preLockRecord)
	rec, err := DecodeRecord(b)
	if err != nil {
		t.Fatalf("decode old record: got %v, want nil", err)
	}
	want := &Record{Versions: []Version{{ID: "v1", ModTime: time.Unix(1700000000, 0).UTC(), Size: 3, ETag: "e",
		Metadata: map[string]string{"content-type": "text/plain"}, Erasure: Erasure{Data: 1, BlockSize: 1 << 20, Index: 1}}}}
	if !reflect.DeepEqual(rec, want) {
		t.Errorf("old record: got %+v, want %+v", rec, want)
	}
	if got := hex.EncodeToString(EncodeRecord(want)); got != preLockRecord {
		t.Errorf("a version without lock must encode as before: got %s", got)
	}
	b, _ = hex.DecodeString(preLockUpload)
	u, err := DecodeUpload(b)
	if err != nil {
		t.Fatalf("decode old upload: got %v, want nil", err)
	}
	if !u.Lock.IsZero() || u.ID != "u1" {
		t.Errorf("old upload: got %+v", u)
	}
	if got := hex.EncodeToString(EncodeUpload(u)); got != preLockUpload {
		t.Errorf("an upload without lock must encode as before: got %s", got)
	}
}

func TestLockRoundTrip(t *testing.T) {
	until := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	locks := []storage.ObjectLock{
		{Mode: "COMPLIANCE", RetainUntil: until},
		{LegalHold: "ON"},
		{Mode: "GOVERNANCE", RetainUntil: until, LegalHold: "OFF"},
	}
	for _, lk := range locks {
		t.Run(lk.Mode+lk.LegalHold, func(t *testing.T) {
			rec := sampleRecord()
			rec.Versions[1].Lock = lk
			got, err := DecodeRecord(EncodeRecord(rec))
			if err != nil || !reflect.DeepEqual(got, rec) {
				t.Fatalf("record: got %+v, %v; want %+v", got, err, rec)
			}
			vs, err := DecodeVersions(EncodeRecord(rec))
			if err != nil || vs[1].Lock != lk || !vs[0].Lock.IsZero() {
				t.Errorf("DecodeVersions: got %+v, %v; want lock %+v on the second", vs, err, lk)
			}
			rec.Versions[0].Lock = lk
			v, ok, err := DecodeLatest(EncodeRecord(rec))
			if err != nil || !ok || v.Lock != lk {
				t.Errorf("DecodeLatest: got %+v, %v", v.Lock, err)
			}
			u := &Upload{ID: "u", Lock: lk, Erasure: Erasure{Data: 1, BlockSize: 1 << 20}}
			gu, err := DecodeUpload(EncodeUpload(u))
			if err != nil || gu.Lock != lk {
				t.Errorf("upload: got %+v, %v; want lock %+v", gu, err, lk)
			}
		})
	}
}

func TestListingReadsLockedRecords(t *testing.T) {
	rec := versionedRecord(3)
	for i := range rec.Versions {
		rec.Versions[i].Lock = storage.ObjectLock{Mode: "GOVERNANCE", RetainUntil: time.Unix(1900000000, 0).UTC(), LegalHold: "ON"}
	}
	b := EncodeRecord(rec)
	checkListedMatchesLatest(t, b)
	cut, ok := AppendNewest(nil, b)
	if !ok {
		t.Fatalf("AppendNewest of a locked record: not ok")
	}
	got, err := DecodeRecord(cut)
	if err != nil || len(got.Versions) != 1 || got.Versions[0].Lock != rec.Versions[0].Lock {
		t.Fatalf("AppendNewest: got %+v, %v", got, err)
	}
}

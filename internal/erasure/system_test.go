package erasure

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
)

func TestSystemRecord(t *testing.T) {
	ctx := context.Background()
	l, faulty, _ := openFaulty(t, 4, Config{})
	if v, err := l.GetSystem(ctx, "iam"); err != nil || v != nil {
		t.Fatalf("GetSystem of nothing: got %q, %v, want nil, nil", v, err)
	}
	set := func(v string) func([]byte) ([]byte, error) {
		return func([]byte) ([]byte, error) { return []byte(v), nil }
	}
	if err := l.UpdateSystem(ctx, "iam", set("one")); err != nil {
		t.Fatal(err)
	}
	var seen []byte
	refuse := errors.New("refused")
	err := l.UpdateSystem(ctx, "iam", func(old []byte) ([]byte, error) { seen = old; return nil, refuse })
	if !errors.Is(err, refuse) || string(seen) != "one" {
		t.Fatalf("failing fn: got %v (saw %q), want the fn's error after seeing \"one\"", err, seen)
	}
	// One drive down: writes and reads still reach quorum.
	faulty[0].SetMode(drive.FaultEIO)
	if err := l.UpdateSystem(ctx, "iam", set("two")); err != nil {
		t.Fatalf("one drive down: %v", err)
	}
	if v, err := l.GetSystem(ctx, "iam"); err != nil || string(v) != "two" {
		t.Fatalf("got %q, %v, want two", v, err)
	}
	// Three down: the write fails and leaves the record as it was.
	faulty[1].SetMode(drive.FaultEIO)
	faulty[2].SetMode(drive.FaultEIO)
	if err := l.UpdateSystem(ctx, "iam", set("three")); err == nil {
		t.Fatal("three drives down: got nil, want a quorum error")
	}
	for _, f := range faulty {
		f.SetMode(drive.FaultNone)
	}
	if v, err := l.GetSystem(ctx, "iam"); err != nil || !bytes.Equal(v, []byte("two")) {
		t.Fatalf("after a failed write: got %q, %v, want two", v, err)
	}
	// A drive that missed writes gets the record back.
	faulty[3].SetMode(drive.FaultEIO)
	if err := l.UpdateSystem(ctx, "iam", set("four")); err != nil {
		t.Fatal(err)
	}
	faulty[3].SetMode(drive.FaultNone)
	n, err := l.HealSystem(ctx, "iam")
	if err != nil || n < 1 {
		t.Fatalf("HealSystem: got %d, %v, want at least 1 drive repaired", n, err)
	}
	if v, err := faulty[3].Get(ctx, drive.NSSystem, systemKey("iam")); err != nil || string(v) != "four" {
		t.Fatalf("the repaired drive holds %q, %v, want four", v, err)
	}
	if n, err := l.HealSystem(ctx, "iam"); err != nil || n != 0 {
		t.Errorf("second HealSystem: got %d, %v, want 0", n, err)
	}
}

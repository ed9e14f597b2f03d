package erasure

import (
	"context"
	"testing"

	"github.com/hoardstore/hoard/internal/drive"
)

// TestStorageInfoFaultModes: StorageInfo reports a drive that does not
// answer as offline and leaves it out of the capacity; a read-only or
// slow drive still answers and counts.
func TestStorageInfoFaultModes(t *testing.T) {
	tests := []struct {
		mode drive.FaultMode
		want string
	}{
		{drive.FaultNone, "online"},
		{drive.FaultRemoved, "offline"},
		{drive.FaultEIO, "offline"},
		{drive.FaultReadOnly, "online"},
		{drive.FaultSlow, "online"},
	}
	l, faulty, _ := openFaulty(t, 4, Config{})
	ctx := context.Background()
	all, err := l.StorageInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			faulty[1].SetMode(tt.mode)
			defer faulty[1].SetMode(drive.FaultNone)
			info, err := l.StorageInfo(ctx)
			if err != nil {
				t.Fatalf("StorageInfo: got %v, want nil", err)
			}
			for i, d := range info.Drives {
				want := "online"
				if i == 1 {
					want = tt.want
				}
				if d.State != want {
					t.Errorf("drive %d: got %q, want %q", i, d.State, want)
				}
			}
			wantRaw := all.RawBytes
			if tt.want == "offline" {
				wantRaw -= all.Drives[1].TotalBytes
			}
			if info.RawBytes != wantRaw || info.UsableBytes != info.RawBytes/2 {
				t.Errorf("capacity: got raw %d usable %d, want raw %d usable %d", info.RawBytes, info.UsableBytes, wantRaw, wantRaw/2)
			}
		})
	}
}

package erasure

import (
	"github.com/hoardstore/hoard/internal/drive"
)

// driveState is the state StorageInfo reports for drive d: "corrupt" or
// "offline" for the place of a missing drive, "offline" if d does not
// answer (err), "healing" while it is stale (replaced, or it missed
// writes) and being rebuilt, else "online".
func (l *Layer) driveState(d drive.Drive, err error) string {
	if h, ok := d.(*slotDrive); ok && !h.attached() {
		return h.state()
	}
	if err != nil {
		return stateOffline
	}
	if l.isStale(d) {
		return stateHealing
	}
	return stateOnline
}

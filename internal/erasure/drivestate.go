package erasure

import (
	"slices"

	"github.com/hoardstore/hoard/internal/drive"
)

// markRebuilding records that the drive at endpoint was formatted in place
// of a lost one and holds nothing yet.
func (l *Layer) markRebuilding(endpoint string) {
	l.rebuildMu.Lock()
	l.rebuilding[endpoint] = true
	l.rebuildMu.Unlock()
}

// RebuildingDrives returns, sorted, the endpoints of the drives formatted
// in place of lost ones (at start or since) that healing has not yet
// reported rebuilt with DriveRebuilt. Every object must be healed onto
// them; StorageInfo reports them as "healing".
func (l *Layer) RebuildingDrives() []string {
	l.rebuildMu.Lock()
	defer l.rebuildMu.Unlock()
	out := make([]string, 0, len(l.rebuilding))
	for ep := range l.rebuilding {
		out = append(out, ep)
	}
	slices.Sort(out)
	return out
}

// DriveRebuilt records that healing has visited every object since the
// drive at endpoint was formatted, so it holds its share of every object
// again; StorageInfo then reports it "online".
func (l *Layer) DriveRebuilt(endpoint string) {
	l.rebuildMu.Lock()
	delete(l.rebuilding, endpoint)
	l.rebuildMu.Unlock()
}

// driveState is the state StorageInfo reports for drive d: "corrupt" or
// "offline" for the place of a missing drive, "offline" if d does not
// answer (err), "healing" while it is being rebuilt, else "online".
func (l *Layer) driveState(d drive.Drive, err error) string {
	if h, ok := d.(*slotDrive); ok && !h.attached() {
		return h.state()
	}
	if err != nil {
		return stateOffline
	}
	l.rebuildMu.Lock()
	defer l.rebuildMu.Unlock()
	if l.rebuilding[d.Endpoint()] {
		return stateHealing
	}
	return stateOnline
}

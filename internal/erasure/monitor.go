package erasure

import (
	"context"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// DefaultMonitorInterval is how often the engine probes drives that were
// missing at start.
const DefaultMonitorInterval = 5 * time.Second

// monitor probes, while the engine runs, the listed drives that were not
// placed at start (absent, or with a bad format) and attaches each to its
// place once it answers: a drive that carries the place's drive ID comes
// back as it is; a blank drive is formatted with the ID of a free place
// and reported as rebuilding, for healing to fill.
type monitor struct {
	l      *Layer
	ref    drive.Format
	open   opener
	spares []*probe
	slots  []*slotDrive // places without a drive, in position order
	pos    map[*slotDrive]int
	logged map[string]string // endpoint -> last problem logged

	ctx    context.Context // cancelled by close: ends a round's probes at once
	cancel context.CancelFunc
	done   chan struct{}
}

func newMonitor(l *Layer, sp *startPlan, open opener, slots []*slotDrive, pos map[*slotDrive]int) *monitor {
	ctx, cancel := context.WithCancel(context.Background())
	return &monitor{
		l: l, ref: sp.ref, open: open, spares: sp.spare, slots: slots, pos: pos,
		logged: map[string]string{}, ctx: ctx, cancel: cancel, done: make(chan struct{}),
	}
}

func (m *monitor) run(interval time.Duration) {
	defer close(m.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
		}
		if m.round() {
			return
		}
	}
}

// close stops the monitor, cancelling a round in progress, and closes
// the listed drives it never attached.
func (m *monitor) close() {
	m.cancel()
	<-m.done
	for _, p := range m.spares {
		if p.d != nil {
			p.d.Close()
			p.d = nil
		}
	}
}

// round probes every spare once; it returns true when every place has a drive.
func (m *monitor) round() bool {
	ctx, cancel := context.WithTimeout(m.ctx, time.Minute)
	defer cancel()
	kept := m.spares[:0]
	for _, p := range m.spares {
		p.read(ctx, m.open)
		if !m.tryAttach(ctx, p) {
			kept = append(kept, p)
		}
	}
	m.spares = kept
	for _, s := range m.slots {
		if !s.attached() {
			return false
		}
	}
	return true
}

// tryAttach puts p into its place if it can; it reports whether it did.
func (m *monitor) tryAttach(ctx context.Context, p *probe) bool {
	log := m.l.log.With("drive", p.endpoint)
	expected := m.slotFor(p.endpoint)
	switch p.state {
	case probeAbsent:
		m.note(p.endpoint, "offline", func() { log.Warn("drive still offline", "err", p.err) })
	case probeCorrupt:
		if expected != nil {
			expected.corrupt.Store(true)
		}
		m.note(p.endpoint, "corrupt", func() {
			log.Error("drive has a corrupt format record: kept out of service; empty it to have it formatted and rebuilt", "err", p.err)
		})
	case probeFormatted:
		return m.attachFormatted(p, expected)
	case probeBlank:
		return m.attachBlank(ctx, p, expected)
	}
	return false
}

func (m *monitor) attachFormatted(p *probe, expected *slotDrive) bool {
	log := m.l.log.With("drive", p.endpoint)
	if p.f.Deployment != m.ref.Deployment {
		if expected != nil {
			expected.corrupt.Store(true)
		}
		m.note(p.endpoint, "foreign", func() {
			log.Error("drive belongs to another deployment: not used; empty it to have it formatted into this one", "deployment", p.f.Deployment, "want", m.ref.Deployment)
		})
		return false
	}
	for _, s := range m.slots {
		if s.id == p.f.DriveID && !s.attached() {
			s.attach(p.d)
			log.Info("drive is back online", "set", m.pos[s]/len(m.ref.Sets[0])+1, "position", m.pos[s]%len(m.ref.Sets[0])+1)
			return true
		}
	}
	m.note(p.endpoint, "duplicate", func() {
		log.Error("drive carries a drive ID that is already online or unknown: not used", "drive_id", p.f.DriveID)
	})
	return false
}

func (m *monitor) attachBlank(ctx context.Context, p *probe, expected *slotDrive) bool {
	s := expected
	if s == nil || s.attached() {
		s = nil
		for _, c := range m.slots {
			if !c.attached() && !m.claimed(c) {
				s = c
				break
			}
		}
	}
	if s == nil {
		return false
	}
	f := drive.Format{Version: drive.FormatVersion, Deployment: m.ref.Deployment, DriveID: s.id, Sets: m.ref.Sets}
	if err := p.d.WriteFormat(ctx, f); err != nil {
		m.note(p.endpoint, "format failed", func() { m.l.log.Warn("formatting a replacement drive failed", "drive", p.endpoint, "err", err) })
		return false
	}
	s.attach(p.d)
	m.l.markRebuilding(p.endpoint)
	m.l.log.Warn("formatted an empty drive in place of a lost one: healing must rebuild it",
		"drive", p.endpoint, "drive_id", s.id, "set", m.pos[s]/len(m.ref.Sets[0])+1, "position", m.pos[s]%len(m.ref.Sets[0])+1)
	return true
}

// slotFor returns the free place expected to be filled by endpoint.
func (m *monitor) slotFor(endpoint string) *slotDrive {
	for _, s := range m.slots {
		if s.endpoint == endpoint && !s.attached() {
			return s
		}
	}
	return nil
}

// claimed reports whether another spare is expected in place s: a blank
// drive must not take the place of a drive that may still come back.
func (m *monitor) claimed(s *slotDrive) bool {
	for _, p := range m.spares {
		if p.endpoint == s.endpoint && p.state != probeBlank {
			return true
		}
	}
	return false
}

// note runs logf when endpoint's problem differs from the last one logged.
func (m *monitor) note(endpoint, problem string, logf func()) {
	if m.logged[endpoint] == problem {
		return
	}
	m.logged[endpoint] = problem
	logf()
}

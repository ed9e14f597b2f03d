package erasure

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
)

// Start-up: every listed drive is probed for its format record; the
// records must agree on one deployment and set layout; drives are placed
// in their sets by drive ID (the listed order does not matter); blank
// drives take the places of lost ones; and start waits, bounded by
// Config.StartTimeout, until every set has enough drives for its write
// quorum. Problems no wait can fix (a drive of another deployment, two
// drives with one ID, a layout that does not match the drive count) fail
// at once with a message naming the drives.

// probeState classifies a listed drive at start.
type probeState int

const (
	// probeAbsent: the drive could not be opened or its format not read.
	probeAbsent probeState = iota
	// probeBlank: the drive answers and holds no format record.
	probeBlank
	// probeFormatted: the drive holds a valid format record.
	probeFormatted
	// probeCorrupt: the drive's format record is unreadable or invalid.
	probeCorrupt
)

// probe is what start-up knows about one listed drive.
type probe struct {
	pos      int // listed position
	endpoint string
	d        drive.Drive
	f        drive.Format
	state    probeState
	err      error
}

// opener returns the drive listed at position i, opening it if needed.
type opener func(ctx context.Context, i int) (drive.Drive, error)

// probeAll (re)reads every drive not yet known to be formatted, in parallel.
func probeAll(ctx context.Context, probes []*probe, open opener) {
	var wg sync.WaitGroup
	for _, p := range probes {
		if p.state == probeFormatted {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.read(ctx, open)
		}()
	}
	wg.Wait()
}

func (p *probe) read(ctx context.Context, open opener) {
	if p.d == nil {
		d, err := open(ctx, p.pos)
		if err != nil {
			p.state, p.err = probeAbsent, err
			return
		}
		p.d = d
	}
	f, err := p.d.ReadFormat(ctx)
	switch {
	case err == nil:
		p.state, p.f, p.err = probeFormatted, f, nil
		if verr := f.Validate(); verr != nil {
			p.state, p.err = probeCorrupt, verr
		}
	case errors.Is(err, drive.ErrUnformatted):
		p.state, p.err = probeBlank, nil
	case errors.Is(err, drive.ErrFormatCorrupt):
		p.state, p.err = probeCorrupt, err
	default:
		p.state, p.err = probeAbsent, err
	}
}

// startPlan is the outcome of start-up: the deployment's format and, by
// position in the sets, the drive placed there (nil if none yet).
type startPlan struct {
	ref   drive.Format
	slots []*probe
	// fresh lists the positions whose drive was blank and is formatted:
	// every position of a new deployment, else the places of lost drives.
	fresh []int
	// created says the deployment is new.
	created bool
	// spare lists the probes not placed: absent, corrupt, or blank beyond
	// the free places.
	spare []*probe
	// parity is the parity the quorums were checked with.
	parity int
}

// degradedStartGrace is how long a start with DegradedWrites waits for the
// safe write quorum (data+1 drives of a set whose data equals its parity)
// before it settles for data drives (never longer than StartTimeout).
const degradedStartGrace = 30 * time.Second

// errWait marks a plan that is not ready yet: more drives must appear.
var errWait = errors.New("erasure: waiting for drives")

// errDriveInUse marks a drive that another engine holds open: start
// fails at once rather than wait for it.
var errDriveInUse = errors.New("erasure: drive in use")

// plan decides the layout from the probes: a fatal error, an error
// wrapping errWait (with the reason), or a plan. setSize is used for a
// new deployment (and checked against an existing one when explicit);
// parity 0 means the default for the set size.
func plan(probes []*probe, setSize, parity int, explicitSetSize bool) (*startPlan, error) {
	var formatted []*probe
	for _, p := range probes {
		if p.state == probeFormatted {
			formatted = append(formatted, p)
		}
	}
	if len(formatted) == 0 {
		return planFresh(probes, setSize)
	}
	ref, err := agreedFormat(formatted)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, ids := range ref.Sets {
		n += len(ids)
	}
	if n != len(probes) {
		return nil, fmt.Errorf("erasure: the drives were formatted as %d sets of %d drives (%d in all), %d are listed: list every drive of the deployment, in any order", len(ref.Sets), len(ref.Sets[0]), n, len(probes))
	}
	if explicitSetSize && setSize != len(ref.Sets[0]) {
		return nil, fmt.Errorf("erasure: set size %d asked for, but the drives were formatted in sets of %d: a set layout cannot change", setSize, len(ref.Sets[0]))
	}
	if parity == 0 {
		parity = DefaultParity(len(ref.Sets[0]))
	}
	if err := checkParity(len(ref.Sets[0]), parity); err != nil {
		return nil, err
	}
	sp := &startPlan{ref: ref, slots: make([]*probe, n), parity: parity}
	if err := sp.place(probes); err != nil {
		return nil, err
	}
	return sp, sp.checkQuorum(parity)
}

// planFresh formats a new deployment, which needs every drive present and blank.
func planFresh(probes []*probe, setSize int) (*startPlan, error) {
	var missing, corrupt []string
	for _, p := range probes {
		switch p.state {
		case probeAbsent:
			missing = append(missing, describe(p))
		case probeCorrupt:
			corrupt = append(corrupt, describe(p))
		}
	}
	if len(corrupt) > 0 {
		return nil, fmt.Errorf("erasure: no drive holds a valid format and %s: refusing to format a new deployment over it (repair or empty the drive)", strings.Join(corrupt, ", "))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: a new deployment is formatted only when every drive is present; waiting for %d more: %s", errWait, len(missing), strings.Join(missing, ", "))
	}
	dep := uuid.NewString()
	ref := drive.Format{Version: drive.FormatVersion, Deployment: dep}
	sp := &startPlan{slots: make([]*probe, len(probes)), created: true}
	for i, p := range probes {
		if i%setSize == 0 {
			ref.Sets = append(ref.Sets, nil)
		}
		ref.Sets[len(ref.Sets)-1] = append(ref.Sets[len(ref.Sets)-1], uuid.NewString())
		sp.slots[i] = p
		sp.fresh = append(sp.fresh, i)
	}
	sp.ref = ref
	return sp, nil
}

// agreedFormat checks that every formatted drive belongs to one
// deployment with one set layout and returns that format.
func agreedFormat(formatted []*probe) (drive.Format, error) {
	byDep := map[string][]string{}
	for _, p := range formatted {
		byDep[p.f.Deployment] = append(byDep[p.f.Deployment], p.endpoint)
	}
	if len(byDep) > 1 {
		var parts []string
		for dep, eps := range byDep {
			parts = append(parts, fmt.Sprintf("deployment %s: %s", dep, strings.Join(eps, ", ")))
		}
		slices.Sort(parts)
		return drive.Format{}, fmt.Errorf("erasure: the drives belong to different deployments (%s): refusing to start; a drive of another Hoard deployment must be emptied before it can join this one", strings.Join(parts, "; "))
	}
	ref := formatted[0].f
	for _, p := range formatted[1:] {
		if !sameLayout(p.f.Sets, ref.Sets) {
			return drive.Format{}, fmt.Errorf("erasure: drives %s and %s disagree on the set layout of deployment %s: refusing to start", formatted[0].endpoint, p.endpoint, ref.Deployment)
		}
	}
	ref.DriveID = ""
	return ref, nil
}

func sameLayout(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// place puts every formatted drive at the position its drive ID names,
// then blank drives into the free positions (the one at their own listed
// position first). Unknown or duplicate drive IDs are fatal.
func (sp *startPlan) place(probes []*probe) error {
	pos := map[string]int{}
	for _, ids := range sp.ref.Sets {
		for _, id := range ids {
			pos[id] = len(pos)
		}
	}
	var blank []*probe
	for _, p := range probes {
		switch p.state {
		case probeFormatted:
			at, ok := pos[p.f.DriveID]
			if !ok {
				return fmt.Errorf("erasure: drive %s carries drive ID %s, which deployment %s does not list: refusing to start", p.endpoint, p.f.DriveID, sp.ref.Deployment)
			}
			if q := sp.slots[at]; q != nil {
				return fmt.Errorf("erasure: drives %s and %s carry the same drive ID %s (was one copied from the other?): refusing to start", q.endpoint, p.endpoint, p.f.DriveID)
			}
			sp.slots[at] = p
		case probeBlank:
			blank = append(blank, p)
		default:
			sp.spare = append(sp.spare, p)
		}
	}
	var rest []*probe
	for _, p := range blank { // a blank drive replaces the lost one listed at its place
		if p.pos < len(sp.slots) && sp.slots[p.pos] == nil && !sp.spareAt(p.pos) {
			sp.slots[p.pos] = p
			sp.fresh = append(sp.fresh, p.pos)
			continue
		}
		rest = append(rest, p)
	}
	for at := range sp.slots {
		if sp.slots[at] == nil && len(rest) > 0 && !sp.spareAt(at) {
			sp.slots[at], rest = rest[0], rest[1:]
			sp.fresh = append(sp.fresh, at)
		}
	}
	sp.spare = append(sp.spare, rest...)
	return nil
}

// spareAt reports whether an absent or corrupt drive is listed at
// position at: a blank drive elsewhere must not take the place that drive
// will claim when it comes back.
func (sp *startPlan) spareAt(at int) bool {
	for _, p := range sp.spare {
		if p.pos == at && (p.state == probeAbsent || p.state == probeCorrupt) {
			return true
		}
	}
	return false
}

// checkQuorum requires, in every set, a read quorum of drives that carry
// the format (fewer could not hold the data, so blank drives are not
// formatted over it) and a write quorum of drives placed in all.
func (sp *startPlan) checkQuorum(parity int) error { return sp.checkQuorumOf(parity, false) }

// checkQuorumOf is checkQuorum; degraded counts the degraded write quorum
// (data drives even when data equals parity, see Config.DegradedWrites).
func (sp *startPlan) checkQuorumOf(parity int, degraded bool) error {
	start := 0
	for i, ids := range sp.ref.Sets {
		size := len(ids)
		data := size - parity
		rq, wq := data, data
		if data == parity && !degraded {
			wq++
		}
		formatted, placed := 0, 0
		for _, p := range sp.slots[start : start+size] {
			if p != nil {
				placed++
				if p.state == probeFormatted {
					formatted++
				}
			}
		}
		start += size
		if formatted >= rq && placed >= wq {
			continue
		}
		var missing, corrupt []string
		for _, p := range sp.spare {
			switch p.state {
			case probeAbsent:
				missing = append(missing, describe(p))
			case probeCorrupt:
				corrupt = append(corrupt, describe(p))
			}
		}
		need := max(rq-formatted, wq-placed)
		if len(missing) == 0 {
			msg := fmt.Sprintf("erasure: set %d has %d of %d drives carrying the deployment's format and %d usable in all; %d and %d are needed", i+1, formatted, size, placed, rq, wq)
			if len(corrupt) > 0 {
				msg += "; drives with a corrupt format: " + strings.Join(corrupt, ", ")
			}
			return errors.New(msg + ": refusing to format blank drives in place of more drives than parity allows")
		}
		return fmt.Errorf("%w: waiting for %d more %s to reach quorum in set %d (%d of %d drives present, %d needed): %s", errWait, need, plural(need, "drive", "drives"), i+1, placed, size, wq, strings.Join(missing, ", "))
	}
	return nil
}

// checkParity fails unless sets of size drives can hold parity shards.
func checkParity(size, parity int) error {
	if parity < 0 || parity > size/2 || (size > 1 && parity < 1) {
		return fmt.Errorf("erasure: parity %d invalid for the deployment's sets of %d drives (1 to %d)", parity, size, size/2)
	}
	return nil
}

func describe(p *probe) string {
	if p.err == nil {
		return p.endpoint
	}
	return fmt.Sprintf("%s (%v)", p.endpoint, p.err)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// waitForPlan probes the drives until plan succeeds, fails fatally, or
// the start timeout or ctx ends the wait. It logs why it waits, at most
// every logEvery.
func waitForPlan(ctx context.Context, cfg Config, probes []*probe, open opener, explicitSetSize bool, parity int) (*startPlan, error) {
	const logEvery = 5 * time.Second
	begin := time.Now()
	deadline := begin.Add(cfg.StartTimeout)
	grace := max(min(degradedStartGrace, cfg.StartTimeout), 0)
	var lastLog time.Time
	for {
		probeAll(ctx, probes, open)
		for _, p := range probes {
			if errors.Is(p.err, errDriveInUse) {
				return nil, p.err
			}
		}
		sp, err := plan(probes, cfg.SetSize, parity, explicitSetSize)
		if err == nil || !errors.Is(err, errWait) {
			return sp, err
		}
		if sp != nil && cfg.DegradedWrites && !time.Now().Before(begin.Add(grace)) && sp.checkQuorumOf(sp.parity, true) == nil {
			// A single node whose drives beyond parity are gone for good
			// must still start; the drives missing now are made stale by
			// the first write they miss.
			cfg.Logger.Warn("starting without the safe write quorum: "+strings.TrimPrefix(err.Error(), errWait.Error()+": "), "waited", grace)
			return sp, nil
		}
		if time.Since(lastLog) >= logEvery {
			cfg.Logger.Info(strings.TrimPrefix(err.Error(), errWait.Error()+": "), "timeout", cfg.StartTimeout)
			lastLog = time.Now()
		}
		if cfg.StartTimeout < 0 || !time.Now().Before(deadline) {
			return nil, fmt.Errorf("erasure: gave up after %v: %w", max(cfg.StartTimeout, 0), err)
		}
		t := time.NewTimer(min(cfg.ProbeInterval, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("erasure: start cancelled: %w (%v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// formatFresh writes the format record of every blank drive placed in sp.
func formatFresh(ctx context.Context, sp *startPlan, log *slog.Logger) error {
	ids := sp.ref.Sets
	flat := make([]string, 0, len(sp.slots))
	for _, set := range ids {
		flat = append(flat, set...)
	}
	for _, at := range sp.fresh {
		p := sp.slots[at]
		f := drive.Format{Version: drive.FormatVersion, Deployment: sp.ref.Deployment, DriveID: flat[at], Sets: sp.ref.Sets}
		if err := p.d.WriteFormat(ctx, f); err != nil {
			return fmt.Errorf("erasure: format %s: %w", p.endpoint, err)
		}
		p.f, p.state = f, probeFormatted
		log.Info("formatted drive", "drive", p.endpoint, "deployment", f.Deployment, "drive_id", f.DriveID, "set", at/len(ids[0])+1, "position", at%len(ids[0])+1)
	}
	return nil
}

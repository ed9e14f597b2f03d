package objectlock

import (
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

var (
	now    = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	future = now.Add(24 * time.Hour)
	later  = now.Add(48 * time.Hour)
	past   = now.Add(-time.Second)
)

func TestCheckDelete(t *testing.T) {
	tests := []struct {
		name   string
		lk     storage.ObjectLock
		bypass bool
		locked bool
	}{
		{"no lock", storage.ObjectLock{}, false, false},
		{"legal hold off", storage.ObjectLock{LegalHold: LegalHoldOff}, false, false},
		{"legal hold on", storage.ObjectLock{LegalHold: LegalHoldOn}, false, true},
		{"legal hold on, bypass", storage.ObjectLock{LegalHold: LegalHoldOn}, true, true},
		{"governance active", storage.ObjectLock{Mode: Governance, RetainUntil: future}, false, true},
		{"governance active, bypass", storage.ObjectLock{Mode: Governance, RetainUntil: future}, true, false},
		{"governance expired", storage.ObjectLock{Mode: Governance, RetainUntil: past}, false, false},
		{"governance ends now", storage.ObjectLock{Mode: Governance, RetainUntil: now}, false, false},
		{"compliance active", storage.ObjectLock{Mode: Compliance, RetainUntil: future}, false, true},
		{"compliance active, bypass", storage.ObjectLock{Mode: Compliance, RetainUntil: future}, true, true},
		{"compliance expired", storage.ObjectLock{Mode: Compliance, RetainUntil: past}, false, false},
		{"compliance expired, legal hold", storage.ObjectLock{Mode: Compliance, RetainUntil: past, LegalHold: LegalHoldOn}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDelete(tt.lk, tt.bypass, now)
			if got := IsLocked(err); got != tt.locked {
				t.Errorf("CheckDelete: got locked %v (%v), want %v", got, err, tt.locked)
			}
		})
	}
}

func TestCheckRetentionChange(t *testing.T) {
	gov := func(u time.Time) Retention { return Retention{Mode: Governance, Until: u} }
	comp := func(u time.Time) Retention { return Retention{Mode: Compliance, Until: u} }
	tests := []struct {
		name      string
		cur, next Retention
		bypass    bool
		locked    bool
	}{
		{"none to governance", Retention{}, gov(future), false, false},
		{"none to compliance", Retention{}, comp(future), false, false},
		{"governance extended", gov(future), gov(later), false, false},
		{"governance kept", gov(future), gov(future), false, false},
		{"governance shortened", gov(later), gov(future), false, true},
		{"governance shortened, bypass", gov(later), gov(future), true, false},
		{"governance removed", gov(future), Retention{}, false, true},
		{"governance removed, bypass", gov(future), Retention{}, true, false},
		{"governance to compliance", gov(future), comp(later), false, true},
		{"governance to compliance, bypass", gov(future), comp(later), true, false},
		{"compliance extended", comp(future), comp(later), false, false},
		{"compliance shortened", comp(later), comp(future), false, true},
		{"compliance shortened, bypass", comp(later), comp(future), true, true},
		{"compliance removed, bypass", comp(future), Retention{}, true, true},
		{"compliance to governance, bypass", comp(future), gov(later), true, true},
		{"compliance expired, removed", comp(past), Retention{}, false, false},
		{"governance expired, shortened", gov(past), gov(future), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRetentionChange(tt.cur, tt.next, tt.bypass, now)
			if got := IsLocked(err); got != tt.locked {
				t.Errorf("CheckRetentionChange: got locked %v (%v), want %v", got, err, tt.locked)
			}
		})
	}
}

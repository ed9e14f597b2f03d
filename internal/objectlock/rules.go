package objectlock

import (
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// CheckDelete decides whether a version whose lock state is lk may be
// removed for good at now: never under a legal hold ON or an active
// COMPLIANCE retention; under an active GOVERNANCE retention only with
// bypass (the caller checked the principal may bypass). Adding a delete
// marker removes nothing and needs no check.
func CheckDelete(lk storage.ObjectLock, bypass bool, now time.Time) error {
	if lk.LegalHold == LegalHoldOn {
		return ErrLocked
	}
	r := RetentionOf(lk)
	if !r.active(now) {
		return nil
	}
	if r.Mode == Governance && bypass {
		return nil
	}
	return ErrLocked
}

// CheckRetentionChange decides whether a version's retention may go from
// cur to next at now. An expired or absent retention may be replaced by
// anything. An active COMPLIANCE one may only be kept or extended in
// COMPLIANCE mode, by anyone and never otherwise (not even by the root
// user). An active GOVERNANCE one may be extended in GOVERNANCE mode by
// anyone; shortened, removed or turned into COMPLIANCE only with bypass.
func CheckRetentionChange(cur, next Retention, bypass bool, now time.Time) error {
	if !cur.active(now) {
		return nil
	}
	extends := next.Mode == cur.Mode && !next.Until.Before(cur.Until)
	switch {
	case extends:
		return nil
	case cur.Mode == Governance && bypass:
		return nil
	}
	return ErrLocked
}

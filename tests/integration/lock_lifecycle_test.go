package integration

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestLifecycleKeepsLockedVersions runs the lifecycle worker with
// two-second days over a bucket with object lock: noncurrent versions
// under a legal hold or a retention outlive their expiry, while an
// unlocked one beside them (the control: it shows the worker ran) goes.
// Expiring the current version of a locked object only adds a marker.
func TestLifecycleKeepsLockedVersions(t *testing.T) {
	t.Parallel()
	opts := testserver.Options{Configure: func(c *config.Server) {
		c.LifecycleDay = testDay
		c.LifecycleInterval = 100 * time.Millisecond
	}}
	for _, m := range modes[:2] {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			o := opts
			o.Drives = m.drives
			e := newEnv(t, m, testserver.Start(t, o))
			b := e.lockedBucket(t)
			putRules(t, e, b, `<Rule><ID>nc</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status>`+
				`<Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`)
			until := time.Now().Add(time.Hour).UTC()
			held := e.putLocked(t, b, "held", func(in *s3.PutObjectInput) { in.ObjectLockLegalHoldStatus = types.ObjectLockLegalHoldStatusOn })
			retained := e.putLocked(t, b, "retained", func(in *s3.PutObjectInput) {
				in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
			})
			control := e.putLocked(t, b, "control", nil)
			for _, k := range []string{"held", "control"} {
				e.putLocked(t, b, k, nil) // the first version becomes noncurrent
			}
			deadline := time.Now().Add(4*testDay + expirySlack)
			for e.exists(t, b, "control", control) {
				if time.Now().After(deadline) {
					t.Fatalf("the unlocked noncurrent version was not expired by %v", deadline)
				}
				time.Sleep(100 * time.Millisecond)
			}
			// The current "retained" was expired (a delete marker hides it)
			// and is noncurrent since: give its expiry a pass too.
			time.Sleep(2 * testDay)
			if !e.exists(t, b, "held", held) {
				t.Errorf("a noncurrent version under legal hold was expired")
			}
			if !e.exists(t, b, "retained", retained) {
				t.Errorf("a version under retention was expired")
			}
			if _, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: aws.String("retained")}); err == nil {
				t.Errorf("the current retained version was not hidden by a delete marker when it expired")
			}
		})
	}
}

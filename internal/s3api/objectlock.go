package s3api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/storage"
)

// This file holds S3 Object Lock at the front end: the bucket's
// configuration, the lock headers of writes, reads and deletes, and the
// retention and legal hold operations. The rules themselves are
// internal/objectlock's; the object layer runs them under the object's
// lock through the guards of storage.DeleteOptions and UpdateOptions, so
// no write can slip between a check and the change it allows.

// Object lock request headers.
const (
	hdrLockMode      = "X-Amz-Object-Lock-Mode"
	hdrLockUntil     = "X-Amz-Object-Lock-Retain-Until-Date"
	hdrLockLegalHold = "X-Amz-Object-Lock-Legal-Hold"
	hdrBypass        = "X-Amz-Bypass-Governance-Retention"
)

// errNoLockConfig is S3's answer to object lock asked of a bucket created
// without it.
var errNoLockConfig = newError("InvalidRequest", "Bucket is missing Object Lock Configuration")

// errLockNeedsDigest is S3's answer to an upload with object lock
// parameters (its own or the bucket's default retention) that carries
// neither Content-MD5 nor an additional checksum.
var errLockNeedsDigest = newError("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters")

// lockConfig returns the object lock configuration of the request's
// bucket; ok is false when the bucket does not have object lock.
func (req *request) lockConfig() (cfg objectlock.Config, ok bool, err error) {
	doc, ok, err := req.bucketConfig(storage.ConfigObjectLock)
	if err != nil || !ok {
		return cfg, false, err
	}
	cfg, err = req.h.parseLockConfig(req.route.Bucket, doc)
	return cfg, err == nil, err
}

// parseLockConfig parses a stored object lock configuration (once per
// change of its bytes).
func (h *Handler) parseLockConfig(bucket string, doc []byte) (objectlock.Config, error) {
	cfg, err := h.lockConfigs.get(bucket, doc)
	if err != nil {
		return cfg, fmt.Errorf("s3api: bucket %q object lock configuration: %w: %w", bucket, storage.ErrCorrupt, err)
	}
	return cfg, nil
}

// hasLockHeaders reports whether h asks for object lock on a write.
func hasLockHeaders(h http.Header) bool {
	return h.Get(hdrLockMode) != "" || h.Get(hdrLockUntil) != "" || h.Get(hdrLockLegalHold) != ""
}

// hasDigest reports whether a request carries Content-MD5 or an
// additional checksum of its body (a header or a trailer).
func hasDigest(h http.Header) bool {
	return h.Get(checksum.HeaderContentMD5) != "" || hasChecksumHeader(h)
}

// askedLock validates the x-amz-object-lock-* values of a write (in h)
// and returns the lock state they ask for. A write that asks for any is
// checked against the bucket before its data is read, as S3 does: a
// bucket without object lock refuses it.
func (req *request) askedLock(h http.Header) (storage.ObjectLock, error) {
	if !hasLockHeaders(h) {
		return storage.ObjectLock{}, nil
	}
	if _, locked, err := req.lockConfig(); err != nil || !locked {
		if err == nil {
			err = errNoLockConfig
		}
		return storage.ObjectLock{}, err
	}
	return objectlock.ParseHeaders(h.Get(hdrLockMode), h.Get(hdrLockUntil), h.Get(hdrLockLegalHold), req.h.cfg.Now())
}

// lockDecider returns what decides a new version's lock state at its
// commit, from the bucket's record as the engine reads it under the
// bucket's lock (so a write costs no extra read): lock asked of a bucket
// without object lock is refused; in a bucket with it, a version that
// asked for no retention gets the default retention reckoned at the
// commit. digestSent false (a PUT without Content-MD5 or checksum)
// refuses a version that would be locked, as S3 requires a digest then.
func (req *request) lockDecider(digestSent bool) storage.LockDecider {
	return func(bi storage.BucketInfo, asked storage.ObjectLock) (storage.ObjectLock, error) {
		doc, locked := bi.Configs[storage.ConfigObjectLock]
		if !locked {
			if !asked.IsZero() {
				return asked, errNoLockConfig
			}
			return asked, nil
		}
		cfg, err := req.h.parseLockConfig(bi.Name, doc)
		if err != nil {
			return asked, err
		}
		if !digestSent && (cfg.Mode != "" || !asked.IsZero()) {
			return asked, errLockNeedsDigest
		}
		if asked.Mode == "" {
			def := cfg.DefaultRetention(req.h.cfg.Now())
			asked.Mode, asked.RetainUntil = def.Mode, def.RetainUntil
		}
		return asked, nil
	}
}

// checkLockPermissions refuses lock headers on a write (not the root
// user's) whose policies do not allow setting them, as S3 asks for
// s3:PutObjectRetention and s3:PutObjectLegalHold beside s3:PutObject.
func checkLockPermissions(access *access, h http.Header, bucket, key string) error {
	if (h.Get(hdrLockMode) != "" || h.Get(hdrLockUntil) != "") &&
		!access.allows(bucket, key, "s3:PutObjectRetention") {
		return newError("AccessDenied")
	}
	if h.Get(hdrLockLegalHold) != "" && !access.allows(bucket, key, "s3:PutObjectLegalHold") {
		return newError("AccessDenied")
	}
	return nil
}

// bypassGovernance reports whether the request asks to bypass GOVERNANCE
// retention and its principal may: the root user may, any other caller
// only if its policies allow s3:BypassGovernanceRetention.
// A caller who may not is treated as one who did not ask.
func (req *request) bypassGovernance(key string) bool {
	if !strings.EqualFold(strings.TrimSpace(req.r.Header.Get(hdrBypass)), "true") {
		return false
	}
	if a := req.access; a != nil {
		return a.allows(req.route.Bucket, key, "s3:BypassGovernanceRetention")
	}
	return true
}

// deleteGuard returns the check the object layer runs, under the
// object's lock, on a version a delete of key would remove for good.
func (req *request) deleteGuard(key string) func(storage.ObjectInfo) error {
	bypass := req.bypassGovernance(key)
	return func(info storage.ObjectInfo) error {
		return objectlock.CheckDelete(info.Lock, bypass, req.h.cfg.Now())
	}
}

// setLockHeaders writes a version's retention and legal hold on GET and
// HEAD, to callers allowed to read them (S3 asks every caller but the
// owner for s3:GetObjectRetention and s3:GetObjectLegalHold).
func (req *request) setLockHeaders(hdr http.Header, info storage.ObjectInfo) {
	may := func(action string) bool {
		return req.access == nil || req.access.allows(req.route.Bucket, req.route.Key, action)
	}
	if lk := info.Lock; lk.Mode != "" && may("s3:GetObjectRetention") {
		hdr.Set("x-amz-object-lock-mode", lk.Mode)
		hdr.Set("x-amz-object-lock-retain-until-date", objectlock.FormatDate(lk.RetainUntil))
	}
	if lk := info.Lock; lk.LegalHold != "" && may("s3:GetObjectLegalHold") {
		hdr.Set("x-amz-object-lock-legal-hold", lk.LegalHold)
	}
}

// bucketLockOption reads x-amz-bucket-object-lock-enabled of CreateBucket.
func bucketLockOption(h http.Header) (bool, error) {
	switch v := strings.ToLower(h.Get(hdrBucketObjectLock)); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, newError("InvalidArgument", "x-amz-bucket-object-lock-enabled must be true or false.").
			with("ArgumentName", "x-amz-bucket-object-lock-enabled", "ArgumentValue", v)
	}
}

// errVersioningLocked refuses to suspend versioning of a bucket with
// object lock.
var errVersioningLocked = newError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")

// setVersioning stores a versioning status, refusing to suspend a bucket
// with object lock; checked under the bucket's lock with the change.
func (req *request) setVersioning(status string) error {
	return req.h.cfg.Layer.UpdateBucketConfigs(req.r.Context(), req.route.Bucket, func(c map[string][]byte) (map[string][]byte, error) {
		if _, locked := c[storage.ConfigObjectLock]; locked && status != storage.VersioningEnabled {
			return nil, errVersioningLocked
		}
		c[storage.ConfigVersioning] = []byte(status)
		return c, nil
	})
}

// putObjectLockConfig stores a bucket's object lock configuration
// (PutObjectLockConfiguration). As S3 does today, it also enables object
// lock on an existing bucket, provided versioning is Enabled there
// (InvalidBucketState otherwise); from then on versioning cannot be
// suspended.
func (req *request) putObjectLockConfig() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	if req.r.Header.Get("X-Amz-Bucket-Object-Lock-Token") != "" {
		return newError("InvalidToken", "Hoard has no replication, so no object lock token exists for this bucket.")
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	cfg, err := objectlock.ParseConfig(data)
	if err != nil {
		return err
	}
	err = req.h.cfg.Layer.UpdateBucketConfigs(req.r.Context(), req.route.Bucket, func(c map[string][]byte) (map[string][]byte, error) {
		if string(c[storage.ConfigVersioning]) != storage.VersioningEnabled {
			return nil, newError("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
		}
		c[storage.ConfigObjectLock] = cfg.Marshal()
		return c, nil
	})
	if err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// getObjectLockConfig answers a bucket's object lock configuration
// (GetObjectLockConfiguration).
func (req *request) getObjectLockConfig() error {
	doc, ok, err := req.bucketConfig(storage.ConfigObjectLock)
	if err != nil {
		return err
	}
	if !ok {
		return newError("ObjectLockConfigurationNotFoundError")
	}
	req.writeDocument("application/xml", doc)
	return nil
}

// requireLockBucket refuses a retention or legal hold request on a
// bucket without object lock.
func (req *request) requireLockBucket() error {
	_, ok, err := req.lockConfig()
	if err != nil {
		return err
	}
	if !ok {
		return errNoLockConfig
	}
	return nil
}

// putObjectRetention sets, extends, shortens or removes a version's
// retention (PutObjectRetention), as objectlock.CheckRetentionChange
// allows, atomically with the version's current state.
func (req *request) putObjectRetention() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	if err := req.requireLockBucket(); err != nil {
		return err
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	next, err := objectlock.ParseRetention(data, req.h.cfg.Now())
	if err != nil {
		return err
	}
	bypass := req.bypassGovernance(req.route.Key)
	return req.updateLock(func(cur storage.ObjectInfo) (storage.ObjectLock, error) {
		if err := objectlock.CheckRetentionChange(objectlock.RetentionOf(cur.Lock), next, bypass, req.h.cfg.Now()); err != nil {
			return cur.Lock, err
		}
		lk := cur.Lock
		lk.Mode, lk.RetainUntil = next.Mode, next.Until
		return lk, nil
	})
}

// updateLock changes the lock state of the request's version with change,
// which the object layer runs under the object's lock, and answers 200.
func (req *request) updateLock(change func(storage.ObjectInfo) (storage.ObjectLock, error)) error {
	_, err := req.h.cfg.Layer.UpdateObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.UpdateOptions{
		VersionID: req.versionID(),
		Lock:      change,
	})
	if err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// lockedVersion describes the request's version for the lock getters,
// after checking the bucket has object lock.
func (req *request) lockedVersion() (storage.ObjectInfo, error) {
	if err := req.requireLockBucket(); err != nil {
		return storage.ObjectInfo{}, err
	}
	return req.h.cfg.Layer.StatObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
}

// getObjectRetention answers a version's retention (GetObjectRetention):
// NoSuchObjectLockConfiguration when it has none.
func (req *request) getObjectRetention() error {
	info, err := req.lockedVersion()
	if err != nil {
		return err
	}
	if info.Lock.Mode == "" {
		return newError("NoSuchObjectLockConfiguration")
	}
	req.writeDocument("application/xml", objectlock.MarshalRetention(objectlock.RetentionOf(info.Lock)))
	return nil
}

// putObjectLegalHold turns a version's legal hold ON or OFF
// (PutObjectLegalHold); no retention rule restricts it.
func (req *request) putObjectLegalHold() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	if err := req.requireLockBucket(); err != nil {
		return err
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	status, err := objectlock.ParseLegalHold(data)
	if err != nil {
		return err
	}
	return req.updateLock(func(cur storage.ObjectInfo) (storage.ObjectLock, error) {
		lk := cur.Lock
		lk.LegalHold = status
		return lk, nil
	})
}

// getObjectLegalHold answers a version's legal hold (GetObjectLegalHold):
// NoSuchObjectLockConfiguration when none was ever set.
func (req *request) getObjectLegalHold() error {
	info, err := req.lockedVersion()
	if err != nil {
		return err
	}
	if info.Lock.LegalHold == "" {
		return newError("NoSuchObjectLockConfiguration")
	}
	req.writeDocument("application/xml", objectlock.MarshalLegalHold(info.Lock.LegalHold))
	return nil
}

// errPartNeedsDigest is errLockNeedsDigest for the parts of an upload.
var errPartNeedsDigest = newError("InvalidRequest", "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters")

// checkPartDigest refuses a part without Content-MD5 or an additional
// checksum when its object will be locked: the upload asked for a
// retention or legal hold, or the bucket has a default retention.
func (req *request) checkPartDigest(up storage.MultipartUpload) error {
	h := req.r.Header
	if hasDigest(h) {
		return nil
	}
	if up.Lock.IsZero() {
		cfg, _, err := req.lockConfig()
		if err != nil || cfg.Mode == "" {
			return err
		}
	}
	return errPartNeedsDigest
}

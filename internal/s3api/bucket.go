package s3api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/storage"
)

// ReservedBucket is the bucket name Hoard keeps for its own endpoints
// (/hoard/health/..., /hoard/admin/...).
const ReservedBucket = "hoard"

func (req *request) createBucket() error {
	name := req.route.Bucket
	if !storage.ValidBucketName(name) {
		return newError("InvalidBucketName")
	}
	if name == ReservedBucket {
		return newError("InvalidBucketName", "The bucket name \"hoard\" is reserved for the server's own endpoints.")
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(data))) > 0 {
		var cfg createBucketConfiguration
		if err := xmlUnmarshal(data, &cfg); err != nil {
			return err
		}
		loc := cfg.LocationConstraint
		if loc != "" && loc != req.h.cfg.Region && !(loc == "US" && req.h.cfg.Region == "us-east-1") {
			return newError("IllegalLocationConstraintException",
				"The "+loc+" location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
	}
	configs, err := req.newBucketACLs()
	if err != nil {
		// An existing bucket is answered as existing whatever ACL the
		// request asks for (tools such as rclone create the bucket
		// before every upload and take 409 as success).
		if _, ierr := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), name); ierr == nil {
			return storage.ErrBucketExists
		}
		return err
	}
	locked, err := bucketLockOption(req.r.Header)
	if err != nil {
		return err
	}
	if locked {
		configs[storage.ConfigVersioning] = []byte(storage.VersioningEnabled)
		configs[storage.ConfigObjectLock] = objectlock.Config{}.Marshal()
	}
	if len(configs) > 0 {
		err = req.h.cfg.Layer.MakeBucketWithConfigs(req.r.Context(), name, configs)
	} else {
		err = req.h.cfg.Layer.MakeBucket(req.r.Context(), name)
	}
	if err != nil {
		return err
	}
	req.w.Header().Set("Location", "/"+name)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (req *request) headBucket() error {
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	req.w.Header().Set("x-amz-bucket-region", req.h.cfg.Region)
	req.w.WriteHeader(http.StatusOK)
	return nil
}

func (req *request) deleteBucket() error {
	if err := req.h.cfg.Layer.DeleteBucket(req.r.Context(), req.route.Bucket, false); err != nil {
		return err
	}
	return req.noContent()
}

func (req *request) getBucketLocation() error {
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	loc := req.h.cfg.Region
	if loc == "us-east-1" {
		loc = ""
	}
	return req.writeXML(locationConstraint{Location: loc})
}

// getBucketVersioning answers the bucket's versioning status: none for a
// bucket that was never versioned, as S3 answers.
func (req *request) getBucketVersioning() error {
	info, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket)
	if err != nil {
		return err
	}
	return req.writeXML(versioningConfiguration{Status: string(info.Configs[storage.ConfigVersioning])})
}

// putBucketVersioning enables or suspends versioning. A bucket never goes
// back to unversioned (S3 has no such status), and one with object lock
// is never suspended (InvalidBucketState); MFA delete is refused, since
// Hoard has no MFA devices to check.
func (req *request) putBucketVersioning() error {
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	var doc versioningInput
	if err := req.readXML(&doc); err != nil {
		return err
	}
	switch doc.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		return newError("NotImplemented", "Hoard does not implement MFA delete (it has no MFA devices to check); the versioning configuration was not changed.")
	default:
		return newError("MalformedXML")
	}
	if doc.Status != storage.VersioningEnabled && doc.Status != storage.VersioningSuspended {
		return newError("MalformedXML")
	}
	if err := req.setVersioning(doc.Status); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// subresourceMissing maps a bucket configuration sub-resource to the error
// S3 answers when none is configured.
var subresourceMissing = map[string]string{
	"encryption":  "ServerSideEncryptionConfigurationNotFoundError",
	"website":     "NoSuchWebsiteConfiguration",
	"replication": "ReplicationConfigurationNotFoundError",
}

// subresourceEmpty holds the documents S3 answers for configurations that
// exist, empty, on every bucket.
var subresourceEmpty = map[string]string{
	"requestPayment": `<RequestPaymentConfiguration xmlns="` + s3NS + `"><Payer>BucketOwner</Payer></RequestPaymentConfiguration>`,
	"logging":        `<BucketLoggingStatus xmlns="` + s3NS + `"></BucketLoggingStatus>`,
	"notification":   `<NotificationConfiguration xmlns="` + s3NS + `"></NotificationConfiguration>`,
	"accelerate":     `<AccelerateConfiguration xmlns="` + s3NS + `"></AccelerateConfiguration>`,
}

// getBucketSubresource answers GET on a bucket configuration that Hoard
// does not keep: it is truthfully "not configured".
func (req *request) getBucketSubresource() error {
	switch req.route.Subresource {
	case "ownershipControls":
		return req.getOwnershipControls()
	case "publicAccessBlock":
		return req.getPublicAccessBlock()
	}
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	if code, ok := subresourceMissing[req.route.Subresource]; ok {
		return newError(code)
	}
	if doc, ok := subresourceEmpty[req.route.Subresource]; ok {
		req.writeRawXML(doc)
		return nil
	}
	if root, ok := idConfigLists[req.route.Subresource]; ok {
		return req.getIDConfiguration(root)
	}
	return newError("NotImplemented", "Hoard does not implement the bucket "+req.route.Subresource+" configuration.")
}

// deleteBucketSubresource deletes a configuration that is never set: a no-op.
func (req *request) deleteBucketSubresource() error {
	switch req.route.Subresource {
	case "ownershipControls":
		return req.deleteOwnershipControls()
	case "publicAccessBlock":
		return req.deletePublicAccessBlock()
	}
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	return req.noContent()
}

func (req *request) listBuckets() error {
	buckets, err := req.h.cfg.Layer.ListBuckets(req.r.Context())
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	prefix := q.Get("prefix")
	maxBuckets := 10000
	if v := q.Get("max-buckets"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return newError("InvalidArgument", "max-buckets must be an integer from 1 to 10000.")
		}
		maxBuckets = n
	}
	after := ""
	if tok := q.Get("continuation-token"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			return newError("InvalidArgument", "The continuation token provided is incorrect.")
		}
		after = string(b)
	}
	res := listAllMyBucketsResult{Owner: req.h.owner, Prefix: prefix}
	listAll := req.access == nil || req.access.allows("", "", "s3:ListAllMyBuckets")
	for _, b := range buckets {
		if !strings.HasPrefix(b.Name, prefix) || b.Name <= after || !req.visibleBucket(listAll, b.Name) {
			continue
		}
		if len(res.Buckets) == maxBuckets {
			res.ContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(res.Buckets[len(res.Buckets)-1].Name))
			break
		}
		res.Buckets = append(res.Buckets, bucketXML{Name: b.Name, CreationDate: xmlTime(b.Created), BucketRegion: req.h.cfg.Region})
	}
	return req.writeXML(res)
}

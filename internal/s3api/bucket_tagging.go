package s3api

import (
	"encoding/xml"

	"github.com/hoardstore/hoard/internal/storage"
)

// Bucket tagging: a bucket's tag set, up to 50 tags with the object tags'
// rules, kept as a configuration document of the bucket record
// (storage.ConfigTagging) in S3's XML, re-encoded so that GetBucketTagging
// answers in S3's namespace whatever the client sent.

// putBucketTagging replaces a bucket's tag set (PutBucketTagging); an
// empty set removes it, as DeleteBucketTagging does.
func (req *request) putBucketTagging() error {
	if err := req.requireIntegrityHeader(); err != nil {
		return err
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	var doc tagging
	if err := xmlUnmarshal(data, &doc); err != nil {
		return err
	}
	if _, err := validateBucketTags(doc.TagSet); err != nil {
		return err
	}
	var stored []byte
	if len(doc.TagSet) > 0 {
		if stored, err = xml.Marshal(taggingResponse{TagSet: doc.TagSet}); err != nil {
			return err
		}
	}
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, storage.ConfigTagging, stored); err != nil {
		return err
	}
	return req.noContent()
}

// getBucketTagging answers a bucket's tag set (GetBucketTagging), or
// NoSuchTagSet (404) when it has none.
func (req *request) getBucketTagging() error {
	doc, ok, err := req.bucketConfig(storage.ConfigTagging)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchTagSet")
	}
	req.writeRawXML(string(doc))
	return nil
}

// deleteBucketTagging removes a bucket's tag set (DeleteBucketTagging):
// 204, whether it had one or not.
func (req *request) deleteBucketTagging() error {
	return req.deleteBucketConfig(storage.ConfigTagging)
}

package s3api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// maxListKeys is the most keys S3 returns in one listing page.
const maxListKeys = 1000

// listParams are the query parameters shared by the listing operations.
type listParams struct {
	prefix, delimiter, encoding string
	maxKeys                     int
}

func (req *request) listParams(maxName string) (listParams, error) {
	q := req.r.URL.Query()
	p := listParams{
		prefix:    q.Get("prefix"),
		delimiter: q.Get("delimiter"),
		encoding:  q.Get("encoding-type"),
		maxKeys:   maxListKeys,
	}
	if p.encoding != "" && p.encoding != "url" {
		return p, newError("InvalidArgument", "Invalid Encoding Method specified in Request")
	}
	if v, ok := q[maxName]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 0 {
			return p, newError("InvalidArgument", "Provided "+maxName+" not an integer or within integer range")
		}
		p.maxKeys = min(n, maxListKeys)
	}
	return p, nil
}

// encode applies encoding-type=url the way S3 does: query-escaped, with
// slashes kept.
func (p listParams) encode(s string) string {
	if p.encoding != "url" {
		return s
	}
	return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
}

func (req *request) list(p listParams, marker string) (storage.ListResult, error) {
	if p.maxKeys == 0 {
		_, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket)
		return storage.ListResult{}, err
	}
	return req.h.cfg.Layer.ListObjects(req.r.Context(), req.route.Bucket, storage.ListOptions{
		Prefix:    p.prefix,
		Delimiter: p.delimiter,
		Marker:    marker,
		MaxKeys:   p.maxKeys,
	})
}

func (p listParams) prefixes(cps []string) []commonPrefix {
	out := make([]commonPrefix, len(cps))
	for i, c := range cps {
		out[i] = commonPrefix{Prefix: p.encode(c)}
	}
	return out
}

func (req *request) listObjectsV1() error {
	p, err := req.listParams("max-keys")
	if err != nil {
		return err
	}
	marker := req.r.URL.Query().Get("marker")
	res, err := req.list(p, marker)
	if err != nil {
		return err
	}
	d := &listDoc{bucket: req.route.Bucket, p: p, owner: &req.h.owner}
	return req.writeListXML(d.sizeHint(&res), func(b []byte) []byte { return appendListV1(b, d, marker, &res) })
}

func (req *request) listObjectsV2() error {
	p, err := req.listParams("max-keys")
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	startAfter := q.Get("start-after")
	token := q.Get("continuation-token")
	marker := startAfter
	if _, ok := q["continuation-token"]; ok {
		m, err := decodeToken(token)
		if err != nil {
			return err
		}
		marker = max(m, startAfter)
	}
	res, err := req.list(p, marker)
	if err != nil {
		return err
	}
	d := &listDoc{bucket: req.route.Bucket, p: p}
	if q.Get("fetch-owner") == "true" {
		d.owner = &req.h.owner
	}
	next := ""
	if res.IsTruncated {
		next = base64.RawURLEncoding.EncodeToString([]byte(res.NextMarker))
	}
	return req.writeListXML(d.sizeHint(&res), func(b []byte) []byte { return appendListV2(b, d, token, next, startAfter, &res) })
}

func decodeToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || token == "" {
		return "", newError("InvalidArgument", "The continuation token provided is incorrect")
	}
	return string(b), nil
}

// listObjectVersions lists every version and delete marker of a bucket
// (an unversioned bucket's objects are their only, "null", versions).
func (req *request) listObjectVersions() error {
	p, err := req.listParams("max-keys")
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	keyMarker, versionMarker := q.Get("key-marker"), q.Get("version-id-marker")
	if versionMarker != "" && keyMarker == "" {
		return newError("InvalidArgument", "A version-id marker cannot be specified without a key marker.")
	}
	var res storage.ListVersionsResult
	if p.maxKeys == 0 {
		_, err = req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket)
	} else {
		res, err = req.h.cfg.Layer.ListObjectVersions(req.r.Context(), req.route.Bucket, storage.ListVersionsOptions{
			Prefix: p.prefix, Delimiter: p.delimiter, KeyMarker: keyMarker, VersionIDMarker: versionMarker, MaxKeys: p.maxKeys,
		})
	}
	if err != nil {
		return err
	}
	d := &listDoc{bucket: req.route.Bucket, p: p, owner: &req.h.owner}
	return req.writeListXML(d.versionsSizeHint(&res), func(b []byte) []byte { return appendListVersions(b, d, keyMarker, versionMarker, &res) })
}

func (req *request) listMultipartUploads() error {
	p, err := req.listParams("max-uploads")
	if err != nil {
		return err
	}
	q := req.r.URL.Query()
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	out := listMultipartUploadsResult{
		Bucket:         req.route.Bucket,
		KeyMarker:      p.encode(keyMarker),
		UploadIDMarker: idMarker,
		Delimiter:      p.encode(p.delimiter),
		Prefix:         p.encode(p.prefix),
		EncodingType:   p.encoding,
		MaxUploads:     p.maxKeys,
	}
	if p.maxKeys == 0 {
		if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
			return err
		}
		return req.writeXML(out)
	}
	res, err := req.h.cfg.Layer.ListMultipartUploads(req.r.Context(), req.route.Bucket, storage.ListUploadsOptions{
		Prefix:         p.prefix,
		Delimiter:      p.delimiter,
		KeyMarker:      keyMarker,
		UploadIDMarker: idMarker,
		MaxUploads:     p.maxKeys,
	})
	if err != nil {
		return err
	}
	out.IsTruncated = res.IsTruncated
	out.NextKeyMarker = p.encode(res.NextKeyMarker)
	out.NextUploadIDMarker = res.NextUploadIDMarker
	out.CommonPrefixes = p.prefixes(res.CommonPrefixes)
	for _, u := range res.Uploads {
		out.Uploads = append(out.Uploads, uploadXML{
			Key:               p.encode(u.Key),
			UploadID:          u.UploadID,
			Initiator:         req.h.owner,
			Owner:             req.h.owner,
			StorageClass:      storageClassName(u.StorageClass),
			Initiated:         xmlTime(u.Initiated),
			ChecksumAlgorithm: string(u.ChecksumAlgorithm),
			ChecksumType:      string(u.ChecksumType),
		})
	}
	return req.writeXML(out)
}

package s3api

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/storage"
)

func (req *request) createMultipartUpload() error {
	opts, err := req.writeOptions()
	if err != nil {
		return err
	}
	spec, err := checksum.ParseHeaders(req.r.Header)
	if err != nil {
		return err
	}
	typ := spec.Type
	if spec.Algorithm != storage.ChecksumNone {
		if typ == "" {
			typ = checksum.DefaultType(spec.Algorithm)
		}
		if err := checksum.CheckType(spec.Algorithm, typ); err != nil {
			return err
		}
	}
	opts.ChecksumAlgorithm, opts.ChecksumType = spec.Algorithm, typ
	// The bucket's default retention is reckoned at Complete.
	if opts.Lock, err = req.askedLock(req.r.Header); err != nil {
		return err
	}
	up, err := req.h.cfg.Layer.NewMultipartUpload(req.r.Context(), req.route.Bucket, req.route.Key, opts)
	if err != nil {
		return err
	}
	if up.ChecksumAlgorithm != storage.ChecksumNone {
		req.w.Header().Set("x-amz-checksum-algorithm", string(up.ChecksumAlgorithm))
		req.w.Header().Set("x-amz-checksum-type", string(up.ChecksumType))
	}
	req.setAbortDate(up)
	return req.writeXML(initiateMultipartUploadResult{Bucket: req.route.Bucket, Key: req.route.Key, UploadID: up.UploadID})
}

// partTarget reads partNumber and uploadId and looks the upload up.
func (req *request) partTarget() (int, storage.MultipartUpload, error) {
	q := req.r.URL.Query()
	n, err := strconv.Atoi(q.Get("partNumber"))
	if err != nil || n < 1 || n > storage.MaxParts {
		return 0, storage.MultipartUpload{}, newError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	up, err := req.h.cfg.Layer.GetMultipartUpload(req.r.Context(), req.route.Bucket, req.route.Key, q.Get("uploadId"))
	return n, up, err
}

func (req *request) uploadPart() error {
	n, up, err := req.partTarget()
	if err != nil {
		return err
	}
	if err := checkPartAlgorithm(up, req.r.Header); err != nil {
		return err
	}
	if err := req.checkPartDigest(up); err != nil {
		return err
	}
	body, err := req.payloadWith(storage.MaxPutSize, up.ChecksumAlgorithm)
	if err != nil {
		return err
	}
	part, err := req.h.cfg.Layer.PutObjectPart(req.r.Context(), req.route.Bucket, req.route.Key, up.UploadID, n, body)
	if err != nil {
		return err
	}
	req.w.Header().Set("ETag", quoteETag(part.ETag))
	setChecksumHeaders(req.w.Header(), storage.Checksum{Algorithm: part.Checksum.Algorithm, Value: part.Checksum.Value})
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// checkPartAlgorithm refuses a part whose checksum algorithm differs from
// the one the upload was created with.
func checkPartAlgorithm(up storage.MultipartUpload, h http.Header) error {
	spec, err := checksum.ParseHeaders(h)
	if err != nil {
		return err
	}
	if spec.Algorithm == storage.ChecksumNone || up.ChecksumAlgorithm == storage.ChecksumNone || spec.Algorithm == up.ChecksumAlgorithm {
		return nil
	}
	return newError("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: "+
		strings.ToLower(string(up.ChecksumAlgorithm))+", actual checksum Type: "+strings.ToLower(string(spec.Algorithm)))
}

func (req *request) uploadPartCopy() error {
	n, up, err := req.partTarget()
	if err != nil {
		return err
	}
	obj, _, err := req.openCopySource()
	if err != nil {
		return err
	}
	defer obj.Close()
	info := obj.Info()
	rng := byteRange{0, info.Size}
	if v := req.r.Header.Get("X-Amz-Copy-Source-Range"); v != "" {
		r, ok, err := parseRange(v, info.Size)
		if err != nil || !ok || !strings.Contains(v, "-") || strings.HasPrefix(strings.TrimPrefix(v, "bytes="), "-") ||
			r.start+r.length > info.Size || explicitEndBeyond(v, info.Size) {
			return newError("InvalidArgument", "Range specified is not valid for source object of size: "+strconv.FormatInt(info.Size, 10))
		}
		rng = r
	}
	if rng.length > storage.MaxPutSize {
		return newError("InvalidRequest", "The specified copy range is larger than the maximum allowable size for a part: 5368709120")
	}
	body, err := obj.Reader(rng.start, rng.length)
	if err != nil {
		return err
	}
	defer body.Close()
	payload, err := checksum.NewReader(body, rng.length, checksum.Options{Algorithm: up.ChecksumAlgorithm})
	if err != nil {
		return err
	}
	part, err := req.h.cfg.Layer.PutObjectPart(req.r.Context(), req.route.Bucket, req.route.Key, up.UploadID, n, payload)
	if err != nil {
		return err
	}
	return req.writeXML(copyPartResult{
		LastModified:   xmlTime(part.ModTime),
		ETag:           quoteETag(part.ETag),
		checksumFields: checksumXMLFields(part.Checksum),
	})
}

// explicitEndBeyond reports a copy range whose last byte lies past the
// source: S3 refuses it rather than clamping, unlike GET.
func explicitEndBeyond(v string, size int64) bool {
	_, last, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(v), "bytes="), "-")
	end, err := strconv.ParseInt(last, 10, 64)
	return err != nil || end >= size
}

func (req *request) completeMultipartUpload() error {
	// The x-amz-checksum-* header of a Complete is the whole object's
	// checksum, compared with the one computed from the parts below, not
	// a checksum of the parts list in the body.
	body, err := req.payloadOf(maxXMLBody, storage.ChecksumNone, false)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	var doc completeMultipartUpload
	if err := xmlUnmarshal(data, &doc); err != nil {
		return err
	}
	if len(doc.Parts) == 0 {
		return newError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: you must specify at least one part.")
	}
	if len(doc.Parts) > storage.MaxParts {
		return newError("MalformedXML")
	}
	parts := make([]storage.CompletePart, len(doc.Parts))
	for i, p := range doc.Parts {
		parts[i] = storage.CompletePart{Number: p.PartNumber, ETag: trimETag(p.ETag), Checksum: checksumFromFields(p.checksumFields)}
	}
	var opts storage.CompleteOptions
	if opts.IfNoneMatch, opts.IfMatch, err = req.writeConditions(); err != nil {
		return err
	}
	for _, alg := range checksum.Algorithms() {
		if v := req.r.Header.Get(checksum.HeaderName(alg)); v != "" {
			opts.Checksum = storage.Checksum{Algorithm: alg, Value: v}
		}
	}
	opts.LockFor = req.lockDecider(true)
	uploadID := req.r.URL.Query().Get("uploadId")
	info, err := req.h.cfg.Layer.CompleteMultipartUpload(req.r.Context(), req.route.Bucket, req.route.Key, uploadID, parts, opts)
	if err != nil {
		return err
	}
	setVersionHeader(req.w.Header(), info)
	req.setExpiration(info)
	return req.writeXML(completeMultipartUploadResult{
		Location:       req.location(),
		Bucket:         req.route.Bucket,
		Key:            req.route.Key,
		ETag:           quoteETag(info.ETag),
		checksumFields: checksumXMLFields(info.Checksum),
		ChecksumType:   string(info.Checksum.Type),
	})
}

// location is the URL of the request's object.
func (req *request) location() string {
	scheme := "http"
	if req.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + req.r.Host + "/" + req.route.Bucket + "/" + (&url.URL{Path: req.route.Key}).EscapedPath()
}

// checksumFromFields is the one checksum set in a part's XML fields.
func checksumFromFields(f checksumFields) storage.Checksum {
	for _, c := range []struct {
		alg storage.ChecksumAlgorithm
		v   string
	}{
		{storage.ChecksumCRC32, f.ChecksumCRC32}, {storage.ChecksumCRC32C, f.ChecksumCRC32C},
		{storage.ChecksumCRC64NVME, f.ChecksumCRC64NVME}, {storage.ChecksumSHA1, f.ChecksumSHA1},
		{storage.ChecksumSHA256, f.ChecksumSHA256},
	} {
		if c.v != "" {
			return storage.Checksum{Algorithm: c.alg, Value: c.v}
		}
	}
	return storage.Checksum{}
}

func (req *request) abortMultipartUpload() error {
	uploadID := req.r.URL.Query().Get("uploadId")
	if err := req.h.cfg.Layer.AbortMultipartUpload(req.r.Context(), req.route.Bucket, req.route.Key, uploadID); err != nil {
		return err
	}
	return req.noContent()
}

func (req *request) listParts() error {
	q := req.r.URL.Query()
	maxParts, marker := 1000, 0
	if v := q.Get("max-parts"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return newError("InvalidArgument", "Provided max-parts not an integer or within integer range")
		}
		maxParts = min(n, 1000)
	}
	if v := q.Get("part-number-marker"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return newError("InvalidArgument", "Provided part-number-marker not an integer or within integer range")
		}
		marker = n
	}
	res, err := req.h.cfg.Layer.ListParts(req.r.Context(), req.route.Bucket, req.route.Key, q.Get("uploadId"),
		storage.ListPartsOptions{PartNumberMarker: marker, MaxParts: maxParts})
	if err != nil {
		return err
	}
	req.setAbortDate(res.Upload)
	out := listPartsResult{
		Bucket:               req.route.Bucket,
		Key:                  req.route.Key,
		UploadID:             res.Upload.UploadID,
		Initiator:            req.h.owner,
		Owner:                req.h.owner,
		StorageClass:         storageClassName(res.Upload.StorageClass),
		PartNumberMarker:     marker,
		NextPartNumberMarker: res.NextPartNumberMarker,
		MaxParts:             maxParts,
		IsTruncated:          res.IsTruncated,
		ChecksumAlgorithm:    string(res.Upload.ChecksumAlgorithm),
		ChecksumType:         string(res.Upload.ChecksumType),
	}
	for _, p := range res.Parts {
		out.Parts = append(out.Parts, partXML{
			PartNumber:     p.Number,
			LastModified:   xmlTime(p.ModTime),
			ETag:           quoteETag(p.ETag),
			Size:           p.Size,
			checksumFields: checksumXMLFields(p.Checksum),
		})
	}
	return req.writeXML(out)
}

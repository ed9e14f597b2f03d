package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// postResponse is the document of a POST upload answered with
// success_action_status 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
}

// postObject is S3's POST Object: a browser-based upload of one file with
// a multipart/form-data form, authorised by a signed policy in the form
// rather than by the request's headers. The file streams to the object
// layer; a failure at any point leaves no object.
func (req *request) postObject() (err error) {
	defer func() {
		// A refused form's file is left unread: the connection closes
		// rather than net/http reading (up to 256 KiB of) it first.
		if err != nil {
			req.w.Header().Set("Connection", "close")
		}
	}()
	form, err := readPostForm(req.r)
	if err != nil {
		return err
	}
	policy, signer, err := req.postAuthorize(form)
	if err != nil {
		return err
	}
	// Only an authenticated form gets its file read (sizing a small one
	// reads it whole).
	if err := form.openFile(); err != nil {
		return err
	}
	key, ok := form.fields["key"]
	if !ok {
		return newError("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
	}
	key = strings.ReplaceAll(key, "${filename}", baseFilename(form.filename))
	if err := validateKey(key); err != nil {
		return err
	}
	if err := req.authorizePost(signer, key, form.fields["tagging"] != "", form.lockHeader(), form.aclHeader()); err != nil {
		return err
	}
	if err := policy.checkLength(form.size); err != nil {
		return err
	}
	if form.size > storage.MaxPutSize {
		return newError("EntityTooLarge")
	}
	opts, spec, err := form.putOptions(req.writeACL)
	if err != nil {
		return err
	}
	if opts.Lock, err = req.askedLock(form.lockHeader()); err != nil {
		return err
	}
	opts.LockFor = req.lockDecider(true)
	body, err := checksum.NewReader(form.file, form.size, checksum.Options{Algorithm: spec.Algorithm, Expected: spec.Value, Type: spec.Type})
	if err != nil {
		return err
	}
	info, err := req.h.cfg.Layer.PutObject(req.r.Context(), req.route.Bucket, key, body, opts)
	if err != nil {
		return err
	}
	req.route.Key = key
	return req.postAnswer(form.fields, info)
}

// postAuthorize verifies the form's signature (SigV4, or SigV2) over its
// policy, then the form against the policy. Anonymous uploads are refused:
// Hoard has no bucket policies that could allow them.
func (req *request) postAuthorize(form *postForm) (*postPolicy, string, error) {
	f := form.fields
	var signer string
	b64, hasPolicy := f["policy"]
	switch {
	case f["x-amz-signature"] != "" || f["x-amz-credential"] != "" || f["x-amz-algorithm"] != "":
		if !hasPolicy {
			return nil, "", newError("InvalidArgument", "Bucket POST must contain a field named 'policy' when it is signed.")
		}
		c, err := req.h.verifier.VerifyPost(sigv4.PostForm{
			Algorithm: f["x-amz-algorithm"], Credential: f["x-amz-credential"], Date: f["x-amz-date"],
			Signature: f["x-amz-signature"], Policy: b64,
		})
		if err != nil {
			return nil, "", err
		}
		signer = c.AccessKey
	case f["awsaccesskeyid"] != "" || f["signature"] != "":
		if !hasPolicy {
			return nil, "", newError("InvalidArgument", "Bucket POST must contain a field named 'policy' when it is signed.")
		}
		v2 := sigv2.Verifier{Lookup: sigv2Lookup(req.h.lookup)}
		c, err := v2.VerifyPost(f["awsaccesskeyid"], f["signature"], b64)
		if err != nil {
			return nil, "", err
		}
		signer = c.AccessKey
	default:
		return nil, "", newError("AccessDenied", "Anonymous POST uploads are not allowed: sign the form's policy.")
	}
	// With the signature good, a field asking for what Hoard cannot do is
	// refused by name, before the policy's conditions are weighed.
	for _, name := range form.names {
		if err := postFieldRefusal(strings.ToLower(name)); err != nil {
			return nil, "", err
		}
	}
	p, err := parsePostPolicy(b64)
	if err != nil {
		return nil, "", err
	}
	if err := p.check(f, form.names, req.route.Bucket, req.h.cfg.Now()); err != nil {
		return nil, "", err
	}
	return p, signer, nil
}

// baseFilename is the last element of a file name as a browser may send
// it (some send a whole Windows path).
func baseFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		return name[i+1:]
	}
	return name
}

// postHeaderField reports whether a lower-case form field stands for the
// request header of the same name in a PUT.
func postHeaderField(lower string) bool {
	switch lower {
	case "content-type", "content-encoding", "content-disposition", "content-language",
		"cache-control", "expires", "x-amz-storage-class", "x-amz-website-redirect-location",
		"x-amz-checksum-algorithm", "x-amz-checksum-type":
		return true
	}
	return strings.HasPrefix(lower, "x-amz-meta-") || strings.HasPrefix(lower, "x-amz-checksum-") ||
		strings.HasPrefix(lower, "x-amz-grant-")
}

// putOptions turns the form's fields into what PutObject stores beside the
// data, as the equivalent headers of a PUT would: metadata, acl (a canned
// ACL or x-amz-grant-* fields, judged by aclFor as a PUT's), tagging (an XML Tagging document), storage class, and the
// additional checksum to compute and verify.
func (form *postForm) putOptions(aclFor func(http.Header) (string, error)) (storage.PutOptions, checksum.Spec, error) {
	h := make(http.Header)
	for _, name := range form.names {
		lower := strings.ToLower(name)
		if postHeaderField(lower) {
			h.Set(name, form.fields[lower])
		}
	}
	if canned, ok := form.fields["acl"]; ok {
		h.Set("X-Amz-Acl", canned)
	}
	var opts storage.PutOptions
	enc, err := aclFor(h)
	if err != nil {
		return opts, checksum.Spec{}, err
	}
	if opts.Metadata, err = metadataFromHeaders(h); err != nil {
		return opts, checksum.Spec{}, err
	}
	if enc != "" {
		opts.Metadata[aclMetaKey] = enc
	}
	if opts.StorageClass, err = storageClassFromHeader(h); err != nil {
		return opts, checksum.Spec{}, err
	}
	if doc, ok := form.fields["tagging"]; ok {
		var t tagging
		if err := xmlUnmarshal([]byte(doc), &t); err != nil {
			return opts, checksum.Spec{}, err
		}
		if opts.Tags, err = validateTags(t.TagSet); err != nil {
			return opts, checksum.Spec{}, err
		}
	}
	spec, err := checksum.ParseHeaders(h)
	return opts, spec, err
}

// aclHeader returns the form's acl and x-amz-grant-* fields as the
// headers of a PUT would carry them.
func (form *postForm) aclHeader() http.Header {
	h := make(http.Header)
	if canned, ok := form.fields["acl"]; ok {
		h.Set("X-Amz-Acl", canned)
	}
	for _, name := range form.names {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-grant-") {
			h.Set(name, form.fields[lower])
		}
	}
	return h
}

// lockHeader returns the form's x-amz-object-lock-* fields as the
// headers of a PUT would carry them.
func (form *postForm) lockHeader() http.Header {
	h := make(http.Header)
	for _, name := range []string{hdrLockMode, hdrLockUntil, hdrLockLegalHold} {
		if v, ok := form.fields[strings.ToLower(name)]; ok {
			h.Set(name, v)
		}
	}
	return h
}

// postAnswer answers a stored POST upload: a 303 to success_action_redirect
// (or redirect) with the bucket, key and ETag in its query, or else the
// success_action_status: 200 or 201 (with a PostResponse document), 204 by
// default.
func (req *request) postAnswer(f map[string]string, info storage.ObjectInfo) error {
	hdr := req.w.Header()
	etag := quoteETag(info.ETag)
	hdr.Set("ETag", etag)
	setChecksumHeaders(hdr, info.Checksum)
	setVersionHeader(hdr, info)
	location := req.objectLocation()
	redirect, ok := f["success_action_redirect"]
	if !ok {
		redirect = f["redirect"]
	}
	if u, err := url.Parse(redirect); redirect != "" && err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		q := u.Query()
		q.Set("bucket", req.route.Bucket)
		q.Set("key", req.route.Key)
		q.Set("etag", etag)
		u.RawQuery = q.Encode()
		hdr.Set("Location", u.String())
		req.w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	hdr.Set("Location", location)
	switch f["success_action_status"] {
	case "200":
		req.w.WriteHeader(http.StatusOK)
	case "201":
		req.writeXMLStatus(http.StatusCreated, postResponse{Location: location, Bucket: req.route.Bucket, Key: req.route.Key, ETag: etag})
	default:
		req.w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// objectLocation is the URL of the stored object, addressed as the request
// addressed its bucket (path or virtual-host style).
func (req *request) objectLocation() string {
	scheme := "http"
	if req.r.TLS != nil {
		scheme = "https"
	}
	path := "/" + sigv4.URIEncode(req.route.Key, false)
	if BucketFromHost(req.r.Host, req.h.cfg.Domains) == "" {
		path = "/" + req.route.Bucket + path
	}
	return scheme + "://" + req.r.Host + path
}

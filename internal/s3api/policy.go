package s3api

import (
	"encoding/xml"
	"errors"
	"strconv"

	"github.com/hoardstore/hoard/internal/clientip"
	"github.com/hoardstore/hoard/internal/policy"
	"github.com/hoardstore/hoard/internal/storage"
)

// putBucketPolicy stores a bucket policy (PutBucketPolicy).
func (req *request) putBucketPolicy() error {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	p, err := policy.Parse(data, req.route.Bucket)
	if err != nil {
		var e *policy.Error
		if errors.As(err, &e) {
			return newError(e.Code, e.Message)
		}
		return err
	}
	if p.IsPublic() {
		st, err := req.bucketACLs()
		if err != nil {
			return err
		}
		if st.pab.BlockPublicPolicy {
			return newError("AccessDenied", "Access Denied: the bucket's public access block refuses public policies (BlockPublicPolicy).")
		}
	}
	// Stored as sent: GetBucketPolicy answers the document itself.
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, storage.ConfigPolicy, data); err != nil {
		return err
	}
	return req.noContent()
}

// getBucketPolicy answers a bucket's policy document (GetBucketPolicy).
func (req *request) getBucketPolicy() error {
	doc, ok, err := req.bucketConfig(storage.ConfigPolicy)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchBucketPolicy")
	}
	req.writeDocument("application/json", doc)
	return nil
}

// deleteBucketPolicy removes a bucket's policy (DeleteBucketPolicy).
func (req *request) deleteBucketPolicy() error { return req.deleteBucketConfig(storage.ConfigPolicy) }

type policyStatusXML struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

// getBucketPolicyStatus tells whether the bucket is public
// (GetBucketPolicyStatus): its policy allows anyone something (unless
// RestrictPublicBuckets confines it to the account), or its ACL grants
// AllUsers or AuthenticatedUsers something (unless ACLs are disabled or
// IgnorePublicAcls makes such grants count for nothing). A bucket with
// neither a policy nor a public ACL answers NoSuchBucketPolicy, as S3.
func (req *request) getBucketPolicyStatus() error {
	p, err := req.bucketPolicy()
	if err != nil {
		return err
	}
	st, err := req.bucketACLs()
	if err != nil {
		return err
	}
	aclPublic := st.ownership.ACLsEnabled() && !st.pab.IgnorePublicAcls && st.grants.IsPublic()
	if p == nil && !st.grants.IsPublic() {
		return newError("NoSuchBucketPolicy")
	}
	public := p != nil && p.IsPublic() && !st.pab.RestrictPublicBuckets || aclPublic
	return req.writeXML(policyStatusXML{Xmlns: s3NS, IsPublic: public})
}

// bucketPolicy returns the parsed policy of the request's bucket, nil when
// it has none.
func (req *request) bucketPolicy() (*policy.Policy, error) {
	doc, ok, err := req.bucketConfig(storage.ConfigPolicy)
	if err != nil || !ok {
		return nil, err
	}
	return req.h.policies.get(req.route.Bucket, doc)
}

// conditionContext returns the condition keys of the request.
func (req *request) conditionContext() map[string]string {
	r := req.r
	client := clientip.FromRequest(r) // behind trusted proxies: the forwarded client
	ctx := map[string]string{
		"aws:PrincipalType":   "Anonymous",
		"aws:SecureTransport": strconv.FormatBool(client.Secure),
	}
	if client.Addr.IsValid() {
		ctx["aws:SourceIp"] = client.Addr.String()
	}
	if v := r.Referer(); v != "" {
		ctx["aws:Referer"] = v
	}
	if v := r.UserAgent(); v != "" {
		ctx["aws:UserAgent"] = v
	}
	q := r.URL.Query()
	for param, key := range map[string]string{"prefix": "s3:prefix", "delimiter": "s3:delimiter", "max-keys": "s3:max-keys"} {
		if q.Has(param) {
			ctx[key] = q.Get(param)
		}
	}
	return ctx
}

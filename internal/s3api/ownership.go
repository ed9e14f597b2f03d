package s3api

import (
	"net/http"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/storage"
)

// Object ownership and the public access block: two bucket settings kept
// in the bucket record (storage.ConfigOwnership,
// storage.ConfigPublicAccessBlock) and changed under the bucket's lock.
// A bucket without an ownership document is BucketOwnerEnforced (ACLs
// disabled), as every bucket S3 creates since April 2023; deleting its
// ownership controls enables ACLs (ObjectWriter behaviour).

// bucketOwnershipOption reads x-amz-object-ownership of CreateBucket
// ("" when absent).
func bucketOwnershipOption(h http.Header) (acl.Ownership, error) {
	v := h.Get(hdrObjectOwnership)
	if v == "" {
		return "", nil
	}
	o, ok := acl.ParseOwnership(v)
	if !ok {
		return "", newError("InvalidArgument", "Invalid x-amz-object-ownership header: "+v).
			with("ArgumentName", "x-amz-object-ownership", "ArgumentValue", v)
	}
	return o, nil
}

// newBucketACLs returns the ACL documents a CreateBucket asks for: its
// ownership (stored only when not the default) and its ACL, which a
// bucket with ACLs disabled refuses unless it is private, as S3 does.
func (req *request) newBucketACLs() (map[string][]byte, error) {
	configs := map[string][]byte{}
	o, err := bucketOwnershipOption(req.r.Header)
	if err != nil {
		return nil, err
	}
	if o != "" && o != acl.BucketOwnerEnforced {
		configs[storage.ConfigOwnership] = acl.StoredOwnership(o)
	}
	l, ok, err := req.headerACL(req.r.Header, acl.Bucket)
	if err != nil || !ok || l.IsPrivate(req.h.owner.ID) {
		return configs, err
	}
	if o == "" || o == acl.BucketOwnerEnforced {
		return nil, newError("InvalidBucketAclWithObjectOwnership")
	}
	configs[storage.ConfigACL] = l.Encode()
	return configs, nil
}

// getOwnershipControls answers GetBucketOwnershipControls.
func (req *request) getOwnershipControls() error {
	st, err := req.bucketACLs()
	if err != nil {
		return err
	}
	if !st.configured {
		return newError("OwnershipControlsNotFoundError")
	}
	req.writeDocument("application/xml", acl.OwnershipControls(st.ownership))
	return nil
}

// putOwnershipControls sets a bucket's object ownership
// (PutBucketOwnershipControls). BucketOwnerEnforced is refused while
// the bucket's ACL grants anyone but the owner, as S3 refuses it.
func (req *request) putOwnershipControls() error {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	o, err := acl.ParseOwnershipControls(data)
	if err != nil {
		return aclError(err)
	}
	err = req.h.cfg.Layer.UpdateBucketConfigs(req.r.Context(), req.route.Bucket, func(c map[string][]byte) (map[string][]byte, error) {
		st, err := aclsOf(c)
		if err != nil {
			return nil, err
		}
		if o == acl.BucketOwnerEnforced && st.grants != nil && !st.grants.IsPrivate(req.h.owner.ID) {
			return nil, newError("InvalidBucketAclWithObjectOwnership")
		}
		setConfig(c, storage.ConfigOwnership, nil)
		if o != acl.BucketOwnerEnforced {
			c[storage.ConfigOwnership] = acl.StoredOwnership(o)
		}
		return c, nil
	})
	if err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteOwnershipControls removes a bucket's ownership controls
// (DeleteBucketOwnershipControls): ACLs are enabled again.
func (req *request) deleteOwnershipControls() error {
	err := req.h.cfg.Layer.UpdateBucketConfigs(req.r.Context(), req.route.Bucket, func(c map[string][]byte) (map[string][]byte, error) {
		c[storage.ConfigOwnership] = acl.StoredOwnership("")
		return c, nil
	})
	if err != nil {
		return err
	}
	return req.noContent()
}

// getPublicAccessBlock answers GetPublicAccessBlock.
func (req *request) getPublicAccessBlock() error {
	doc, ok, err := req.bucketConfig(storage.ConfigPublicAccessBlock)
	if err != nil {
		return err
	}
	if !ok {
		return newError("NoSuchPublicAccessBlockConfiguration")
	}
	req.writeDocument("application/xml", doc)
	return nil
}

// putPublicAccessBlock sets a bucket's public access block
// (PutPublicAccessBlock).
func (req *request) putPublicAccessBlock() error {
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	p, err := acl.ParsePublicAccessBlock(data)
	if err != nil {
		return aclError(err)
	}
	if err := req.h.cfg.Layer.SetBucketConfig(req.r.Context(), req.route.Bucket, storage.ConfigPublicAccessBlock, p.Document()); err != nil {
		return err
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// deletePublicAccessBlock removes it (DeletePublicAccessBlock): 204.
func (req *request) deletePublicAccessBlock() error {
	return req.deleteBucketConfig(storage.ConfigPublicAccessBlock)
}

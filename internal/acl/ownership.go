package acl

import (
	"bytes"
	"encoding/xml"
)

// Ownership is a bucket's object ownership setting.
type Ownership string

// The object ownership settings S3 defines.
const (
	// BucketOwnerEnforced disables ACLs: the bucket owner owns every
	// object and only policies decide access. The default of new buckets.
	BucketOwnerEnforced Ownership = "BucketOwnerEnforced"
	// BucketOwnerPreferred and ObjectWriter keep ACLs working (in one
	// account the writer and the bucket owner are the same).
	BucketOwnerPreferred Ownership = "BucketOwnerPreferred"
	ObjectWriter         Ownership = "ObjectWriter"
)

// ownershipNone is stored once a bucket's ownership controls are
// deleted: ACLs are enabled (S3's behaviour before ownership controls),
// and GetBucketOwnershipControls finds none.
const ownershipNone = "none"

// ParseOwnership reads an ownership setting (x-amz-object-ownership).
func ParseOwnership(v string) (Ownership, bool) {
	switch o := Ownership(v); o {
	case BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter:
		return o, true
	}
	return "", false
}

// OwnershipOf reads a bucket's stored setting (doc, present in its
// record or not): the setting in force and whether ownership controls
// are configured. A bucket that never had one is BucketOwnerEnforced, as
// every bucket S3 creates now is.
func OwnershipOf(doc []byte, present bool) (Ownership, bool) {
	if !present {
		return BucketOwnerEnforced, true
	}
	if string(doc) == ownershipNone {
		return ObjectWriter, false
	}
	if o, ok := ParseOwnership(string(doc)); ok {
		return o, true
	}
	return BucketOwnerEnforced, true
}

// StoredOwnership is the stored form of a setting; "" stands for deleted
// ownership controls.
func StoredOwnership(o Ownership) []byte {
	if o == "" {
		return []byte(ownershipNone)
	}
	return []byte(o)
}

// ACLsEnabled reports whether ACLs take part in access decisions.
func (o Ownership) ACLsEnabled() bool { return o != BucketOwnerEnforced }

type ownershipXML struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

type ownershipOut struct {
	XMLName         xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ OwnershipControls"`
	ObjectOwnership string   `xml:"Rule>ObjectOwnership"`
}

// ParseOwnershipControls reads an OwnershipControls document: exactly
// one rule with a known setting, else MalformedXML.
func ParseOwnershipControls(data []byte) (Ownership, error) {
	var doc ownershipXML
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil || len(doc.Rules) != 1 {
		return "", &Error{Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	}
	o, ok := ParseOwnership(doc.Rules[0].ObjectOwnership)
	if !ok {
		return "", &Error{Code: "MalformedXML", Message: "Invalid ObjectOwnership: " + doc.Rules[0].ObjectOwnership}
	}
	return o, nil
}

// OwnershipControls returns the OwnershipControls document of o.
func OwnershipControls(o Ownership) []byte {
	b, _ := xml.Marshal(ownershipOut{ObjectOwnership: string(o)})
	return b
}

package acl

import "encoding/xml"

// Owner names the owner of a resource in an AccessControlPolicy.
type Owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// PolicyXML is the AccessControlPolicy document S3 answers on GetBucketAcl
// and GetObjectAcl.
type PolicyXML struct {
	XMLName xml.Name   `xml:"http://s3.amazonaws.com/doc/2006-03-01/ AccessControlPolicy"`
	Owner   Owner      `xml:"Owner"`
	Grants  []GrantXML `xml:"AccessControlList>Grant"`
}

// GrantXML is one grant of a PolicyXML.
type GrantXML struct {
	Grantee    GranteeXML `xml:"Grantee"`
	Permission Permission `xml:"Permission"`
}

// GranteeXML is a grantee of a GrantXML, typed with xsi:type.
type GranteeXML struct {
	XMLNS       string `xml:"xmlns:xsi,attr"`
	Type        string `xml:"xsi:type,attr"`
	ID          string `xml:"ID,omitempty"`
	DisplayName string `xml:"DisplayName,omitempty"`
	URI         string `xml:"URI,omitempty"`
}

// Document returns the AccessControlPolicy of a resource with grants l
// (nil: private) owned by owner; name gives the display name of a
// canonical ID ("" for none).
func Document(l List, owner Owner, name func(id string) string) PolicyXML {
	if l == nil {
		l = Private(owner.ID)
	}
	doc := PolicyXML{Owner: owner, Grants: make([]GrantXML, 0, len(l))}
	for _, g := range l {
		gx := GranteeXML{XMLNS: "http://www.w3.org/2001/XMLSchema-instance", Type: g.Grantee.Type, ID: g.Grantee.ID, URI: g.Grantee.URI}
		if g.Grantee.ID != "" && name != nil {
			gx.DisplayName = name(g.Grantee.ID)
		}
		doc.Grants = append(doc.Grants, GrantXML{Grantee: gx, Permission: g.Permission})
	}
	return doc
}

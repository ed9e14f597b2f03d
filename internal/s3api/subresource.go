package s3api

import (
	"encoding/xml"
	"net/http"
)

// Bucket configurations Hoard does not keep. GET answers truthfully that
// there is none, with S3's own answer for a bucket without one (see
// subresourceMissing and subresourceEmpty in bucket.go, idConfigLists
// below); DELETE succeeds, there being nothing to delete; PUT is refused
// with NotImplemented and changes nothing, unless its document asks for
// exactly what every Hoard bucket already is (requester pays off, no
// logging, no notifications, no transfer acceleration), which is
// accepted as S3 accepts it.

// idConfigLists maps the configurations S3 keeps by ID (GET with ?id=
// reads one, without lists them) to the root element of their listing.
var idConfigLists = map[string]string{
	"analytics":           "ListBucketAnalyticsConfigurationResult",
	"metrics":             "ListMetricsConfigurationsResult",
	"inventory":           "ListInventoryConfigurationsResult",
	"intelligent-tiering": "ListBucketIntelligentTieringConfigurationsOutput",
}

// getIDConfiguration answers GET of an ID-keyed configuration: one by ID
// is NoSuchConfiguration (404), the listing is empty.
func (req *request) getIDConfiguration(root string) error {
	if _, ok := req.r.URL.Query()["id"]; ok {
		return newError("NoSuchConfiguration")
	}
	req.writeRawXML(`<` + root + ` xmlns="` + s3NS + `"><IsTruncated>false</IsTruncated></` + root + `>`)
	return nil
}

// putBucketSubresource answers PUT of a bucket configuration Hoard does
// not keep: accepted when it asks for what the bucket already is,
// refused otherwise.
func (req *request) putBucketSubresource() error {
	switch req.route.Subresource {
	case "ownershipControls":
		return req.putOwnershipControls()
	case "publicAccessBlock":
		return req.putPublicAccessBlock()
	}
	if _, err := req.h.cfg.Layer.GetBucketInfo(req.r.Context(), req.route.Bucket); err != nil {
		return err
	}
	data, err := req.readSmallBody(maxXMLBody)
	if err != nil {
		return err
	}
	neutral, err := neutralConfig(req.route.Subresource, data)
	if err != nil {
		return err
	}
	if !neutral {
		return newError("NotImplemented", "Hoard does not implement the bucket "+req.route.Subresource+
			" configuration; nothing was changed.")
	}
	req.w.WriteHeader(http.StatusOK)
	return nil
}

// neutralConfig reports whether doc, a PUT of the bucket configuration
// sub, asks for exactly what every Hoard bucket is; a document of a
// configuration it knows that does not parse is MalformedXML.
func neutralConfig(sub string, doc []byte) (bool, error) {
	switch sub {
	case "requestPayment":
		var c struct {
			XMLName xml.Name `xml:"RequestPaymentConfiguration"`
			Payer   string
		}
		if err := xmlUnmarshal(doc, &c); err != nil || c.Payer != "BucketOwner" && c.Payer != "Requester" {
			return false, newError("MalformedXML")
		}
		return c.Payer == "BucketOwner", nil
	case "accelerate":
		var c struct {
			XMLName xml.Name `xml:"AccelerateConfiguration"`
			Status  string
		}
		if err := xmlUnmarshal(doc, &c); err != nil || c.Status != "Enabled" && c.Status != "Suspended" {
			return false, newError("MalformedXML")
		}
		return c.Status == "Suspended", nil
	case "logging":
		var c struct {
			XMLName xml.Name  `xml:"BucketLoggingStatus"`
			Enabled *struct{} `xml:"LoggingEnabled"`
		}
		if err := xmlUnmarshal(doc, &c); err != nil {
			return false, err
		}
		return c.Enabled == nil, nil
	case "notification":
		var c struct {
			XMLName xml.Name `xml:"NotificationConfiguration"`
			Any     []struct {
				XMLName xml.Name
			} `xml:",any"`
		}
		if err := xmlUnmarshal(doc, &c); err != nil {
			return false, err
		}
		return len(c.Any) == 0, nil
	}
	return false, nil
}

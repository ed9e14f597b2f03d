package s3api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

func (req *request) getObjectTagging() error {
	info, err := req.h.cfg.Layer.StatObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
	if err != nil {
		return err
	}
	setVersionHeader(req.w.Header(), info)
	return req.writeXML(taggingResponse{TagSet: tagList(info.Tags)})
}

func (req *request) putObjectTagging() error {
	var doc tagging
	if req.taggingBody != nil { // read to authorise an anonymous caller
		if err := xmlUnmarshal(req.taggingBody, &doc); err != nil {
			return err
		}
	} else if err := req.readXML(&doc); err != nil {
		return err
	}
	tags, err := validateTags(doc.TagSet)
	if err != nil {
		return err
	}
	return req.updateTags(tags, http.StatusOK)
}

func (req *request) deleteObjectTagging() error {
	return req.updateTags(map[string]string{}, http.StatusNoContent)
}

func (req *request) updateTags(tags map[string]string, status int) error {
	info, err := req.h.cfg.Layer.UpdateObject(req.r.Context(), req.route.Bucket, req.route.Key,
		storage.UpdateOptions{VersionID: req.versionID(), Tags: tags})
	if err != nil {
		return err
	}
	setVersionHeader(req.w.Header(), info)
	req.w.WriteHeader(status)
	return nil
}

// objectAttributes are the names GetObjectAttributes accepts.
var objectAttributes = map[string]bool{
	"ETag": true, "Checksum": true, "ObjectParts": true, "StorageClass": true, "ObjectSize": true,
}

func (req *request) getObjectAttributes() error {
	want := map[string]bool{}
	for _, v := range req.r.Header.Values("X-Amz-Object-Attributes") {
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if !objectAttributes[a] {
				return newError("InvalidArgument", "Invalid attribute name specified.")
			}
			want[a] = true
		}
	}
	if len(want) == 0 {
		return newError("InvalidArgument", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty")
	}
	maxParts, err := headerInt(req.r.Header, "X-Amz-Max-Parts", 1000)
	if err != nil {
		return err
	}
	marker, err := headerInt(req.r.Header, "X-Amz-Part-Number-Marker", 0)
	if err != nil {
		return err
	}
	info, err := req.h.cfg.Layer.StatObject(req.r.Context(), req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
	if err != nil {
		return err
	}
	hdr := req.w.Header()
	hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	setVersionHeader(hdr, info)
	var out getObjectAttributesResponse
	if want["ETag"] {
		out.ETag = info.ETag
	}
	if want["StorageClass"] {
		out.StorageClass = storageClassOf(info)
	}
	if want["ObjectSize"] {
		size := info.Size
		out.ObjectSize = &size
	}
	if want["Checksum"] && !info.Checksum.IsZero() {
		out.Checksum = &checksumXML{checksumFields: checksumXMLFields(info.Checksum), ChecksumType: string(info.Checksum.Type)}
	}
	if want["ObjectParts"] && len(info.Parts) > 0 {
		out.ObjectParts = objectParts(info.Parts, marker, min(maxParts, 1000))
	}
	return req.writeXML(out)
}

// objectParts pages through an object's parts after marker.
func objectParts(parts []storage.ObjectPart, marker, maxParts int) *objectPartsXML {
	op := &objectPartsXML{TotalPartsCount: len(parts), PartNumberMarker: marker, MaxParts: maxParts}
	for _, p := range parts {
		if p.Number <= marker {
			continue
		}
		if len(op.Parts) == maxParts {
			op.IsTruncated = true
			break
		}
		op.Parts = append(op.Parts, objectPartXML{PartNumber: p.Number, Size: p.Size, checksumFields: checksumXMLFields(p.Checksum)})
		op.NextPartNumberMarker = p.Number
	}
	return op
}

// headerInt reads a non-negative integer header, def when absent.
func headerInt(h http.Header, name string, def int) (int, error) {
	v := h.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, newError("InvalidArgument", "Invalid value for header "+name+".")
	}
	return n, nil
}

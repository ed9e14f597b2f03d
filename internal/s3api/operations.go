package s3api

// operations maps each operation to its handler.
func (h *Handler) operations() map[Op]func(*request) error {
	return map[Op]func(*request) error{
		OpListBuckets:             (*request).listBuckets,
		OpCreateBucket:            (*request).createBucket,
		OpDeleteBucket:            (*request).deleteBucket,
		OpHeadBucket:              (*request).headBucket,
		OpGetBucketLocation:       (*request).getBucketLocation,
		OpGetBucketVersioning:     (*request).getBucketVersioning,
		OpGetBucketACL:            (*request).getBucketACL,
		OpPutBucketACL:            (*request).putACL,
		OpGetBucketSubresource:    (*request).getBucketSubresource,
		OpDeleteBucketSubresource: (*request).deleteBucketSubresource,
		OpListObjects:             (*request).listObjectsV1,
		OpListObjectsV2:           (*request).listObjectsV2,
		OpListObjectVersions:      (*request).listObjectVersions,
		OpListMultipartUploads:    (*request).listMultipartUploads,
		OpDeleteObjects:           (*request).deleteObjects,
		OpPutObject:               (*request).putObject,
		OpCopyObject:              (*request).copyObject,
		OpGetObject:               (*request).getObject,
		OpHeadObject:              (*request).headObject,
		OpDeleteObject:            (*request).deleteObject,
		OpGetObjectTagging:        (*request).getObjectTagging,
		OpPutObjectTagging:        (*request).putObjectTagging,
		OpDeleteObjectTagging:     (*request).deleteObjectTagging,
		OpGetObjectAttributes:     (*request).getObjectAttributes,
		OpGetObjectACL:            (*request).getObjectACL,
		OpPutObjectACL:            (*request).putACL,
		OpCreateMultipartUpload:   (*request).createMultipartUpload,
		OpUploadPart:              (*request).uploadPart,
		OpUploadPartCopy:          (*request).uploadPartCopy,
		OpCompleteMultipartUpload: (*request).completeMultipartUpload,
		OpAbortMultipartUpload:    (*request).abortMultipartUpload,
		OpListParts:               (*request).listParts,
	}
}

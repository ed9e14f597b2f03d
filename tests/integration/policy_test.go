package integration

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// publicPolicy opens parts of bucket to anonymous callers.
func publicPolicy(bucket string) string {
	return fmt.Sprintf(`{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::%[1]s/public/*", "arn:aws:s3:::%[1]s/ip/*", "arn:aws:s3:::%[1]s/far/*"]},
    {"Sid": "ListPublic", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::%[1]s",
     "Condition": {"StringLike": {"s3:prefix": "public/*"}}},
    {"Sid": "Inbox", "Effect": "Allow", "Principal": "*", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::%[1]s/inbox/*"},
    {"Sid": "NoSecrets", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::%[1]s/public/secret*"},
    {"Sid": "LoopbackOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%[1]s/ip/*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["127.0.0.0/8", "::1"]}}},
    {"Sid": "Elsewhere", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%[1]s/far/*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}
  ]
}`, bucket)
}

// TestBucketPolicy puts, reads and deletes a bucket policy with both SDKs
// and checks what anonymous callers may then do: exactly what the policy
// allows (conditions and explicit denies included), per key in
// DeleteObjects, and never bucket administration.
func TestBucketPolicy(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		for _, k := range []string{"public/a.txt", "public/secret.txt", "private/b.txt", "ip/c.txt", "far/d.txt"} {
			e.putObject(t, bucket, k, []byte("body of "+k))
		}
		anon := func(method, key string, q map[string]string, header http.Header, body []byte) (*http.Response, []byte) {
			t.Helper()
			u := e.objectURL(bucket, key, nil)
			vals := u.Query()
			for k, v := range q {
				vals.Set(k, v)
			}
			u.RawQuery = vals.Encode()
			return e.fetch(t, method, u.String(), header, body)
		}

		resp, body := anon(http.MethodGet, "public/a.txt", nil, nil, nil)
		wantError(t, "anonymous GET before a policy", resp, body, http.StatusForbidden, "AccessDenied")
		_, err := e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &bucket})
		wantAWSError(t, "GetBucketPolicy before any", err, "NoSuchBucketPolicy", http.StatusNotFound)

		doc := publicPolicy(bucket)
		_, err = e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(doc)})
		must(t, "PutBucketPolicy", err)
		got, err := e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &bucket})
		must(t, "GetBucketPolicy", err)
		if aws.ToString(got.Policy) != doc {
			t.Errorf("GetBucketPolicy: got %q, want the document put", aws.ToString(got.Policy))
		}
		mdoc, err := e.mc.GetBucketPolicy(ctx(t), bucket)
		must(t, "minio GetBucketPolicy", err)
		if mdoc != doc {
			t.Errorf("minio GetBucketPolicy: got %q", mdoc)
		}
		status, err := e.s3.GetBucketPolicyStatus(ctx(t), &s3.GetBucketPolicyStatusInput{Bucket: &bucket})
		must(t, "GetBucketPolicyStatus", err)
		if status.PolicyStatus == nil || !aws.ToBool(status.PolicyStatus.IsPublic) {
			t.Errorf("GetBucketPolicyStatus: got %+v, want public", status.PolicyStatus)
		}

		t.Run("anonymous", func(t *testing.T) {
			tests := []struct {
				name, method, key string
				query             map[string]string
				body              []byte
				status            int
			}{
				{"read public", http.MethodGet, "public/a.txt", nil, nil, http.StatusOK},
				{"read a missing key without list permission", http.MethodGet, "public/missing.txt", nil, nil, http.StatusForbidden},
				{"head public", http.MethodHead, "public/a.txt", nil, nil, http.StatusOK},
				{"read private", http.MethodGet, "private/b.txt", nil, nil, http.StatusForbidden},
				{"explicit deny", http.MethodGet, "public/secret.txt", nil, nil, http.StatusForbidden},
				{"source address allowed", http.MethodGet, "ip/c.txt", nil, nil, http.StatusOK},
				{"source address denied", http.MethodGet, "far/d.txt", nil, nil, http.StatusForbidden},
				{"list the public prefix", http.MethodGet, "", map[string]string{"list-type": "2", "prefix": "public/"}, nil, http.StatusOK},
				{"list everything", http.MethodGet, "", map[string]string{"list-type": "2"}, nil, http.StatusForbidden},
				{"upload to the inbox", http.MethodPut, "inbox/new.txt", nil, []byte("dropped"), http.StatusOK},
				{"upload elsewhere", http.MethodPut, "public/new.txt", nil, []byte("nope"), http.StatusForbidden},
				{"delete public", http.MethodDelete, "public/a.txt", nil, nil, http.StatusForbidden},
				{"tagging", http.MethodGet, "public/a.txt", map[string]string{"tagging": ""}, nil, http.StatusForbidden},
				{"response header override", http.MethodGet, "public/a.txt", map[string]string{"response-content-type": "text/html"}, nil, http.StatusBadRequest},
				{"response header override on a private key", http.MethodGet, "private/b.txt", map[string]string{"response-content-type": "text/html"}, nil, http.StatusForbidden},
				{"bucket policy", http.MethodGet, "", map[string]string{"policy": ""}, nil, http.StatusForbidden},
				{"bucket CORS", http.MethodPut, "", map[string]string{"cors": ""}, []byte("<CORSConfiguration/>"), http.StatusForbidden},
				{"delete the bucket", http.MethodDelete, "", nil, nil, http.StatusForbidden},
			}
			for _, tt := range tests {
				resp, body := anon(tt.method, tt.key, tt.query, nil, tt.body)
				if tt.status == http.StatusForbidden && tt.method != http.MethodHead {
					wantError(t, tt.name, resp, body, tt.status, "AccessDenied")
					continue
				}
				if tt.status == http.StatusBadRequest {
					wantError(t, tt.name, resp, body, tt.status, "InvalidRequest")
					continue
				}
				wantStatus(t, tt.name, resp, body, tt.status)
			}
			resp, body := anon(http.MethodPut, "inbox/tagged.txt", nil, hdr("X-Amz-Tagging", "a=b"), []byte("x"))
			wantError(t, "anonymous upload with tags, without s3:PutObjectTagging", resp, body, http.StatusForbidden, "AccessDenied")
			resp, body = anon(http.MethodGet, "public/a.txt", nil, nil, nil)
			if string(body) != "body of public/a.txt" {
				t.Errorf("anonymous read: body %q", body)
			}
			resp, body = anon(http.MethodGet, "", map[string]string{"list-type": "2", "prefix": "public/"}, nil, nil)
			if !bytes.Contains(body, []byte("<Key>public/a.txt</Key>")) || bytes.Contains(body, []byte("private/")) {
				t.Errorf("anonymous list of public/: %s", body)
			}
			data, _ := e.getObject(t, bucket, "inbox/new.txt")
			if string(data) != "dropped" {
				t.Errorf("anonymous upload: stored %q", data)
			}
			for _, key := range []string{"public/a.txt", "public/secret.txt", "private/b.txt"} {
				_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key)})
				must(t, "HeadObject "+key+" after the anonymous requests", err)
			}
			_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("public/new.txt")})
			wantAWSError(t, "HeadObject of the refused upload", err, "NotFound", http.StatusNotFound)

			// DeleteObjects is decided key by key.
			del := []byte(`<Delete><Object><Key>inbox/new.txt</Key></Object><Object><Key>public/a.txt</Key></Object></Delete>`)
			resp, body = anon(http.MethodPost, "", map[string]string{"delete": ""}, hdr("Content-MD5", md5B64(del)), del)
			wantStatus(t, "anonymous DeleteObjects", resp, body, http.StatusOK)
			var res struct {
				Deleted []struct{ Key string }       `xml:"Deleted"`
				Errors  []struct{ Key, Code string } `xml:"Error"`
			}
			if err := xml.Unmarshal(body, &res); err != nil {
				t.Fatalf("DeleteObjects answer %q: %v", body, err)
			}
			if len(res.Deleted) != 1 || res.Deleted[0].Key != "inbox/new.txt" || len(res.Errors) != 1 || res.Errors[0].Key != "public/a.txt" || res.Errors[0].Code != "AccessDenied" {
				t.Errorf("anonymous DeleteObjects: %s", body)
			}
			_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("public/a.txt")})
			must(t, "HeadObject public/a.txt after the anonymous DeleteObjects", err)
		})

		t.Run("refused policies", func(t *testing.T) {
			tests := []struct {
				name, doc, code string
			}{
				{"not JSON", `<Policy/>`, "MalformedPolicy"},
				{"another bucket", strings.ReplaceAll(doc, "arn:aws:s3:::"+bucket, "arn:aws:s3:::someone-else"), "MalformedPolicy"},
				{"bad effect", strings.Replace(doc, `"Effect": "Deny"`, `"Effect": "Perhaps"`, 1), "MalformedPolicy"},
				{"unknown condition key", strings.Replace(doc, "s3:prefix", "aws:nosuchkey", 1), "MalformedPolicy"},
			}
			for _, tt := range tests {
				resp, body := e.do(t, http.MethodPut, bucket, "", query("policy", ""), nil, []byte(tt.doc))
				wantError(t, tt.name, resp, body, http.StatusBadRequest, tt.code)
			}
			got, err := e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &bucket})
			must(t, "GetBucketPolicy after refusals", err)
			if aws.ToString(got.Policy) != doc {
				t.Error("a refused policy replaced the stored one")
			}
		})

		_, err = e.s3.DeleteBucketPolicy(ctx(t), &s3.DeleteBucketPolicyInput{Bucket: &bucket})
		must(t, "DeleteBucketPolicy", err)
		resp, body = anon(http.MethodGet, "public/a.txt", nil, nil, nil)
		wantError(t, "anonymous GET after DeleteBucketPolicy", resp, body, http.StatusForbidden, "AccessDenied")
		_, err = e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &bucket})
		wantAWSError(t, "GetBucketPolicy after delete", err, "NoSuchBucketPolicy", http.StatusNotFound)

		// minio-go's SetBucketPolicy sets one too.
		err = e.mc.SetBucketPolicy(ctx(t), bucket, fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/private/*"]}]}`, bucket))
		must(t, "minio SetBucketPolicy", err)
		resp, body = anon(http.MethodGet, "private/b.txt", nil, nil, nil)
		wantStatus(t, "anonymous GET allowed by minio-go's policy", resp, body, http.StatusOK)

		// Anonymous requests to a bucket that does not exist learn nothing.
		resp, body = e.fetch(t, http.MethodGet, e.objectURL(e.bucketName(t), "k", nil).String(), nil, nil)
		wantError(t, "anonymous GET in a missing bucket", resp, body, http.StatusForbidden, "AccessDenied")
	})
}

// TestBucketPolicyAllActions checks that even "s3:*" for everyone leaves
// bucket administration, listing buckets and copies to the root user.
func TestBucketPolicyAllActions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "k", []byte("v"))
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"]}]}`, bucket)
		_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(doc)})
		must(t, "PutBucketPolicy", err)
		tests := []struct {
			name, method, bucket, key string
			query                     map[string]string
			header                    http.Header
		}{
			{"put policy", http.MethodPut, bucket, "", map[string]string{"policy": ""}, nil},
			{"delete policy", http.MethodDelete, bucket, "", map[string]string{"policy": ""}, nil},
			{"delete bucket", http.MethodDelete, bucket, "", nil, nil},
			{"list buckets", http.MethodGet, "", "", nil, nil},
			{"copy", http.MethodPut, bucket, "copy", nil, hdr("X-Amz-Copy-Source", bucket+"/k")},
			{"acl", http.MethodPut, bucket, "k", map[string]string{"acl": ""}, nil},
		}
		for _, tt := range tests {
			u := e.objectURL(tt.bucket, tt.key, nil)
			vals := u.Query()
			for k, v := range tt.query {
				vals.Set(k, v)
			}
			u.RawQuery = vals.Encode()
			resp, body := e.fetch(t, tt.method, u.String(), tt.header, []byte(doc))
			wantError(t, tt.name, resp, body, http.StatusForbidden, "AccessDenied")
		}
		resp, body := e.fetch(t, http.MethodGet, e.objectURL(bucket, "k", nil).String(), nil, nil)
		wantStatus(t, "anonymous GET", resp, body, http.StatusOK)
		// With s3:ListBucket allowed, a missing key may be reported as missing.
		resp, body = e.fetch(t, http.MethodGet, e.objectURL(bucket, "missing", nil).String(), nil, nil)
		wantError(t, "anonymous GET of a missing key with list permission", resp, body, http.StatusNotFound, "NoSuchKey")
		_, err = e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &bucket})
		must(t, "GetBucketPolicy after the anonymous attempts", err)
	})
}

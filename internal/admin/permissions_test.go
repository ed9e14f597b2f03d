package admin_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// call signs a JSON admin call with cred and returns the status and body.
func call(t *testing.T, e testserver.Endpoint, cred sigv4.Credentials, method, path, body string) (int, []byte) {
	t.Helper()
	r, err := http.NewRequest(method, e.URL+admin.Prefix+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	if err := sigv4.SignRequest(r, cred, e.Region, hex.EncodeToString(sum[:]), time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := e.HTTPClient(t).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// TestAccess checks POST access: each caller learns what authz allows it,
// with identity policies and the bucket's policy, and bad queries are
// refused.
func TestAccess(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	root := sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}
	ctx := t.Context()
	for _, b := range []string{"open", "closed"} {
		if err := e.MinioClient(t).MakeBucket(ctx, b, minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Bob may read "open" by his policy and write into "closed/drop/" by
	// that bucket's policy.
	mustOK := func(method, path, body string) {
		t.Helper()
		if status, out := call(t, e, root, method, path, body); status != http.StatusOK {
			t.Fatalf("%s %s: got %d %s", method, path, status, out)
		}
	}
	mustOK("POST", "iam/users", `{"accessKey":"bob","secretKey":"bob-secret-key"}`)
	mustOK("PUT", "iam/policies/read-open", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::open","arn:aws:s3:::open/*"]}]}`)
	mustOK("POST", "iam/attach", `{"policies":["read-open"],"user":"bob"}`)
	if err := e.MinioClient(t).SetBucketPolicy(ctx, "closed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::000000000000:user/bob"]},"Action":"s3:PutObject","Resource":"arn:aws:s3:::closed/drop/*"}]}`); err != nil {
		t.Fatal(err)
	}
	bob := sigv4.Credentials{AccessKey: "bob", SecretKey: "bob-secret-key"}
	checks := []admin.Check{
		{Action: "s3:GetObject", Bucket: "open", Key: "a"},
		{Action: "s3:PutObject", Bucket: "open", Key: "a"},
		{Action: "s3:ListBucket", Bucket: "open"},
		{Action: "s3:ListBucket", Bucket: "closed"},
		{Action: "s3:PutObject", Bucket: "closed", Key: "drop/x"},
		{Action: "s3:PutObject", Bucket: "closed", Key: "other"},
		{Action: "s3:GetObject", Bucket: "missing", Key: "a"},
		{Action: "admin:ListUsers"},
		{Action: "s3:CreateBucket", Bucket: "new"},
		{Action: "s3:GetObject", Bucket: "../open", Key: "a"},
	}
	body, _ := json.Marshal(admin.AccessQuery{Checks: checks})
	for _, tc := range []struct {
		name string
		cred sigv4.Credentials
		want []bool
	}{
		{"root", root, []bool{true, true, true, true, true, true, true, true, true, true}},
		{"bob", bob, []bool{true, false, true, false, true, false, false, false, false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := call(t, e, tc.cred, "POST", "access", string(body))
			if status != http.StatusOK {
				t.Fatalf("got %d %s", status, out)
			}
			var ans admin.AccessAnswer
			if err := json.Unmarshal(out, &ans); err != nil {
				t.Fatal(err)
			}
			if len(ans.Results) != len(checks) {
				t.Fatalf("got %d results, want %d", len(ans.Results), len(checks))
			}
			for i, r := range ans.Results {
				if r.Check != checks[i] || r.Allowed != tc.want[i] {
					t.Errorf("check %d %+v: got %+v, want allowed %v", i, checks[i], r, tc.want[i])
				}
			}
		})
	}
	for _, tc := range []struct{ name, body string }{
		{"no checks", `{"checks":[]}`},
		{"wildcard action", `{"checks":[{"action":"s3:*"}]}`},
		{"not an action", `{"checks":[{"action":"iam:CreateUser"}]}`},
		{"unknown field", `{"checks":[{"action":"s3:GetObject"}],"as":"root"}`},
		{"not JSON", `checks`},
		{"too many", `{"checks":[` + strings.Repeat(`{"action":"s3:GetObject"},`, 200) + `{"action":"s3:GetObject"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := call(t, e, bob, "POST", "access", tc.body)
			if status != http.StatusBadRequest || !bytes.Contains(out, []byte("InvalidArgument")) {
				t.Errorf("got %d %s, want 400 InvalidArgument", status, out)
			}
		})
	}
}

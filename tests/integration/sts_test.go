package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestSTSAssumeRole gets temporary credentials with minio-go's AssumeRole
// provider and checks that they carry the user's permissions narrowed by
// the session policy, and that bad or orphaned tokens are refused.
func TestSTSAssumeRole(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	e := srv.Endpoint
	ctx := context.Background()
	if err := e.MinioClient(t).MakeBucket(ctx, "sts-bucket", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	addUser(t, e, "temp", "readwrite")
	assume := func(access, secret, pol string) (credentials.Value, error) {
		c, err := credentials.NewSTSAssumeRole(e.URL, credentials.STSAssumeRoleOptions{AccessKey: access, SecretKey: secret, Policy: pol, DurationSeconds: 900, Location: e.Region})
		if err != nil {
			return credentials.Value{}, err
		}
		return c.GetWithContext(&credentials.CredContext{Client: e.HTTPClient(t)})
	}
	client := func(v credentials.Value) *minio.Client {
		return e.MinioClient(t, func(o *minio.Options) {
			o.Creds = credentials.NewStaticV4(v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
		})
	}
	put := func(c *minio.Client, key string) error {
		_, err := c.PutObject(ctx, "sts-bucket", key, strings.NewReader("v"), 1, minio.PutObjectOptions{})
		return err
	}
	full, err := assume("temp", "temp-secret-key", "")
	if err != nil {
		t.Fatal(err)
	}
	if full.SessionToken == "" || !strings.HasPrefix(full.AccessKeyID, "ASIA") || full.Expiration.IsZero() {
		t.Fatalf("credentials: got %+v", full)
	}
	must(t, "session put", put(client(full), "a"))
	readOnly, err := assume("temp", "temp-secret-key", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sts-bucket/*"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	ro := client(readOnly)
	if _, err := ro.StatObject(ctx, "sts-bucket", "a", minio.StatObjectOptions{}); err != nil {
		t.Errorf("narrowed session reads: %v", err)
	}
	wantMinioError(t, "narrowed session writes", put(ro, "b"), "AccessDenied", http.StatusForbidden)
	// The temporary key does not work without its token, nor with another.
	noToken := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey})
	wantMinioError(t, "session key without token", put(noToken, "c"), "InvalidAccessKeyId", http.StatusForbidden)
	swapped := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey, SessionToken: readOnly.SessionToken})
	wantMinioError(t, "another session's token", put(swapped, "c"), "InvalidToken", http.StatusBadRequest)
	forged := client(credentials.Value{AccessKeyID: full.AccessKeyID, SecretAccessKey: full.SecretAccessKey, SessionToken: full.SessionToken + "x"})
	wantMinioError(t, "altered token", put(forged, "c"), "InvalidToken", http.StatusBadRequest)
	// The root user and unknown keys cannot assume a role; a session
	// policy must parse.
	if _, err := assume(e.AccessKey, e.SecretKey, ""); err == nil || !strings.Contains(err.Error(), "root") {
		t.Errorf("root assumes a role: got %v", err)
	}
	if _, err := assume("temp", "temp-secret-key", `{"Version":"2012-10-17"}`); err == nil || !strings.Contains(err.Error(), "Statement") {
		t.Errorf("malformed session policy: got %v", err)
	}
	// Disabling the user ends its sessions.
	iamOK(t, e, "POST", "users/temp/disable", "{}")
	wantMinioError(t, "session of a disabled user", put(client(full), "d"), "InvalidToken", http.StatusBadRequest)
}

// TestSTSRevokeCluster revokes one STS session on one node of a 4-node
// cluster and checks that every node refuses its token within a second,
// while another session of the same user keeps working; bad revocations
// are refused and change nothing.
func TestSTSRevokeCluster(t *testing.T) {
	nodes := testserver.StartCluster(t, testserver.ClusterOptions{Nodes: 4})
	ctx := context.Background()
	e0 := nodes[0].Endpoint
	if err := e0.MinioClient(t).MakeBucket(ctx, "sts-revoke", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	addUser(t, e0, "tempo", "readwrite")
	assume := func() credentials.Value {
		c, err := credentials.NewSTSAssumeRole(e0.URL, credentials.STSAssumeRoleOptions{AccessKey: "tempo", SecretKey: "tempo-secret-key", DurationSeconds: 900, Location: e0.Region})
		if err != nil {
			t.Fatal(err)
		}
		v, err := c.GetWithContext(&credentials.CredContext{Client: e0.HTTPClient(t)})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	doomed, kept := assume(), assume()
	clientsOf := func(v credentials.Value) []*minio.Client {
		out := make([]*minio.Client, len(nodes))
		for i, n := range nodes {
			out[i] = n.Endpoint.MinioClient(t, func(o *minio.Options) {
				o.Creds = credentials.NewStaticV4(v.AccessKeyID, v.SecretAccessKey, v.SessionToken)
			})
		}
		return out
	}
	probe := func(c *minio.Client) error {
		_, err := c.BucketExists(ctx, "sts-revoke")
		return err
	}
	doomedClients, keptClients := clientsOf(doomed), clientsOf(kept)
	// waitAll polls every node until ok holds for its answer, and returns
	// how long that took.
	waitAll := func(what string, clients []*minio.Client, ok func(error) bool) time.Duration {
		start := time.Now()
		deadline := start.Add(5 * time.Second)
		for i, c := range clients {
			for {
				err := probe(c)
				if ok(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: node %d still answers %v after 5s", what, i, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		return time.Since(start)
	}
	// Every node knows the new user (and so its sessions) within a second.
	waitAll("session before revocation", doomedClients, func(err error) bool { return err == nil })
	root := sigv4.Credentials{AccessKey: e0.AccessKey, SecretKey: e0.SecretKey}
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"neither key nor token", `{}`, http.StatusBadRequest},
		{"both key and token", `{"accessKey":"` + doomed.AccessKeyID + `","token":"` + doomed.SessionToken + `"}`, http.StatusBadRequest},
		{"not a session key", `{"accessKey":"tempo"}`, http.StatusBadRequest},
		{"forged token", `{"token":"not-a-token"}`, http.StatusBadRequest},
		{"unknown field", `{"session":"x"}`, http.StatusBadRequest},
	} {
		if status, out := adminCall(t, e0, root, "POST", "sts/revoke", []byte(tc.body)); status != tc.status {
			t.Errorf("%s: got %d %s, want %d", tc.name, status, out, tc.status)
		}
	}
	if status, out := adminCall(t, e0, root, "GET", "sts/revoked", nil); status != http.StatusOK || strings.TrimSpace(string(out)) != "[]" {
		t.Fatalf("revocation list after refused calls: got %d %s, want 200 []", status, out)
	}
	// A user without admin:RevokeSession may not revoke.
	tempo := sigv4.Credentials{AccessKey: "tempo", SecretKey: "tempo-secret-key"}
	if status, _ := adminCall(t, e0, tempo, "POST", "sts/revoke", []byte(`{"accessKey":"`+doomed.AccessKeyID+`"}`)); status != http.StatusForbidden {
		t.Errorf("revocation by a user without the admin action: got %d, want 403", status)
	}

	start := time.Now()
	body, _ := json.Marshal(map[string]string{"token": doomed.SessionToken})
	if status, out := adminCall(t, nodes[1].Endpoint, root, "POST", "sts/revoke", body); status != http.StatusOK || !strings.Contains(string(out), doomed.AccessKeyID) {
		t.Fatalf("revoke: got %d %s", status, out)
	}
	waitAll("session revoked", doomedClients, func(err error) bool { return minio.ToErrorResponse(err).Code == "InvalidToken" })
	d := time.Since(start)
	t.Logf("all %d nodes refused the revoked session %v after the revoke call began", len(nodes), d)
	if d > time.Second {
		t.Errorf("a revoked session was refused on every node after %v, want at most 1s", d)
	}
	for i, c := range keptClients {
		if err := probe(c); err != nil {
			t.Errorf("node %d: the user's other session: %v", i, err)
		}
	}
	if status, out := adminCall(t, nodes[2].Endpoint, root, "GET", "sts/revoked", nil); status != http.StatusOK || !strings.Contains(string(out), doomed.AccessKeyID) {
		t.Errorf("revocation list: got %d %s, want the revoked key", status, out)
	}
}

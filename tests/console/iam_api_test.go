package console

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// raw sends body as it is (a policy document as typed) with the CSRF token.
func (c *apiClient) raw(method, path, body string) (int, []byte) {
	c.t.Helper()
	status, _, data := c.do(method, path, strings.NewReader(body), map[string]string{"X-Hoard-CSRF": c.csrf, "Content-Type": "application/json"})
	return status, data
}

// iamSnapshot is the IAM state as the admin API shows it: users, groups,
// policies and attachments.
func iamSnapshot(t *testing.T, c *apiClient) string {
	t.Helper()
	var out bytes.Buffer
	for _, p := range []string{"/api/admin/iam/users", "/api/admin/iam/groups", "/api/admin/iam/policies", "/api/admin/iam/entities", "/api/admin/iam/svcaccts"} {
		status, _, data := c.do("GET", p, nil, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: got %d %s", p, status, data)
		}
		out.Write(data)
	}
	return out.String()
}

// TestIAMThroughConsole sends bad IAM input through the console's admin
// forwarding and checks that each gets a clear error with its code and
// status (a policy's syntax error its line and column) and that nothing
// changes; and that a user without admin rights is refused by the admin
// API itself.
func TestIAMThroughConsole(t *testing.T) {
	e := startServer(t, 1)
	root := e.client(t)
	if s := root.login(e.srv.AccessKey, e.srv.SecretKey); s != http.StatusOK {
		t.Fatalf("login: %d", s)
	}
	ok := func(method, path, body string) {
		t.Helper()
		if status, data := root.raw(method, path, body); status != http.StatusOK {
			t.Fatalf("%s %s: got %d %s, want 200", method, path, status, data)
		}
	}
	readDocs := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::docs","arn:aws:s3:::docs/*"]}]}`
	ok("POST", "/api/admin/iam/users", `{"accessKey":"alice","secretKey":"alice-secret-key"}`)
	ok("PUT", "/api/admin/iam/policies/read-docs", readDocs)
	ok("POST", "/api/admin/iam/attach", `{"policies":["read-docs"],"user":"alice"}`)

	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 21<<10) + `","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, message            string
		line, column             int
	}{
		{"duplicate user", "POST", "/api/admin/iam/users", `{"accessKey":"alice","secretKey":"another-secret"}`, 409, "AlreadyExists", "alice", 0, 0},
		{"malformed policy", "PUT", "/api/admin/iam/policies/broken", "{\"Version\":\"2012-10-17\",\n\"Statement\":[{\"Effect\":\"Allow\",\n  \"Action\":\"s3:*\" \"Resource\":\"*\"}]}", 400, "MalformedPolicy", "invalid character", 3, 19},
		{"unknown admin action", "PUT", "/api/admin/iam/policies/broken", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"admin:FlyAway"}]}`, 400, "MalformedPolicy", "admin:FlyAway", 0, 0},
		{"oversized policy", "PUT", "/api/admin/iam/policies/broken", big, 400, "MalformedPolicy", "at most 20480 bytes", 0, 0},
		{"far too large a body", "PUT", "/api/admin/iam/policies/broken", big + strings.Repeat(" ", 16<<10), 413, "EntityTooLarge", "at most 20 KiB", 0, 0},
		{"deleting an attached policy", "DELETE", "/api/admin/iam/policies/read-docs", "", 409, "PolicyInUse", "alice", 0, 0},
		{"changing a built-in policy", "PUT", "/api/admin/iam/policies/readonly", readDocs, 400, "BuiltinPolicy", "built-in", 0, 0},
		{"attaching a missing policy", "POST", "/api/admin/iam/attach", `{"policies":["nope"],"user":"alice"}`, 404, "NoSuchPolicy", "nope", 0, 0},
		{"service account policy with a syntax error", "POST", "/api/admin/iam/svcaccts", `{"parent":"alice","policy":"{\n  \"Version\": 2012}"}`, 400, "MalformedPolicy", "", 0, 0},
		{"service account policy in a bad JSON field", "POST", "/api/admin/iam/svcaccts", `{"parent":"alice","policy":"{\n\"Version\":\"2012-10-17\",\n\"Statement\":[}"}`, 400, "MalformedPolicy", "invalid character", 3, 14},
		{"checking a malformed policy", "POST", "/api/admin/iam/policy-check", "{\n\"Version\":\"2012-10-17\",\n\"Statement\":[}", 400, "MalformedPolicy", "invalid character", 3, 14},
		{"checking a valid policy stores nothing", "POST", "/api/admin/iam/policy-check", readDocs, 200, "", "", 0, 0},
		{"revoking what is not a session", "POST", "/api/admin/sts/revoke", `{"accessKey":"alice"}`, 400, "InvalidArgument", "not the access key of a session", 0, 0},
		{"an endpoint not forwarded", "POST", "/api/admin/heal", ``, 404, "NotFound", "", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := iamSnapshot(t, root)
			status, data := root.raw(tc.method, tc.path, tc.body)
			var got struct {
				Code, Message string
				Line, Column  int
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("answer %q: %v", data, err)
			}
			if status != tc.status || got.Code != tc.code || !strings.Contains(got.Message, tc.message) || got.Line != tc.line || got.Column != tc.column {
				t.Errorf("got %d %+v, want %d %s with %q at line %d column %d", status, got, tc.status, tc.code, tc.message, tc.line, tc.column)
			}
			if after := iamSnapshot(t, root); after != before {
				t.Errorf("the IAM state changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}

	// Alice signs in to the console with her own keys; the admin API
	// refuses her its IAM calls, and tells her only about herself.
	alice := e.client(t)
	if s := alice.login("alice", "alice-secret-key"); s != http.StatusOK {
		t.Fatalf("alice's login: %d", s)
	}
	if status, data := alice.raw("GET", "/api/admin/iam/users", ""); status != http.StatusForbidden || !strings.Contains(string(data), "admin:ListUsers") {
		t.Errorf("alice lists users: got %d %s, want 403 naming admin:ListUsers", status, data)
	}
	var ans struct {
		Results []struct{ Allowed bool } `json:"results"`
	}
	status := alice.json("POST", "/api/admin/access", map[string]any{"checks": []map[string]string{
		{"action": "s3:GetObject", "bucket": "docs", "key": "a"}, {"action": "s3:PutObject", "bucket": "docs", "key": "a"}, {"action": "admin:ListUsers"},
	}}, &ans)
	if status != http.StatusOK || len(ans.Results) != 3 || !ans.Results[0].Allowed || ans.Results[1].Allowed || ans.Results[2].Allowed {
		t.Errorf("alice's access: got %d %+v, want read allowed, write and admin refused", status, ans)
	}
	var sess struct{ Admin bool }
	if alice.json("GET", "/api/session", nil, &sess); sess.Admin {
		t.Error("alice's session says admin")
	}
	if s := alice.json("GET", "/api/dashboard", nil, nil); s != http.StatusForbidden {
		t.Errorf("alice's dashboard: got %d, want 403", s)
	}

	// A service account of alice, narrowed to nothing but reading "a/",
	// signs in too and may do no more than its policy and alice's allow.
	var sa struct{ AccessKey, SecretKey string }
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::docs/a/*"}]}`
	if s := root.json("POST", "/api/admin/iam/svcaccts", map[string]any{"parent": "alice", "policy": narrow}, &sa); s != http.StatusOK || sa.SecretKey == "" {
		t.Fatalf("service account: got %d %+v", s, sa)
	}
	svc := e.client(t)
	if s := svc.login(sa.AccessKey, sa.SecretKey); s != http.StatusOK {
		t.Fatalf("the service account's login: %d", s)
	}
	status = svc.json("POST", "/api/admin/access", map[string]any{"checks": []map[string]string{
		{"action": "s3:GetObject", "bucket": "docs", "key": "a/x"}, {"action": "s3:GetObject", "bucket": "docs", "key": "b/x"}, {"action": "s3:ListBucket", "bucket": "docs"},
	}}, &ans)
	if status != http.StatusOK || len(ans.Results) != 3 || !ans.Results[0].Allowed || ans.Results[1].Allowed || ans.Results[2].Allowed {
		t.Errorf("the service account's access: got %d %+v, want only a/ readable", status, ans)
	}

	// An IAM user with consoleAdmin administers through the console as
	// root does: the dashboard and the IAM calls.
	ok("POST", "/api/admin/iam/users", `{"accessKey":"ops","secretKey":"ops-secret-key"}`)
	ok("POST", "/api/admin/iam/attach", `{"policies":["consoleAdmin"],"user":"ops"}`)
	ops := e.client(t)
	if s := ops.login("ops", "ops-secret-key"); s != http.StatusOK {
		t.Fatalf("ops's login: %d", s)
	}
	if ops.json("GET", "/api/session", nil, &sess); !sess.Admin {
		t.Error("ops's session does not say admin")
	}
	if s := ops.json("GET", "/api/dashboard", nil, nil); s != http.StatusOK {
		t.Errorf("ops's dashboard: got %d, want 200", s)
	}
	if status, data := ops.raw("GET", "/api/admin/iam/users", ""); status != http.StatusOK || !strings.Contains(string(data), `"alice"`) {
		t.Errorf("ops lists users: got %d %s", status, data)
	}
}

// TestBucketDocumentsThroughConsole edits a bucket's policy and CORS
// configuration through the console: a malformed policy is refused at
// its line and column and nothing is stored; make public lets anyone
// read objects, but not list or write; a read-only user may not change
// the policy.
func TestBucketDocumentsThroughConsole(t *testing.T) {
	e := startServer(t, 1)
	c := e.client(t)
	if s := c.login(e.srv.AccessKey, e.srv.SecretKey); s != http.StatusOK {
		t.Fatalf("login: %d", s)
	}
	if s := c.json("POST", "/api/buckets", map[string]string{"name": "site"}, nil); s != http.StatusCreated {
		t.Fatalf("create bucket: %d", s)
	}
	if s, _, data := c.do("PUT", "/api/buckets/site/object?key=index.html", strings.NewReader("<h1>hi</h1>"), map[string]string{"X-Hoard-CSRF": c.csrf, "Content-Type": "text/html"}); s != http.StatusOK && s != http.StatusCreated {
		t.Fatalf("upload: %d %s", s, data)
	}
	get := func(doc string) string {
		t.Helper()
		var out struct{ Document string }
		if s := c.json("GET", "/api/buckets/site/config/"+doc, nil, &out); s != http.StatusOK {
			t.Fatalf("GET %s: %d", doc, s)
		}
		return out.Document
	}
	for _, tc := range []struct {
		name, doc, body string
		status          int
		code            string
		line, column    int
	}{
		{"policy syntax error", "policy", "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [}", 400, "MalformedPolicy", 3, 16},
		{"policy for another bucket", "policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, 400, "MalformedPolicy", 0, 0},
		{"oversized policy", "policy", strings.Repeat(" ", 21<<10) + "{}", 400, "EntityTooLarge", 0, 0},
		{"malformed CORS", "cors", "<CORSConfiguration><CORSRule>", 400, "MalformedXML", 0, 0},
		{"unknown document", "lifecycle", "x", 404, "NotFound", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got struct {
				Code         string
				Line, Column int
			}
			if s := c.json("PUT", "/api/buckets/site/config/"+tc.doc, map[string]string{"document": tc.body}, &got); s != tc.status || got.Code != tc.code || got.Line != tc.line || got.Column != tc.column {
				t.Errorf("got %d %+v, want %d %s at line %d column %d", s, got, tc.status, tc.code, tc.line, tc.column)
			}
		})
	}
	if p, cors := get("policy"), get("cors"); p != "" || cors != "" {
		t.Fatalf("after refused documents: policy %q, CORS %q; want none", p, cors)
	}
	cors := `<CORSConfiguration><CORSRule><AllowedOrigin>https://app.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
	if s := c.json("PUT", "/api/buckets/site/config/cors", map[string]string{"document": cors}, nil); s != http.StatusOK {
		t.Fatalf("PUT CORS: %d", s)
	}
	if got := get("cors"); !strings.Contains(got, "https://app.example") {
		t.Errorf("CORS read back: %q", got)
	}

	anon := func(method, path string) int {
		t.Helper()
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader("x"))
		res, err := e.srv.HTTPClient(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if s := anon("GET", "/site/index.html"); s != http.StatusForbidden {
		t.Fatalf("anonymous GET before make public: %d, want 403", s)
	}
	if s := c.json("POST", "/api/buckets/site/public", map[string]string{}, nil); s != http.StatusOK {
		t.Fatalf("make public: %d", s)
	}
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/site/index.html", 200}, {"GET", "/site/", 403}, {"PUT", "/site/new.txt", 403}, {"DELETE", "/site/index.html", 403},
	} {
		if s := anon(tc.method, tc.path); s != tc.want {
			t.Errorf("anonymous %s %s after make public: got %d, want %d", tc.method, tc.path, s, tc.want)
		}
	}
	// Twice is the same as once: one public statement.
	if s := c.json("POST", "/api/buckets/site/public", map[string]string{}, nil); s != http.StatusOK {
		t.Fatalf("make public again: %d", s)
	}
	if got := get("policy"); strings.Count(got, "HoardConsolePublicRead") != 1 {
		t.Errorf("policy after two make public: %s", got)
	}

	// A user with the built-in readonly policy may not change the policy.
	c.raw("POST", "/api/admin/iam/users", `{"accessKey":"viewer","secretKey":"viewer-secret-key"}`)
	c.raw("POST", "/api/admin/iam/attach", `{"policies":["readonly"],"user":"viewer"}`)
	v := e.client(t)
	if s := v.login("viewer", "viewer-secret-key"); s != http.StatusOK {
		t.Fatalf("viewer login: %d", s)
	}
	if s := v.json("POST", "/api/buckets/site/public", map[string]string{}, nil); s != http.StatusForbidden {
		t.Errorf("viewer makes public: got %d, want 403", s)
	}
	if s := v.json("PUT", "/api/buckets/site/config/policy", map[string]string{"document": ""}, nil); s != http.StatusForbidden {
		t.Errorf("viewer removes the policy: got %d, want 403", s)
	}
}

package console

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// setValue sets the value of the input, textarea or select with id, as
// typing or choosing would (the page sees input and change events).
func setValue(id, value string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.value = %q; el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, id, value)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

// TestIAMBrowser drives the identity pages in Chromium as root: creates a
// user (its secret shown once), a policy (a malformed one first, whose
// error shows its line and column), attaches it, and sees the server
// refuse to delete it while attached. Then it signs in as that user, who
// sees only the bucket the policy allows, no identity menu, no create or
// delete buttons and no upload button in the read-only bucket, but its
// own access keys.
func TestIAMBrowser(t *testing.T) {
	start := time.Now()
	b := newBrowser(t)
	e := startServer(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := context.Background()
	for _, name := range []string{"team-docs", "secret-stuff"} {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		must(t, err, "CreateBucket "+name)
	}
	_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("team-docs"), Key: aws.String("guide.txt"), Body: strings.NewReader("read me")})
	must(t, err, "PutObject")

	signIn := func(access, secret string) {
		b.do("signing in as "+access, chromedp.WaitVisible(chromedp.ID("access-key")),
			setValue("access-key", access), setValue("secret-key", secret), chromedp.Click(chromedp.ID("login-submit")))
		b.poll("the bucket list", `!!document.querySelector('.buckets-table, .empty')`)
	}
	b.do("opening the console", chromedp.Navigate(e.console+"/#/buckets"))
	signIn(e.srv.AccessKey, e.srv.SecretKey)
	b.poll("the identity menu", `!!document.getElementById('nav-iam')`)

	// A user, with the secret shown once.
	b.do("the users page", chromedp.Click(chromedp.ID("nav-iam")))
	b.poll("the users table", `!!document.getElementById('create-user')`)
	b.do("creating a user", chromedp.Click(chromedp.ID("create-user")), chromedp.WaitVisible(chromedp.ID("new-user-key")),
		setValue("new-user-key", "reader1"), setValue("new-user-secret", "reader1-secret-key"), chromedp.Click(chromedp.ID("create-user-form-submit")))
	b.poll("the secret shown once", `document.getElementById('shown-secret-key') && document.getElementById('shown-secret-key').value === 'reader1-secret-key'`)
	b.do("closing the secret", chromedp.Click(chromedp.ID("secret-done")))
	b.poll("the new user's row", `!!document.querySelector('#users tr[data-user="reader1"]')`)
	b.checkNames("users page")
	b.shot("iam-users")

	// A policy: the malformed one is refused at its line and column.
	b.do("the policies page", chromedp.Click(chromedp.ID("tab-policies")))
	b.poll("the policies table", `!!document.querySelector('#policies tr[data-policy="readonly"]')`)
	b.do("creating a policy", chromedp.Click(chromedp.ID("create-policy")), chromedp.WaitVisible(chromedp.ID("policy-name")),
		setValue("policy-name", "docs-read"),
		setValue("policy-doc", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ {\"Effect\": \"Allow\" \"Action\": \"s3:GetObject\"} ]\n}"),
		chromedp.Click(chromedp.ID("policy-check")))
	b.poll("the check's error position", `document.getElementById('policy-doc-error').dataset.line === '3'`)
	b.do("saving it anyway", chromedp.Click(chromedp.ID("policy-form-submit")))
	b.poll("the error's position", `document.getElementById('policy-doc-error').dataset.line === '3' && document.getElementById('policy-doc-error').textContent.startsWith('Line 3, column 37: This policy is not a valid policy document: invalid character')`)
	if got := b.eval(`String(document.getElementById('policy-doc').selectionStart)`); got != "65" {
		t.Errorf("caret after the error: got offset %s, want 65 (line 3, column 37)", got)
	}
	b.checkNames("policy editor")
	b.shot("iam-policy-error")
	b.do("fixing the policy", setValue("policy-doc", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::team-docs","arn:aws:s3:::team-docs/*"]}]}`),
		chromedp.Click(chromedp.ID("policy-check")))
	b.poll("the server's approval", `document.getElementById('policy-check-result').textContent.includes('accepts this policy (1 statement)') && document.getElementById('policy-doc-error').textContent === ''`)
	b.do("saving the policy", chromedp.Click(chromedp.ID("policy-form-submit")))
	b.poll("the new policy's row", `!!document.querySelector('#policies tr[data-policy="docs-read"]') && !document.querySelector('dialog[open]')`)

	// Attached to the user, it cannot be deleted.
	b.do("attaching it", chromedp.Click(chromedp.CSS(`#policies tr[data-policy="docs-read"] [data-act="attach"]`)), chromedp.WaitVisible(chromedp.ID("attach-target")),
		setValue("attach-target", "user:reader1"), chromedp.Click(chromedp.ID("attach-form-submit")))
	b.poll("the attachment", `(document.querySelector('#policies tr[data-policy="docs-read"] .users') || {}).textContent === 'reader1'`)
	b.do("deleting it", chromedp.Click(chromedp.CSS(`#policies tr[data-policy="docs-read"] [data-act="delete"]`)))
	b.poll("the confirmation", `!!document.querySelector('dialog[open] .btn-danger')`)
	b.do("confirming", chromedp.Click(chromedp.CSS(`dialog[open] .btn-danger`)))
	b.poll("the server's refusal", `[...document.querySelectorAll('.toast-error')].some(t => t.textContent.includes('attached'))`)
	b.poll("the policy still listed", `!!document.querySelector('#policies tr[data-policy="docs-read"]')`)

	// A group with the user in it, and a service account of the user whose
	// secret is shown once.
	b.do("the groups page", chromedp.Click(chromedp.ID("tab-groups")))
	b.poll("the groups table", `!!document.getElementById('create-group') && !!document.querySelector('#groups .empty-cell')`)
	b.do("creating a group", chromedp.Click(chromedp.ID("create-group")), chromedp.WaitVisible(chromedp.ID("group-name")),
		setValue("group-name", "readers"), chromedp.Click(chromedp.CSS(`#group-member-list input[data-value="reader1"]`)),
		chromedp.Click(chromedp.ID("group-form-submit")))
	b.poll("the group's row", `(document.querySelector('#groups tr[data-group="readers"] .members') || {}).textContent === 'reader1'`)
	b.checkNames("groups page")
	b.do("the service accounts page", chromedp.Click(chromedp.ID("tab-svcaccts")))
	b.poll("the service accounts table", `!!document.getElementById('create-svcacct') && !!document.querySelector('#svcacct-user option[value="reader1"]')`)
	b.do("choosing the user", setValue("svcacct-user", "reader1"))
	b.poll("the user's accounts", `!!document.querySelector('#svcaccts .empty-cell')`)
	b.do("creating a service account", chromedp.Click(chromedp.ID("create-svcacct")), chromedp.WaitVisible(chromedp.ID("svcacct-name")),
		setValue("svcacct-name", "backup"), setValue("svcacct-policy", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}"),
		chromedp.Click(chromedp.ID("svcacct-form-submit")))
	b.poll("its policy's error position", `document.getElementById('svcacct-policy-error').dataset.line === '3'`)
	b.do("without a policy", setValue("svcacct-policy", ""), chromedp.Click(chromedp.ID("svcacct-form-submit")))
	b.poll("its secret shown once", `/^[A-Za-z0-9+\/]{20,}$/.test((document.getElementById('shown-secret-key') || {}).value || '')`)
	b.do("closing the secret", chromedp.Click(chromedp.ID("secret-done")))
	b.poll("the account's row", `document.querySelectorAll('#svcaccts tr[data-key]').length === 1`)
	b.checkNames("service accounts page")

	// Signed in as the user: one bucket, read-only, no identity menu.
	b.do("signing out", chromedp.Click(chromedp.ID("sign-out")))
	signIn("reader1", "reader1-secret-key")
	b.poll("only the allowed bucket", `document.querySelectorAll('tr[data-bucket]').length === 1 && !!document.querySelector('tr[data-bucket="team-docs"]')`)
	if got := b.eval(`[!!document.getElementById('nav-iam'), !!document.getElementById('create-bucket'), !!document.querySelector('tr[data-bucket] .btn-danger-ghost')].join()`); got != "false,false,false" {
		t.Errorf("reader's bucket list: identity menu, create and delete buttons: got %s, want false,false,false", got)
	}
	b.do("opening the bucket", chromedp.Click(chromedp.CSS(`tr[data-bucket="team-docs"] .name-link`)))
	b.poll("the object", `!!document.querySelector('tr[data-key="guide.txt"]')`)
	if got := b.eval(`[!!document.getElementById('upload-files'), !!document.getElementById('upload-folder'), !!document.getElementById('delete-selected'), !!document.getElementById('bucket-settings'), !!document.getElementById('read-only-note')].join()`); got != "false,false,false,false,true" {
		t.Errorf("reader's bucket view: upload files, upload folder, delete, settings, read-only note: got %s, want false,false,false,false,true", got)
	}
	b.shot("iam-reader-bucket")
	b.do("opening the object", chromedp.Click(chromedp.CSS(`tr[data-key="guide.txt"] .name-link`)))
	b.poll("its details", `!!document.getElementById('download-object') && !!document.getElementById('sec-tags')`)
	if got := b.eval(`[!!document.getElementById('delete-object'), [...document.querySelectorAll('dialog[open] button')].some(x => x.textContent === 'Edit tags')].join()`); got != "false,false" {
		t.Errorf("reader's object: delete and edit tags buttons: got %s, want false,false", got)
	}
	b.do("closing it", chromedp.Click(chromedp.CSS(`dialog[open] .modal-head button`)))
	// Without admin rights the user still manages its own access keys.
	b.do("its access keys", chromedp.Click(chromedp.ID("nav-keys")))
	// The one root made for it is there; it adds one of its own.
	b.poll("the access keys page", `!!document.getElementById('create-svcacct') && !document.getElementById('svcacct-user') && document.querySelectorAll('#svcaccts tr[data-key]').length === 1`)
	b.do("creating an access key", chromedp.Click(chromedp.ID("create-svcacct")), chromedp.WaitVisible(chromedp.ID("svcacct-name")),
		setValue("svcacct-name", "laptop"), chromedp.Click(chromedp.ID("svcacct-form-submit")))
	b.poll("its secret shown once", `!!(document.getElementById('shown-secret-key') || {}).value`)
	b.do("closing the secret", chromedp.Click(chromedp.ID("secret-done")))
	b.poll("the key's row", `document.querySelectorAll('#svcaccts tr[data-key]').length === 2`)
	b.checkNames("access keys page")
	b.do("typing the users page's address", chromedp.Navigate(e.console+"/#/iam/users"))
	b.poll("the redirect to the buckets", `location.hash === '#/buckets' && !!document.querySelector('tr[data-bucket="team-docs"]')`)
	b.checkClean()
	t.Logf("the browser flow took %v", time.Since(start).Round(time.Millisecond))
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"
)

type iamSvcAcct struct {
	AccessKey   string          `json:"accessKey"`
	Parent      string          `json:"parent"`
	Status      string          `json:"status"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Policy      json.RawMessage `json:"policy,omitempty"`
	Expiry      *time.Time      `json:"expiry,omitempty"`
	Created     time.Time       `json:"created"`
}

// parseExpiry reads --expiry: a duration from now ("720h") or a date
// (RFC 3339, or YYYY-MM-DD as midnight UTC).
func parseExpiry(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--expiry %s: want a positive duration", v)
		}
		return now.Add(d).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--expiry %q: want a duration (720h) or a date (2027-01-31 or 2027-01-31T12:00:00Z)", v)
}

func (a *app) adminSvcAcctCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "svcacct",
		Short: "Manage service accounts: keys derived from a user, never exceeding it",
		Example: `  hoard admin svcacct add local alice --policy only-photos.json --expiry 720h --json
  hoard admin svcacct ls local alice
  hoard admin svcacct disable local SVCACCESSKEY`,
	}
	cmd.AddCommand(a.svcAcctAdd(), a.svcAcctList(), a.svcAcctInfo(), a.svcAcctEdit(),
		a.svcAcctSimple("rm", "Remove a service account", http.MethodDelete, nil, "Removed service account `%s` successfully."),
		a.svcAcctSimple("enable", "Enable a service account", http.MethodPost, map[string]any{"status": "enabled"}, "Enabled service account `%s` successfully."),
		a.svcAcctSimple("disable", "Disable a service account: its key stops working on every node", http.MethodPost, map[string]any{"status": "disabled"}, "Disabled service account `%s` successfully."))
	return cmd
}

func (a *app) svcAcctAdd() *cobra.Command {
	c := &cobra.Command{
		Use:   "add ALIAS USER",
		Short: "Create a service account of USER; its secret is shown only this once",
		Args:  a.args(2, 2),
	}
	f := c.Flags()
	policyFile := f.String("policy", "", "JSON file of a policy narrowing the account (default: the user's permissions)")
	expiry := f.String("expiry", "", "when it stops working: a duration (720h) or a date (default: never)")
	access := f.String("access-key", "", "its access key (default: generated)")
	secret := f.String("secret-key", "", "its secret key (default: generated)")
	name := f.String("name", "", "a name to tell it by")
	desc := f.String("description", "", "a description")
	c.RunE = a.run(func(ctx context.Context, args []string) error {
		in := map[string]any{"parent": args[1], "accessKey": *access, "secretKey": *secret, "name": *name, "description": *desc}
		if *policyFile != "" {
			doc, err := a.readDocumentFile(*policyFile)
			if err != nil {
				return err
			}
			if !json.Valid(doc) {
				return a.usage("--policy %s: not JSON", *policyFile)
			}
			in["policy"] = json.RawMessage(doc)
		}
		if *expiry != "" {
			t, err := parseExpiry(*expiry, time.Now())
			if err != nil {
				return a.usage("%v", err)
			}
			in["expiry"] = t
		}
		var out struct {
			AccessKey string     `json:"accessKey"`
			SecretKey string     `json:"secretKey"`
			Expiry    *time.Time `json:"expiry,omitempty"`
		}
		if err := a.adminIAM(ctx, args[0], http.MethodPost, "svcaccts", in, &out); err != nil {
			return err
		}
		human := fmt.Sprintf("Access Key: %s\nSecret Key: %s\n(the secret key is shown only this once)", out.AccessKey, out.SecretKey)
		if out.Expiry != nil {
			human += "\nExpiration: " + out.Expiry.Format(time.RFC3339)
		}
		a.printer().emit(out, human)
		return nil
	})
	return c
}

func (a *app) svcAcctList() *cobra.Command {
	return &cobra.Command{
		Use:   "ls ALIAS [USER]",
		Short: "List the service accounts of USER (default: the alias's own)",
		Args:  a.args(1, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			_, r, err := a.adminTarget(args[0])
			if err != nil {
				return err
			}
			q := url.Values{}
			if len(args) > 1 {
				q.Set("user", args[1])
			}
			var list []iamSvcAcct
			if err := r.adminSend(ctx, http.MethodGet, "iam/svcaccts", q, nil, &list); err != nil {
				return err
			}
			emitRows(a.printer(), list, func(s iamSvcAcct) string {
				exp := "no-expiry"
				if s.Expiry != nil {
					exp = s.Expiry.Format(time.RFC3339)
				}
				return fmt.Sprintf("%-9s %-24s %-20s %s", s.Status, s.AccessKey, exp, s.Name)
			})
			return nil
		}),
	}
}

func (a *app) svcAcctInfo() *cobra.Command {
	return &cobra.Command{
		Use:   "info ALIAS ACCESSKEY",
		Short: "Show a service account (never its secret)",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var s iamSvcAcct
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "svcaccts/"+url.PathEscape(args[1]), nil, &s); err != nil {
				return err
			}
			exp := "no-expiry"
			if s.Expiry != nil {
				exp = s.Expiry.Format(time.RFC3339)
			}
			pol := "implied (the parent's)"
			if len(s.Policy) > 0 {
				pol = string(s.Policy)
			}
			a.printer().emit(s, fmt.Sprintf("AccessKey: %s\nParentUser: %s\nStatus: %s\nName: %s\nDescription: %s\nExpiration: %s\nPolicy: %s",
				s.AccessKey, s.Parent, s.Status, s.Name, s.Description, exp, pol))
			return nil
		}),
	}
}

func (a *app) svcAcctEdit() *cobra.Command {
	c := &cobra.Command{
		Use:   "edit ALIAS ACCESSKEY",
		Short: "Change a service account's secret, policy, expiry, name or description",
		Args:  a.args(2, 2),
	}
	f := c.Flags()
	policyFile := f.String("policy", "", "JSON file of its new narrowing policy")
	noPolicy := f.Bool("no-policy", false, "remove its narrowing policy (it gets its parent's permissions)")
	expiry := f.String("expiry", "", "new expiry: a duration or a date")
	noExpiry := f.Bool("no-expiry", false, "make it never expire")
	secret := f.String("secret-key", "", "its new secret key")
	name := f.String("name", "", "a new name")
	desc := f.String("description", "", "a new description")
	c.RunE = a.run(func(ctx context.Context, args []string) error {
		in := map[string]any{}
		set := c.Flags().Changed
		if set("secret-key") {
			in["secretKey"] = *secret
		}
		if set("name") {
			in["name"] = *name
		}
		if set("description") {
			in["description"] = *desc
		}
		switch {
		case *noPolicy && *policyFile != "":
			return a.usage("edit: --policy and --no-policy exclude each other")
		case *noPolicy:
			in["policy"] = ""
		case *policyFile != "":
			doc, err := a.readDocumentFile(*policyFile)
			if err != nil {
				return err
			}
			if !json.Valid(doc) {
				return a.usage("--policy %s: not JSON", *policyFile)
			}
			in["policy"] = json.RawMessage(doc)
		}
		switch {
		case *noExpiry && *expiry != "":
			return a.usage("edit: --expiry and --no-expiry exclude each other")
		case *noExpiry:
			in["noExpiry"] = true
		case *expiry != "":
			t, err := parseExpiry(*expiry, time.Now())
			if err != nil {
				return a.usage("%v", err)
			}
			in["expiry"] = t
		}
		if len(in) == 0 {
			return a.usage("edit: nothing to change; see 'hoard admin svcacct edit --help'")
		}
		if err := a.adminIAM(ctx, args[0], http.MethodPost, "svcaccts/"+url.PathEscape(args[1]), in, nil); err != nil {
			return err
		}
		a.done(map[string]any{"accessKey": args[1]}, fmt.Sprintf("Edited service account `%s` successfully.", args[1]))
		return nil
	})
	return c
}

func (a *app) svcAcctSimple(name, short, method string, body map[string]any, done string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " ALIAS ACCESSKEY",
		Short: short,
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var in any
			if body != nil {
				in = body
			}
			if err := a.adminIAM(ctx, args[0], method, "svcaccts/"+url.PathEscape(args[1]), in, nil); err != nil {
				return err
			}
			a.done(map[string]any{"accessKey": args[1]}, fmt.Sprintf(done, args[1]))
			return nil
		}),
	}
}

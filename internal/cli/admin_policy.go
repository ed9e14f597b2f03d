package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

type (
	iamPolicy struct {
		Name     string          `json:"name"`
		Builtin  bool            `json:"builtin"`
		Document json.RawMessage `json:"policy,omitempty"`
	}
	iamEntities struct {
		Policies []struct {
			Policy string   `json:"policy"`
			Users  []string `json:"users"`
			Groups []string `json:"groups"`
		} `json:"policies"`
	}
)

func (a *app) adminPolicyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Manage identity policies and attach them to users and groups",
		Long: `Identity policies are AWS IAM policy documents without a Principal.
Built-in: readonly, readwrite, writeonly, diagnostics, consoleAdmin.`,
		Example: `  hoard admin policy create local photos-rw photos-rw.json
  hoard admin policy attach local photos-rw --user alice
  hoard admin policy entities local`,
	}
	create := &cobra.Command{
		Use:   "create ALIAS NAME FILE",
		Short: "Create or replace a policy from a JSON file ('-': standard input)",
		Args:  a.args(3, 3),
		RunE: a.run(func(ctx context.Context, args []string) error {
			doc, err := a.readDocumentFile(args[2])
			if err != nil {
				return err
			}
			_, r, err := a.adminTarget(args[0])
			if err != nil {
				return err
			}
			if err := r.adminSend(ctx, http.MethodPut, "iam/policies/"+url.PathEscape(args[1]), url.Values{}, doc, nil); err != nil {
				return err
			}
			a.done(map[string]any{"policy": args[1]}, fmt.Sprintf("Created policy `%s` successfully.", args[1]))
			return nil
		}),
	}
	ls := &cobra.Command{
		Use:   "ls ALIAS",
		Short: "List policies",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var ps []iamPolicy
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "policies", nil, &ps); err != nil {
				return err
			}
			emitRows(a.printer(), ps, func(p iamPolicy) string {
				if p.Builtin {
					return p.Name + " (built-in)"
				}
				return p.Name
			})
			return nil
		}),
	}
	info := &cobra.Command{
		Use:   "info ALIAS NAME",
		Short: "Show a policy's document",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var p iamPolicy
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "policies/"+url.PathEscape(args[1]), nil, &p); err != nil {
				return err
			}
			a.printer().emit(p, string(p.Document))
			return nil
		}),
	}
	rm := &cobra.Command{
		Use:   "rm ALIAS NAME",
		Short: "Remove a policy that is attached to nobody",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if err := a.adminIAM(ctx, args[0], http.MethodDelete, "policies/"+url.PathEscape(args[1]), nil, nil); err != nil {
				return err
			}
			a.done(map[string]any{"policy": args[1]}, fmt.Sprintf("Removed policy `%s` successfully.", args[1]))
			return nil
		}),
	}
	entities := &cobra.Command{
		Use:   "entities ALIAS",
		Short: "List the users and groups each policy is attached to",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var e iamEntities
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "entities", nil, &e); err != nil {
				return err
			}
			var b strings.Builder
			for _, p := range e.Policies {
				fmt.Fprintf(&b, "Policy: %s\n", p.Policy)
				if len(p.Users) > 0 {
					fmt.Fprintf(&b, "  Users: %s\n", strings.Join(p.Users, ", "))
				}
				if len(p.Groups) > 0 {
					fmt.Fprintf(&b, "  Groups: %s\n", strings.Join(p.Groups, ", "))
				}
			}
			a.printer().emit(e, b.String())
			return nil
		}),
	}
	cmd.AddCommand(create, ls, info, rm, entities, a.adminAttachCommand("attach"), a.adminAttachCommand("detach"))
	return cmd
}

func (a *app) adminAttachCommand(verb string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   verb + " ALIAS POLICY... (--user USER | --group GROUP)",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " policies to or from a user or a group",
		Args:  a.args(2, -1),
	}
	user := cmd.Flags().String("user", "", "the user")
	group := cmd.Flags().String("group", "", "the group")
	cmd.RunE = a.run(func(ctx context.Context, args []string) error {
		if (*user == "") == (*group == "") {
			return a.usage("%s: name exactly one of --user and --group", verb)
		}
		in := map[string]any{"policies": args[1:], "user": *user, "group": *group}
		if err := a.adminIAM(ctx, args[0], http.MethodPost, verb, in, nil); err != nil {
			return err
		}
		who := "user `" + *user + "`"
		if *group != "" {
			who = "group `" + *group + "`"
		}
		a.done(map[string]any{"policies": args[1:], "user": *user, "group": *group},
			fmt.Sprintf("Policy `%s` %sed %s %s successfully.", strings.Join(args[1:], ","), verb, map[string]string{"attach": "to", "detach": "from"}[verb], who))
		return nil
	})
	return cmd
}

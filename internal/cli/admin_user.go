package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Admin API IAM answers, as the server sends them (never with secrets,
// except the answers to creating one).
type (
	iamUser struct {
		AccessKey string    `json:"accessKey"`
		Status    string    `json:"status"`
		Policies  []string  `json:"policies"`
		Groups    []string  `json:"groups"`
		Created   time.Time `json:"created"`
	}
	iamGroup struct {
		Name     string   `json:"name"`
		Members  []string `json:"members"`
		Status   string   `json:"status"`
		Policies []string `json:"policies"`
	}
	iamSecret struct {
		SecretKey string `json:"secretKey"`
	}
)

// adminIAM makes one IAM admin call against ALIAS with a JSON body (nil:
// none) and decodes the answer into out (nil: ignored).
func (a *app) adminIAM(ctx context.Context, alias, method, path string, in, out any) error {
	return a.adminJSON(ctx, alias, method, "iam/"+path, in, out)
}

// adminJSON makes one admin call (path under the admin prefix) against
// ALIAS with a JSON body (nil: none), decoding the answer into out.
func (a *app) adminJSON(ctx context.Context, alias, method, path string, in, out any) error {
	_, r, err := a.adminTarget(alias)
	if err != nil {
		return err
	}
	var body []byte
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
	}
	return r.adminSend(ctx, method, path, url.Values{}, body, out)
}

// done reports a change that answers nothing.
func (a *app) done(v map[string]any, human string) {
	v["status"] = "success"
	a.printer().emit(v, human)
}

func (a *app) adminUserCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage IAM users (access key = user name)",
		Example: `  hoard admin user add local alice 'alice-secret-key'
  hoard admin user disable local alice
  hoard admin user ls local --json`,
	}
	add := &cobra.Command{
		Use:   "add ALIAS ACCESSKEY SECRETKEY",
		Short: "Create an enabled user with no policy",
		Args:  a.args(3, 3),
		RunE: a.run(func(ctx context.Context, args []string) error {
			in := map[string]string{"accessKey": args[1], "secretKey": args[2]}
			if err := a.adminIAM(ctx, args[0], http.MethodPost, "users", in, nil); err != nil {
				return err
			}
			a.done(map[string]any{"accessKey": args[1]}, fmt.Sprintf("Added user `%s` successfully.", args[1]))
			return nil
		}),
	}
	ls := &cobra.Command{
		Use:   "ls ALIAS",
		Short: "List users with their status, policies and groups",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var users []iamUser
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "users", nil, &users); err != nil {
				return err
			}
			emitRows(a.printer(), users, func(u iamUser) string {
				return fmt.Sprintf("%-9s %-24s %s", u.Status, u.AccessKey, strings.Join(u.Policies, ","))
			})
			return nil
		}),
	}
	info := &cobra.Command{
		Use:   "info ALIAS ACCESSKEY",
		Short: "Show a user's status, policies and groups",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var u iamUser
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "users/"+url.PathEscape(args[1]), nil, &u); err != nil {
				return err
			}
			a.printer().emit(u, fmt.Sprintf("AccessKey: %s\nStatus: %s\nPolicyName: %s\nMemberOf: %s\nCreated: %s",
				u.AccessKey, u.Status, strings.Join(u.Policies, ","), strings.Join(u.Groups, ","), u.Created.Format(time.RFC3339)))
			return nil
		}),
	}
	rotate := &cobra.Command{
		Use:   "rotate ALIAS ACCESSKEY",
		Short: "Give a user a new secret key (generated unless --secret-key); shown once",
		Args:  a.args(2, 2),
	}
	secret := rotate.Flags().String("secret-key", "", "the new secret key (default: generated)")
	rotate.RunE = a.run(func(ctx context.Context, args []string) error {
		var out iamSecret
		if err := a.adminIAM(ctx, args[0], http.MethodPost, "users/"+url.PathEscape(args[1])+"/secret", iamSecret{SecretKey: *secret}, &out); err != nil {
			return err
		}
		a.printer().emit(map[string]string{"accessKey": args[1], "secretKey": out.SecretKey},
			fmt.Sprintf("New secret key of `%s` (shown only this once): %s", args[1], out.SecretKey))
		return nil
	})
	cmd.AddCommand(add, ls, info, rotate,
		a.adminUserAction("enable", "Enable a user (and its service accounts)", http.MethodPost, "/enable", "Enabled user `%s` successfully."),
		a.adminUserAction("disable", "Disable a user (and its service accounts): its keys stop working on every node", http.MethodPost, "/disable", "Disabled user `%s` successfully."),
		a.adminUserAction("rm", "Remove a user, its group memberships and its service accounts", http.MethodDelete, "", "Removed user `%s` successfully."))
	return cmd
}

func (a *app) adminUserAction(name, short, method, suffix, done string) *cobra.Command {
	return &cobra.Command{
		Use:   name + " ALIAS ACCESSKEY",
		Short: short,
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			if err := a.adminIAM(ctx, args[0], method, "users/"+url.PathEscape(args[1])+suffix, struct{}{}, nil); err != nil {
				return err
			}
			a.done(map[string]any{"accessKey": args[1]}, fmt.Sprintf(done, args[1]))
			return nil
		}),
	}
}

func (a *app) adminGroupCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "group",
		Short: "Manage groups: users sharing policies",
		Example: `  hoard admin group add local staff alice bob
  hoard admin policy attach local readonly --group staff
  hoard admin group rm local staff bob`,
	}
	add := &cobra.Command{
		Use:   "add ALIAS GROUP MEMBER...",
		Short: "Add users to a group, creating it when needed",
		Args:  a.args(3, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			in := map[string][]string{"members": args[2:]}
			if err := a.adminIAM(ctx, args[0], http.MethodPost, "groups/"+url.PathEscape(args[1])+"/members", in, nil); err != nil {
				return err
			}
			a.done(map[string]any{"group": args[1], "members": args[2:]}, fmt.Sprintf("Added members `%s` to group `%s` successfully.", strings.Join(args[2:], ","), args[1]))
			return nil
		}),
	}
	rm := &cobra.Command{
		Use:   "rm ALIAS GROUP [MEMBER...]",
		Short: "Remove members from a group, or the group itself when it has none",
		Args:  a.args(2, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			in := map[string][]string{"members": args[2:]}
			if err := a.adminIAM(ctx, args[0], http.MethodPost, "groups/"+url.PathEscape(args[1])+"/remove", in, nil); err != nil {
				return err
			}
			msg := fmt.Sprintf("Removed group `%s` successfully.", args[1])
			if len(args) > 2 {
				msg = fmt.Sprintf("Removed members `%s` from group `%s` successfully.", strings.Join(args[2:], ","), args[1])
			}
			a.done(map[string]any{"group": args[1], "members": args[2:]}, msg)
			return nil
		}),
	}
	ls := &cobra.Command{
		Use:   "ls ALIAS",
		Short: "List groups",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var groups []string
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "groups", nil, &groups); err != nil {
				return err
			}
			a.printer().emit(map[string]any{"groups": groups}, strings.Join(groups, "\n"))
			return nil
		}),
	}
	info := &cobra.Command{
		Use:   "info ALIAS GROUP",
		Short: "Show a group's status, members and policies",
		Args:  a.args(2, 2),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var g iamGroup
			if err := a.adminIAM(ctx, args[0], http.MethodGet, "groups/"+url.PathEscape(args[1]), nil, &g); err != nil {
				return err
			}
			a.printer().emit(g, fmt.Sprintf("Group: %s\nStatus: %s\nPolicy: %s\nMembers: %s",
				g.Name, g.Status, strings.Join(g.Policies, ","), strings.Join(g.Members, ",")))
			return nil
		}),
	}
	status := func(name, short string) *cobra.Command {
		return &cobra.Command{
			Use:   name + " ALIAS GROUP",
			Short: short,
			Args:  a.args(2, 2),
			RunE: a.run(func(ctx context.Context, args []string) error {
				if err := a.adminIAM(ctx, args[0], http.MethodPost, "groups/"+url.PathEscape(args[1])+"/"+name, struct{}{}, nil); err != nil {
					return err
				}
				a.done(map[string]any{"group": args[1]}, fmt.Sprintf("%sd group `%s` successfully.", strings.ToUpper(name[:1])+name[1:len(name)-1], args[1]))
				return nil
			}),
		}
	}
	cmd.AddCommand(add, rm, ls, info, status("enable", "Enable a group: its policies apply to its members"),
		status("disable", "Disable a group: its policies stop applying to its members"))
	return cmd
}

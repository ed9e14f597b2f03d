package cli

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// revokedSession is an entry of the server's session revocation list.
type revokedSession struct {
	AccessKey string    `json:"accessKey"`
	Until     time.Time `json:"until"`
}

// adminSTSCommand manages STS sessions: revoke one before its expiry, and
// list the revoked ones still on the list.
func (a *app) adminSTSCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sts",
		Short: "Revoke temporary (STS) sessions",
		Example: `  hoard admin sts revoke local ASIAEXAMPLEKEY0001
  hoard admin sts revoke local --token "$AWS_SESSION_TOKEN"
  hoard admin sts ls local --json`,
	}
	revoke := &cobra.Command{
		Use:   "revoke ALIAS [SESSION-ACCESSKEY]",
		Short: "End one session on every node within a second, by its temporary access key or its token",
		Args:  a.args(1, 2),
	}
	token := revoke.Flags().String("token", "", "the session token to revoke (instead of its access key)")
	revoke.RunE = a.run(func(ctx context.Context, args []string) error {
		in := map[string]string{}
		switch {
		case len(args) == 2 && *token == "":
			in["accessKey"] = args[1]
		case len(args) == 1 && *token != "":
			in["token"] = *token
		default:
			return a.usage("give the session's access key or --token, not both")
		}
		var out revokedSession
		if err := a.adminJSON(ctx, args[0], http.MethodPost, "sts/revoke", in, &out); err != nil {
			return err
		}
		a.printer().emit(map[string]any{"status": "success", "accessKey": out.AccessKey, "until": out.Until},
			fmt.Sprintf("Revoked session `%s` (kept on the revocation list until %s).", out.AccessKey, out.Until.Format(time.RFC3339)))
		return nil
	})
	ls := &cobra.Command{
		Use:   "ls ALIAS",
		Short: "List revoked sessions that have not expired yet",
		Args:  a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			var out []revokedSession
			if err := a.adminJSON(ctx, args[0], http.MethodGet, "sts/revoked", nil, &out); err != nil {
				return err
			}
			emitRows(a.printer(), out, func(s revokedSession) string {
				return fmt.Sprintf("%-24s until %s", s.AccessKey, s.Until.Format(time.RFC3339))
			})
			return nil
		}),
	}
	cmd.AddCommand(revoke, ls)
	return cmd
}

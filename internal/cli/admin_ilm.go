package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// ilmCounts and ilmStatus are the admin API's lifecycle worker report.
type (
	ilmCounts struct {
		Scanned       uint64 `json:"scanned"`
		Expired       uint64 `json:"expired"`
		DeleteMarkers uint64 `json:"deleteMarkers"`
		Noncurrent    uint64 `json:"noncurrent"`
		Aborted       uint64 `json:"aborted"`
		Held          uint64 `json:"held"`
		Errors        uint64 `json:"errors"`
	}
	ilmStatus struct {
		Running      bool      `json:"running"`
		Passes       uint64    `json:"passes"`
		PassStarted  time.Time `json:"passStarted,omitzero"`
		PassFinished time.Time `json:"passFinished,omitzero"`
		Sets         []int     `json:"sets"`
		Current      ilmCounts `json:"current"`
		Total        ilmCounts `json:"total"`
		LastError    string    `json:"lastError,omitempty"`
		DayLength    string    `json:"dayLength"`
		Interval     string    `json:"interval"`
	}
)

func (a *app) adminILMCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ilm ALIAS",
		Short: "Show the lifecycle worker's progress on the node ALIAS points at",
		Long: `Show what the lifecycle worker of one server did: its passes, the
versions it looked at and what it expired, per kind of action. In a
cluster each node works on its own share of the erasure sets (listed as
SETS), so ask every node for the whole picture.`,
		Example: `  hoard admin ilm local
  hoard admin ilm local --json | jq .total`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			_, r, err := a.adminTarget(args[0])
			if err != nil {
				return err
			}
			var st ilmStatus
			if err := r.adminCall(ctx, http.MethodGet, "ilm", url.Values{}, &st); err != nil {
				return err
			}
			a.printer().emit(st, st.human())
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// summary is a one-line account of the worker.
func (st ilmStatus) summary() string {
	state := "idle"
	if st.Running {
		state = "running"
	}
	return fmt.Sprintf("%s, %d passes; %d expired, %d noncurrent deleted, %d delete markers removed, %d uploads aborted, %d held by object lock, %d errors",
		state, st.Passes, st.Total.Expired, st.Total.Noncurrent, st.Total.DeleteMarkers, st.Total.Aborted, st.Total.Held, st.Total.Errors)
}

// human renders the status as a table.
func (st ilmStatus) human() string {
	sets := make([]string, len(st.Sets))
	for i, s := range st.Sets {
		sets[i] = strconv.Itoa(s)
	}
	state := "idle"
	if st.Running {
		state = "running a pass"
	}
	rows := [][]string{
		{"Worker", ":", state},
		{"Passes", ":", strconv.FormatUint(st.Passes, 10) + " (every " + st.Interval + ", day " + st.DayLength + ")"},
		{"Sets", ":", strings.Join(sets, ",")},
		{"Pass started", ":", humanTime(st.PassStarted)},
		{"Pass finished", ":", humanTime(st.PassFinished)},
	}
	counts := [][]string{{"", "THIS PASS", "SINCE START"}}
	for _, c := range []struct {
		name     string
		cur, tot uint64
	}{
		{"scanned", st.Current.Scanned, st.Total.Scanned},
		{"expired", st.Current.Expired, st.Total.Expired},
		{"noncurrent deleted", st.Current.Noncurrent, st.Total.Noncurrent},
		{"delete markers removed", st.Current.DeleteMarkers, st.Total.DeleteMarkers},
		{"uploads aborted", st.Current.Aborted, st.Total.Aborted},
		{"held by object lock", st.Current.Held, st.Total.Held},
		{"errors", st.Current.Errors, st.Total.Errors},
	} {
		counts = append(counts, []string{c.name, strconv.FormatUint(c.cur, 10), strconv.FormatUint(c.tot, 10)})
	}
	out := table(rows) + "\n" + table(counts)
	if st.LastError != "" {
		out += "\nLast error: " + st.LastError
	}
	return out
}

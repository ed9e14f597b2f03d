package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// adminPrefix is where Hoard's admin API lives.
const adminPrefix = "/hoard/admin/v1/"

// Admin API answers, as the server sends them.
type (
	adminDrive struct {
		Endpoint   string    `json:"endpoint"`
		State      string    `json:"state"`
		Reason     string    `json:"reason,omitempty"`
		Since      time.Time `json:"since,omitzero"`
		TotalBytes uint64    `json:"totalBytes"`
		FreeBytes  uint64    `json:"freeBytes"`
		UsedBytes  uint64    `json:"usedBytes"`
	}
	adminBucket struct {
		Name    string `json:"name"`
		Objects uint64 `json:"objects"`
		Bytes   uint64 `json:"bytes"`
	}
	adminInfo struct {
		Mode         string        `json:"mode"`
		Region       string        `json:"region"`
		Drives       []adminDrive  `json:"drives"`
		RawBytes     uint64        `json:"rawBytes"`
		RawFree      uint64        `json:"rawFree"`
		UsableBytes  uint64        `json:"usableBytes"`
		UsableFree   uint64        `json:"usableFree"`
		DataShards   int           `json:"dataShards"`
		ParityShards int           `json:"parityShards"`
		Buckets      []adminBucket `json:"buckets"`
		UsedBytes    uint64        `json:"usedBytes"`
		Objects      uint64        `json:"objects"`
		Nodes        []adminNode   `json:"nodes"`
		Lifecycle    *ilmStatus    `json:"lifecycle,omitempty"`
	}
	adminNode struct {
		Address      string `json:"address"`
		State        string `json:"state"`
		Drives       int    `json:"drives"`
		OnlineDrives int    `json:"onlineDrives"`
	}
	healDrive struct {
		Endpoint string  `json:"endpoint"`
		Percent  float64 `json:"percent"`
	}
	healStatus struct {
		Running  bool        `json:"running"`
		Bucket   string      `json:"bucket,omitempty"`
		Prefix   string      `json:"prefix,omitempty"`
		Started  time.Time   `json:"started,omitzero"`
		Finished time.Time   `json:"finished,omitzero"`
		Scanned  uint64      `json:"scanned"`
		Healed   uint64      `json:"healed"`
		Failed   uint64      `json:"failed"`
		Drives   []healDrive `json:"drives,omitempty"`
	}
	adminError struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
)

// adminCall makes one signed admin API request and decodes the JSON
// answer into out.
func (r *remote) adminCall(ctx context.Context, method, name string, query url.Values, out any) error {
	return r.adminSend(ctx, method, name, query, nil, out)
}

// adminSend is adminCall with a request body (signed with its SHA-256).
func (r *remote) adminSend(ctx context.Context, method, name string, query url.Values, body []byte, out any) error {
	u := *r.url
	u.Path = adminPrefix + name
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	req.ContentLength = int64(len(body))
	region := r.alias.Region
	if region == "" {
		region = sigv4.DefaultRegion
	}
	cred := sigv4.Credentials{AccessKey: r.alias.AccessKey, SecretKey: r.alias.SecretKey}
	sum := sha256.Sum256(body)
	if err := sigv4.SignRequest(req, cred, region, hex.EncodeToString(sum[:]), time.Now()); err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return newError(ErrUnreachable, err, "cannot reach alias %s at %s: %v", r.name, r.url, rootCause(err))
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return newError(ErrUnreachable, err, "alias %s: reading the admin answer: %v", r.name, err)
	}
	if resp.StatusCode/100 != 2 {
		var ae adminError
		_ = json.Unmarshal(answer, &ae)
		switch {
		case resp.StatusCode == http.StatusForbidden && ae.Code == "AccessDenied" && ae.Message != "":
			// Signed right, but the key's policies do not grant the call.
			return newError(ErrAccessDenied, nil, "alias %s: %s", r.name, ae.Message)
		case resp.StatusCode == http.StatusForbidden:
			return newError(ErrAccessDenied, nil, "access denied for alias %s: check the access and secret key (%s)", r.name, ae.Code)
		case resp.StatusCode == http.StatusNotFound && ae.Code == "":
			return newError(ErrNotFound, nil, "alias %s: %s has no Hoard admin API (is it a Hoard server?)", r.name, r.url)
		case resp.StatusCode == http.StatusNotFound:
			return newError(ErrNotFound, nil, "alias %s: %s (%s)", r.name, ae.Message, ae.Code)
		case ae.Message != "":
			return fmt.Errorf("alias %s: %s (%s)", r.name, ae.Message, ae.Code)
		}
		return fmt.Errorf("alias %s: admin %s answered %s", r.name, name, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return fmt.Errorf("alias %s: admin %s: bad JSON answer: %w", r.name, name, err)
	}
	return nil
}

func (a *app) adminCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "admin",
		Short: "Inspect, heal and manage users and policies of a Hoard server",
		Long: `Call a Hoard server's admin API, signed with the alias's keys: the
root credentials, or a user's whose policies grant the admin:* actions
the command needs.`,
		Example: `  hoard admin info local
  hoard admin heal local
  hoard admin heal local/photos --no-wait
  hoard admin ilm local
  hoard admin user add local backup-job 'a-long-secret-key'
  hoard admin policy attach local readwrite --user backup-job`,
	}
	cmd.AddCommand(a.adminInfoCommand(), a.adminHealCommand(), a.adminILMCommand(),
		a.adminUserCommand(), a.adminGroupCommand(), a.adminPolicyCommand(), a.adminSvcAcctCommand(),
		a.adminSTSCommand())
	return cmd
}

// aliasOnly parses ALIAS (optionally ALIAS/BUCKET/PREFIX) for admin commands.
func (a *app) adminTarget(arg string) (target, *remote, error) {
	t := a.target(arg)
	if !t.isRemote() {
		return t, nil, a.usage("%q: want an alias (see 'hoard alias ls')", arg)
	}
	r, err := a.remote(t.alias)
	return t, r, err
}

func (a *app) adminInfoCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "info ALIAS",
		Short: "Show mode, drives, capacity and bucket usage",
		Example: `  hoard admin info local
  hoard admin info local --json | jq '.drives[] | select(.state != "online")'`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			_, r, err := a.adminTarget(args[0])
			if err != nil {
				return err
			}
			var info adminInfo
			if err := r.adminCall(ctx, http.MethodGet, "info", url.Values{}, &info); err != nil {
				return err
			}
			a.printer().emit(info, info.human(r.name))
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// human renders the info answer as tables.
func (in adminInfo) human(alias string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Alias:     %s\nMode:      %s\nRegion:    %s\n", alias, in.Mode, in.Region)
	if in.Mode == "erasure" {
		fmt.Fprintf(&b, "Erasure:   %d data + %d parity shards per object\n", in.DataShards, in.ParityShards)
	}
	fmt.Fprintf(&b, "Capacity:  %s usable, %s free (raw %s, %s free)\n",
		humanSize(int64(in.UsableBytes)), humanSize(int64(in.UsableFree)), humanSize(int64(in.RawBytes)), humanSize(int64(in.RawFree)))
	fmt.Fprintf(&b, "Data:      %s in %d objects\n\n", humanSize(int64(in.UsedBytes)), in.Objects)
	if len(in.Nodes) > 0 {
		up := 0
		rows := [][]string{{"NODE", "STATE", "DRIVES ONLINE"}}
		for _, n := range in.Nodes {
			if n.State == "online" {
				up++
			}
			rows = append(rows, []string{n.Address, n.State, fmt.Sprintf("%d of %d", n.OnlineDrives, n.Drives)})
		}
		fmt.Fprintf(&b, "Nodes: %d of %d online\n%s\n", up, len(in.Nodes), table(rows))
	}
	online := 0
	rows := [][]string{{"DRIVE", "STATE", "TOTAL", "USED", "FREE", "SINCE", "REASON"}}
	for _, d := range in.Drives {
		if d.State == "online" {
			online++
		}
		since := ""
		if !d.Since.IsZero() {
			since = d.Since.UTC().Format(time.RFC3339)
		}
		rows = append(rows, []string{d.Endpoint, d.State, humanSize(int64(d.TotalBytes)), humanSize(int64(d.UsedBytes)), humanSize(int64(d.FreeBytes)), since, d.Reason})
	}
	fmt.Fprintf(&b, "Drives: %d of %d online\n%s\n", online, len(in.Drives), table(rows))
	rows = [][]string{{"BUCKET", "OBJECTS", "SIZE"}}
	for _, bk := range in.Buckets {
		rows = append(rows, []string{bk.Name, strconv.FormatUint(bk.Objects, 10), humanSize(int64(bk.Bytes))})
	}
	fmt.Fprintf(&b, "Buckets: %d\n%s", len(in.Buckets), table(rows))
	if l := in.Lifecycle; l != nil {
		fmt.Fprintf(&b, "\nLifecycle: %s\n", l.summary())
	}
	return b.String()
}

// healPollEvery is how often heal polls the status while waiting.
const healPollEvery = 500 * time.Millisecond

func (a *app) adminHealCommand() *cobra.Command {
	var noWait, status bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "heal ALIAS[/BUCKET[/PREFIX]]",
		Short: "Start healing (all buckets, one bucket or a prefix) and follow it",
		Long: `Start a heal: the server checks every object in scope and rebuilds
missing or corrupt parts from the others. By default the command follows
the heal until it ends (at most --timeout) and prints the counts;
--no-wait returns once it started and --status only shows the current or
last heal.`,
		Example: `  hoard admin heal local
  hoard admin heal local/photos/2026/ --no-wait
  hoard admin heal local --status`,
		Args: a.args(1, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			t, r, err := a.adminTarget(args[0])
			if err != nil {
				return err
			}
			var st healStatus
			if !status {
				q := url.Values{}
				if t.bucket != "" {
					q.Set("bucket", t.bucket)
				}
				if t.key != "" {
					q.Set("prefix", t.key)
				}
				if err := r.adminCall(ctx, http.MethodPost, "heal", q, &st); err != nil {
					return err
				}
			}
			if status || noWait {
				if status {
					if err := r.adminCall(ctx, http.MethodGet, "heal", url.Values{}, &st); err != nil {
						return err
					}
				}
				a.printer().emit(st, st.human())
				return nil
			}
			st, err = a.waitHeal(ctx, r, st, timeout)
			if err != nil {
				return err
			}
			a.printer().emit(st, st.human())
			if st.Failed > 0 {
				return fmt.Errorf("heal: %d objects could not be healed", st.Failed)
			}
			return nil
		}),
	}
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return once the heal started")
	cmd.Flags().BoolVar(&status, "status", false, "show the current or last heal instead of starting one")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Hour, "longest time to follow the heal")
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// waitHeal polls the heal status until it stops running or timeout ends.
func (a *app) waitHeal(ctx context.Context, r *remote, st healStatus, timeout time.Duration) (healStatus, error) {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(healPollEvery)
	defer tick.Stop()
	for st.Running {
		if time.Now().After(deadline) {
			return st, fmt.Errorf("heal: still running after %s (scanned %d, healed %d); follow it with 'hoard admin heal %s --status'", timeout, st.Scanned, st.Healed, r.name)
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-tick.C:
		}
		if err := r.adminCall(ctx, http.MethodGet, "heal", url.Values{}, &st); err != nil {
			return st, err
		}
	}
	return st, nil
}

// human renders a heal status.
func (st healStatus) human() string {
	state := "finished"
	if st.Running {
		state = "running"
	}
	scope := "all buckets"
	if st.Bucket != "" {
		scope = st.Bucket + "/" + st.Prefix
	}
	rows := [][]string{
		{"Heal", ":", state + " (" + scope + ")"},
		{"Scanned", ":", strconv.FormatUint(st.Scanned, 10)},
		{"Healed", ":", strconv.FormatUint(st.Healed, 10)},
		{"Failed", ":", strconv.FormatUint(st.Failed, 10)},
	}
	if !st.Started.IsZero() {
		rows = append(rows, []string{"Started", ":", humanTime(st.Started)})
	}
	if !st.Finished.IsZero() {
		rows = append(rows, []string{"Finished", ":", humanTime(st.Finished)})
	}
	for _, d := range st.Drives {
		rows = append(rows, []string{"Rebuilding", ":", fmt.Sprintf("%s %.1f%%", d.Endpoint, d.Percent)})
	}
	return table(rows)
}

package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// aliasCheckTimeout bounds the connection check of alias set.
const aliasCheckTimeout = 15 * time.Second

// aliasInfo is how alias ls and alias set report an alias.
type aliasInfo struct {
	Status    string `json:"status"`
	Alias     string `json:"alias"`
	URL       string `json:"url"`
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
	Region    string `json:"region,omitempty"`
	Lookup    string `json:"lookup,omitempty"`
	Source    string `json:"source"`
}

func (a *app) aliasCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alias",
		Short: "Manage aliases: named S3 endpoints with their keys",
		Long: `Manage aliases. An alias names an S3 endpoint and its keys, so paths read
ALIAS/bucket/key. Aliases live in ~/.hoard/config.json (mode 0600; another
folder with --config-dir or HOARD_CONFIG_DIR).

For scripts and CI, HOARD_ALIAS_<NAME>=https://ACCESS:SECRET@host[:port]
defines alias NAME without a file (percent-encode reserved characters in
the keys; add ?region=R to set the region). It wins over the file.`,
		Example: `  hoard alias set local http://127.0.0.1:9000 admin 'change-me-please'
  hoard alias ls
  hoard alias rm local
  HOARD_ALIAS_CI=http://admin:secret@127.0.0.1:9000 hoard ls CI`,
	}
	cmd.AddCommand(a.aliasSetCommand(), a.aliasLsCommand(), a.aliasRmCommand())
	return cmd
}

func (a *app) aliasSetCommand() *cobra.Command {
	var region, lookup string
	var noCheck bool
	cmd := &cobra.Command{
		Use:   "set NAME URL ACCESS_KEY SECRET_KEY",
		Short: "Add or replace an alias",
		Long: `Add or replace an alias. Unless --no-check is given, the keys are tried
first (by listing buckets) and a wrong key is refused. Give "-" as the
secret key to read it from standard input and keep it out of the shell
history.`,
		Example: `  hoard alias set local http://127.0.0.1:9000 admin 'change-me-please'
  echo "$SECRET" | hoard alias set prod https://s3.example.com AKIAEXAMPLE - --region eu-west-1`,
		Args: a.args(4, 4),
		RunE: a.run(func(ctx context.Context, args []string) error {
			return a.aliasSet(ctx, args, region, lookup, noCheck)
		}),
	}
	cmd.Flags().StringVar(&region, "region", "", "region to sign for (default: ask the service, us-east-1 for Hoard)")
	cmd.Flags().StringVar(&lookup, "lookup", "auto", "bucket addressing: auto, path or dns")
	cmd.Flags().BoolVar(&noCheck, "no-check", false, "save without trying the keys")
	return cmd
}

func (a *app) aliasSet(ctx context.Context, args []string, region, lookup string, noCheck bool) error {
	name, rawURL, access, secret := args[0], args[1], args[2], args[3]
	if !validAliasName(name) {
		return a.usage("alias name %q: use letters, digits, - and _ (at most 64)", name)
	}
	endpoint, err := validateEndpoint(rawURL)
	if err != nil {
		return a.usage("%v", err)
	}
	switch lookup {
	case "auto", "path", "dns":
	default:
		return a.usage("--lookup %q: want auto, path or dns", lookup)
	}
	if secret == "-" {
		line, err := bufio.NewReader(a.opts.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("alias: reading the secret key from standard input: %w", err)
		}
		secret = strings.TrimRight(line, "\r\n")
	}
	if access == "" || secret == "" {
		return a.usage("alias: the access and secret keys must not be empty")
	}
	al := Alias{URL: endpoint, AccessKey: access, SecretKey: secret, Region: region}
	if lookup != "auto" {
		al.Lookup = lookup
	}
	if !noCheck {
		r, err := newRemote(name, al, a.insecure, a.wrapTransport)
		if err != nil {
			return err
		}
		cctx, cancel := context.WithTimeout(ctx, aliasCheckTimeout)
		defer cancel()
		if _, err := r.c.ListBuckets(cctx); err != nil {
			return fmt.Errorf("%w (not saved; --no-check saves anyway)", r.wrap(err, "", ""))
		}
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	cfg, err := st.load()
	if err != nil {
		return err
	}
	cfg.Aliases[name] = al
	if err := st.save(cfg); err != nil {
		return err
	}
	info := aliasView(namedAlias{Name: name, Source: sourceConfig, Alias: al})
	info.Status = "success"
	a.printer().emit(info, fmt.Sprintf("Added alias %s for %s (saved in %s).", name, endpoint, st.path()))
	return nil
}

// aliasView returns what may be shown of an alias: the secret masked.
func aliasView(na namedAlias) aliasInfo {
	return aliasInfo{
		Status: "success", Alias: na.Name, URL: na.URL, AccessKey: na.AccessKey,
		SecretKey: maskSecret(na.SecretKey), Region: na.Region, Lookup: na.Lookup, Source: na.Source,
	}
}

func (a *app) aliasLsCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "ls [NAME]",
		Aliases: []string{"list"},
		Short:   "List aliases (secret keys masked)",
		Example: `  hoard alias ls
  hoard alias ls local --json`,
		Args: a.args(0, 1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			all, err := st.aliases()
			if err != nil {
				return err
			}
			rows := [][]string{{"ALIAS", "URL", "ACCESS KEY", "SECRET KEY", "REGION", "SOURCE"}}
			found := false
			for _, na := range all {
				if len(args) == 1 && na.Name != args[0] {
					continue
				}
				found = true
				v := aliasView(na)
				rows = append(rows, []string{v.Alias, v.URL, v.AccessKey, v.SecretKey, v.Region, v.Source})
				if a.jsonOut {
					a.printer().json(v)
				}
			}
			if len(args) == 1 && !found {
				return newError(ErrNotFound, nil, "no alias named %q", args[0])
			}
			if !a.jsonOut && len(rows) > 1 {
				a.printer().emit(nil, table(rows))
			}
			return nil
		}),
	}
}

func (a *app) aliasRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "rm NAME...",
		Aliases: []string{"remove"},
		Short:   "Remove aliases from the configuration file",
		Example: `  hoard alias rm local`,
		Args:    a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			cfg, err := st.load()
			if err != nil {
				return err
			}
			for _, name := range args {
				if _, ok := cfg.Aliases[name]; !ok {
					if env, _ := envAliases(st.environ); env[name] != (Alias{}) {
						return newError(ErrNotFound, nil, "alias %s comes from the environment (%s%s): unset the variable instead", name, envAliasPrefix, name)
					}
					return newError(ErrNotFound, nil, "no alias named %q in %s", name, st.path())
				}
				delete(cfg.Aliases, name)
			}
			if err := st.save(cfg); err != nil {
				return err
			}
			for _, name := range args {
				a.printer().emit(map[string]string{"status": "success", "alias": name, "removed": "true"}, "Removed alias "+name+".")
			}
			return nil
		}),
	}
}

// isAlias reports whether name is a defined alias (errors count as no).
func (a *app) isAlias(name string) bool {
	if !validAliasName(name) {
		return false
	}
	st, err := a.store()
	if err != nil {
		return false
	}
	_, ok, _ := st.lookup(name)
	return ok
}

// target parses a command-line path against the defined aliases.
func (a *app) target(arg string) target { return parseTarget(arg, a.isAlias) }

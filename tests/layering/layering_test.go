// Package layering checks that Hoard's packages import each other only in
// the direction the architecture allows:
//
//	cmd -> server -> (s3api, admin, console, sts) -> (heal, authz -> iam) -> (erasure, cluster) -> heal/repair -> drive -> meta -> (storage, config, sigv4, sigv2, checksum, cors, policy, acl, lifecycle, objectlock) -> clientip
//
// Each package lists the internal packages it may import; anything else
// (a new edge, or a new package) fails the test until the list is updated
// on purpose.
package layering

import (
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/hoardstore/hoard/"

// allowed maps each package to the internal packages it may import.
var allowed = map[string][]string{
	"internal/storage":  {},
	"internal/clientip": {},
	"internal/config":   {"internal/clientip", "internal/oidc"},
	// OpenID Connect token checks, and a provider for tests.
	"internal/oidc":          {},
	"internal/oidc/oidctest": {},
	"internal/version":       {},
	"internal/sigv4":         {},
	"internal/sigv2":         {},
	"internal/cors":          {},
	"internal/lifecycle":     {"internal/storage"},
	"internal/policy":        {},
	"internal/acl":           {},
	"internal/iam":           {"internal/policy"},
	"internal/sts":           {"internal/iam", "internal/oidc", "internal/policy", "internal/sigv4"},
	"internal/authz":         {"internal/acl", "internal/iam", "internal/policy"},
	"internal/authguard":     {},
	// Object lock's rules: pure, over storage's lock state.
	"internal/objectlock": {"internal/storage"},
	"internal/checksum":   {"internal/storage"},
	"internal/meta":       {"internal/storage"},
	"internal/drive":      {"internal/meta", "internal/storage"},
	"internal/erasure":    {"internal/checksum", "internal/drive", "internal/heal/repair", "internal/meta", "internal/storage"},
	"internal/cluster":    {"internal/drive", "internal/meta", "internal/storage", "internal/sigv4", "internal/config"},
	"internal/heal":       {"internal/erasure", "internal/heal/repair", "internal/drive", "internal/meta", "internal/storage"},
	"internal/s3api":      {"internal/acl", "internal/authguard", "internal/authz", "internal/checksum", "internal/clientip", "internal/cors", "internal/iam", "internal/lifecycle", "internal/objectlock", "internal/policy", "internal/sigv2", "internal/sigv4", "internal/storage"},
	"internal/admin":      {"internal/authz", "internal/clientip", "internal/iam", "internal/lifecycle", "internal/policy", "internal/sigv4", "internal/storage"},
	// The console shows the admin API's Info document and asks it which
	// actions a user may take; its document editors bound a policy by
	// policy.MaxSize.
	"internal/console": {"internal/admin", "internal/clientip", "internal/policy", "internal/sigv4", "internal/storage"},
	"internal/server": {
		"internal/admin", "internal/clientip", "internal/cluster", "internal/config", "internal/console", "internal/drive", "internal/erasure", "internal/heal", "internal/iam", "internal/lifecycle", "internal/objectlock", "internal/oidc", "internal/s3api", "internal/sigv4", "internal/storage", "internal/sts", "internal/version",
	},
	"internal/cli":        {"internal/sigv4", "internal/version"},
	"internal/bench":      {"internal/sigv4"},
	"internal/testserver": {"internal/config", "internal/server"},

	// Every repair path of the engine (decisions and rebuilds); erasure
	// enters it with a view of itself, so it sits below erasure although
	// it lives beside the heal scheduler.
	"internal/heal/repair": {"internal/drive", "internal/meta", "internal/storage"},
	"cmd/hoard": {
		"internal/bench", "internal/cli", "internal/config", "internal/server", "internal/version",
	},
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportsFlowOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", module+"internal/...", module+"cmd/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		allow, ok := allowed[name]
		if !ok {
			t.Errorf("%s is not in the allow-list: add it with the packages it may import", name)
			continue
		}
		seen++
		set := map[string]bool{}
		for _, a := range allow {
			set[a] = true
		}
		var bad []string
		for _, imp := range p.Imports {
			if dep, ok := strings.CutPrefix(imp, module); ok && !set[dep] {
				bad = append(bad, dep)
			}
		}
		sort.Strings(bad)
		if len(bad) > 0 {
			t.Errorf("%s imports %v, which the layering does not allow", name, bad)
		}
	}
	if seen < 10 {
		t.Errorf("checked only %d packages; go list output looks wrong", seen)
	}
}

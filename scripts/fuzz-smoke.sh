#!/usr/bin/env bash
# Runs every Go fuzz target briefly, so the targets stay compilable and
# shallow bugs surface in every test run.
#
# The budget is a count of executions (FUZZ_EXECS each, default 30000), not a
# duration: with a duration, Go 1.26's fuzzing coordinator can report a bare
# "context deadline exceeded" failure when the deadline fires while a worker
# is mid-call (go.dev/issue/75804, fixed in Go 1.27). A count has no deadline
# to race; the go test timeout still catches a target that hangs.
set -euo pipefail
cd "$(dirname "$0")/.."
execs="${FUZZ_EXECS:-30000}"
count=0
for pkg in $(go list ./...); do
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "fuzz: $pkg $t (${execs} executions)"
		go test -run '^$' -fuzz "^${t}\$" -fuzztime "${execs}x" -timeout 3m "$pkg"
		count=$((count + 1))
	done
done
echo "fuzz: $count targets passed"

#!/usr/bin/env bash
# End-to-end check of the hoard client commands with curl.
#
# Usage: tests/cli/cli.sh [HOARD_BINARY]
#
# Uses the server at $CLI_E2E_URL (keys in $CLI_E2E_ACCESS_KEY and
# $CLI_E2E_SECRET_KEY) or, when it is unset, starts `hoard server` on a
# free loopback port with $CLI_E2E_DRIVES (default 1) temporary drive
# folders. Then it drives the server with the hoard client: aliases, mb,
# cp, ls, cat, pipe, mirror twice, share download links fetched with curl
# before and after expiry, and an upload link used with the curl command
# hoard prints. Exits non-zero on the first failure and removes everything
# it created.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/server.sh"

step() { echo "--- $*"; }

need_tool curl
use_binary "${1:-}"
hoard() { "$bin" "$@"; }

url=${CLI_E2E_URL:-}
access=${CLI_E2E_ACCESS_KEY:-cli-test-access}
secret=${CLI_E2E_SECRET_KEY:-cli-test-secret-0123456789}
if [[ -z "$url" ]]; then
	HOARD_ROOT_USER="$access" HOARD_ROOT_PASSWORD="$secret" start_server "${CLI_E2E_DRIVES:-1}"
	url=$endpoint
fi

export HOARD_CONFIG_DIR="$work/config"

step "aliases"
hoard alias set cli "$url" "$access" "$secret" >/dev/null
[[ $(stat -c %a "$HOARD_CONFIG_DIR/config.json") == 600 ]] || fail "config.json is not mode 600"
hoard alias ls | grep -q "^cli " || fail "alias ls does not list cli"
if hoard alias ls | grep -qF -- "$secret"; then fail "alias ls prints the secret key"; fi
set +e
out=$(hoard alias set bad "$url" "$access" wrong-secret 2>&1); rc=$?
set -e
[[ $rc -eq 1 ]] || fail "wrong secret: exit $rc, want 1"
grep -q "access denied for alias bad: check the access and secret key" <<<"$out" || fail "wrong secret message: $out"
set +e
hoard cp only-one-argument 2>/dev/null; rc=$?
set -e
[[ $rc -eq 2 ]] || fail "usage error: exit $rc, want 2"

step "mb, cp, ls, cat, pipe"
hoard mb cli/script >/dev/null
head -c 3000000 /dev/urandom >"$work/in.bin"
hoard cp "$work/in.bin" cli/script/data/in.bin >/dev/null
hoard ls --recursive cli/script | grep -q "data/in.bin" || fail "ls -r does not show data/in.bin"
hoard cat cli/script/data/in.bin | cmp - "$work/in.bin" || fail "cat differs from the upload"
echo "through a pipe" | hoard pipe cli/script/piped.txt >/dev/null
[[ $(hoard cat cli/script/piped.txt) == "through a pipe" ]] || fail "pipe/cat round trip"

step "mirror twice"
mkdir -p "$work/site/css"
echo "<h1>hello</h1>" >"$work/site/index.html"
echo "body{}" >"$work/site/css/site.css"
hoard mirror "$work/site" cli/script/site/ | grep -q "mirror: copied 2" || fail "first mirror did not copy 2 files"
hoard mirror "$work/site" cli/script/site/ | grep -q "mirror: copied 0 (0 B)" || fail "second mirror copied something"

step "share download with curl"
link=$(hoard share download cli/script/data/in.bin --expire 1h | sed -n 's/^URL: //p')
[[ -n "$link" ]] || fail "share download printed no URL"
curl -fsS -o "$work/out.bin" "$link"
cmp "$work/in.bin" "$work/out.bin" || fail "download through the link differs"
last=${link: -1}
[[ $last == 0 ]] && swap=1 || swap=0
code=$(curl -s -o /dev/null -w '%{http_code}' "${link%?}$swap")
[[ $code == 403 ]] || fail "tampered link: HTTP $code, want 403"

step "share link expiry"
short=$(hoard share download cli/script/piped.txt --expire 2s | sed -n 's/^URL: //p')
[[ $(curl -fsS "$short") == "through a pipe" ]] || fail "short link before expiry"
code=200
for _ in $(seq 1 60); do
	code=$(curl -s -o /dev/null -w '%{http_code}' "$short")
	[[ $code == 200 ]] || break
	sleep 0.25
done
[[ $code == 403 ]] || fail "short link after expiry: HTTP $code, want 403"

step "share upload with the printed curl command"
head -c 100000 /dev/urandom >"$work/up.bin"
cmd=$(hoard share upload cli/script/uploaded.bin --expire 1h | grep '^curl ')
[[ -n "$cmd" ]] || fail "share upload printed no curl command"
cmd=${cmd//<FILE>/\"$work/up.bin\"}
eval "$cmd"
hoard cat cli/script/uploaded.bin | cmp - "$work/up.bin" || fail "object uploaded with curl differs"

step "clean up"
hoard rb --force cli/script >/dev/null
if hoard ls cli | grep -q "script/"; then fail "bucket still listed after rb --force"; fi
echo "cli.sh: all checks passed"

#!/usr/bin/env bash
# `npm run demo`: the whole job, offline, on the bundled sample company. No network, no credentials.
# Identity Center is a temporary state file seeded with a break-glass user and a Control Tower group
# (both protected by the rules, so the sync never touches them).
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="$(mktemp -d)"
trap 'rm -rf "$state_dir"' EXIT
state="$state_dir/identity-center.json"
cp examples/identity-center.json "$state"

idc_sync() { node bin/idc-sync.mjs "$@"; }
step() { printf '\n\033[1m━━ %s\033[0m\n$ idc-sync %s\n\n' "$1" "$2"; }

step "1. Validate the rules" "validate --rules examples/rules.yaml"
idc_sync validate --rules examples/rules.yaml

step "2. Plan against an Identity Center that has only its break-glass principals" \
  "plan --rules examples/rules.yaml --source file:examples/directory.yaml --target file:STATE"
idc_sync plan --rules examples/rules.yaml --source file:examples/directory.yaml --target "file:$state"

step "3. Apply it" "apply --yes --rules examples/rules.yaml --source file:examples/directory.yaml --target file:STATE"
idc_sync apply --yes --rules examples/rules.yaml --source file:examples/directory.yaml --target "file:$state"

step "4. Plan again: nothing left to do" \
  "plan --detailed-exitcode --rules examples/rules.yaml --source file:examples/directory.yaml --target file:STATE"
idc_sync plan --detailed-exitcode --rules examples/rules.yaml --source file:examples/directory.yaml --target "file:$state"

step "5. A week later: a leaver, a joiner, a mover and a renamed person" \
  "plan --rules examples/rules.yaml --source file:examples/directory-next.yaml --target file:STATE"
idc_sync plan --rules examples/rules.yaml --source file:examples/directory-next.yaml --target "file:$state"

step "6. Why does the leaver still have access? Explain one person, rule by rule (changes nothing)" \
  "explain ren.takahashi@example.com --rules examples/rules.yaml --source file:examples/directory-next.yaml --target file:STATE"
idc_sync explain ren.takahashi@example.com --rules examples/rules.yaml --source file:examples/directory-next.yaml --target "file:$state"

printf '\nThe whole picture as one HTML page: idc-sync report access ... --out access.html (see the README).\n'
printf '\nThe demo changed nothing outside %s, which is now deleted.\n' "$state_dir"

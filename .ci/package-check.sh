#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed with `npm install --ignore-scripts` into an
# empty folder, then `npx roster serve` on the embedded database and on a fresh PostgreSQL
# database; each time an organization, a directory and its token made with the installed CLI, and
# one SCIM create that must answer 201. Any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

ADMIN_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
database="roster_package_check_$$"
server_pid=""

cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql "$ADMIN_URL" -qc "drop database if exists $database" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  [ -f "$work/server.log" ] && tail -20 "$work/server.log" >&2
  exit 1
}

# A field of the JSON document on stdin.
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(String(JSON.parse(s)[process.argv[1]])))' "$1"; }

echo "packing"
tarball="$work/$(npm pack --json --pack-destination "$work" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s)[0].filename))')"
echo "$(tar tzf "$tarball" | wc -l) files in $(basename "$tarball"):"
tar tzf "$tarball" | sed 's#^package/##' | awk -F/ '{print $1 (NF > 1 ? "/" : "")}' | sort | uniq -c

mkdir "$work/app"
cd "$work/app"
npm init -y >/dev/null
npm install --ignore-scripts --no-audit --no-fund "$tarball"

# Starts the installed server on a free port, runs the check against it, stops it.
check() {
  local label=$1
  echo "--- $label"
  # The command npx runs, started directly so that SIGTERM reaches the server (npx does not pass it on).
  PORT=0 ./node_modules/.bin/roster serve >"$work/server.log" 2>&1 &
  server_pid=$!
  local url=""
  for _ in $(seq 1 240); do
    url=$(node -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").split("\n")) { try { const e = JSON.parse(l); if (e.msg === "listening") { process.stdout.write(e.listen); break; } } catch {} }' "$work/server.log")
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "$label: roster serve exited before listening"
    sleep 0.5
  done
  [ -n "$url" ] || fail "$label: roster serve did not listen within 2 minutes"
  echo "listening at $url"

  # With PORT=0 only the server knows its port: the CLI is told the public URL it runs under.
  export PUBLIC_URL=$url
  npx --no-install roster org create --slug acme --name "Acme Inc" --json >/dev/null || fail "$label: org create"
  local directory
  directory=$(npx --no-install roster directory create --org acme --provider okta --json) || fail "$label: directory create"
  local base token
  base=$(echo "$directory" | field scimBaseUrl)
  token=$(echo "$directory" | field token)
  case "$base" in "$url"/scim/v2/*) ;; *) fail "$label: scimBaseUrl $base is not under $url" ;; esac

  local status
  status=$(curl -sS -o "$work/created.json" -w '%{http_code}' -X POST "$base/Users" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/scim+json' \
    -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada@acme.example","name":{"givenName":"Ada","familyName":"Lovelace"},"emails":[{"value":"ada@acme.example","primary":true}],"active":true}')
  [ "$status" = 201 ] || fail "$label: POST /Users answered $status: $(cat "$work/created.json")"
  echo "POST $base/Users: 201"

  # The OpenID Provider the apps discover (oidc-provider, loaded from the installed package).
  status=$(curl -sS -o "$work/discovery.json" -w '%{http_code}' "$url/.well-known/openid-configuration")
  [ "$status" = 200 ] || fail "$label: discovery answered $status"
  [ "$(field issuer < "$work/discovery.json")" = "$url" ] || fail "$label: discovery names another issuer: $(cat "$work/discovery.json")"
  echo "GET $url/.well-known/openid-configuration: 200"

  kill -TERM "$server_pid"
  local code=0
  wait "$server_pid" || code=$?
  server_pid=""
  [ "$code" = 0 ] || fail "$label: roster serve exited with $code on SIGTERM"
  unset PUBLIC_URL
}

DATA_DIR="$work/data" check "embedded database"

psql "$ADMIN_URL" -qc "create database $database"
database_url=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; process.stdout.write(u.href)' "$ADMIN_URL" "$database")
DATABASE_URL=$database_url ROSTER_SECRET=$(openssl rand -base64 32) check "PostgreSQL"

echo "package check passed"

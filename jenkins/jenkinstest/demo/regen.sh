#!/bin/sh
# Regenerates the demo reports the simulated Jenkins serves as build artifacts,
# with the real tools from npm (versions pinned in package.json/package-lock.json):
#   newman JSON + JUnit + cli output, Postman CLI JSON + JUnit, Spectral JSON + SARIF.
# The collection runs offline against api-server.js on a loopback port: once in
# "good" mode (passing builds) and once in "bad" mode (failing builds).
# The only edit to the outputs: the scratch directory in absolute paths is
# rewritten to a Jenkins workspace path, as a real build would show.
set -eu
cd "$(dirname "$0")"
npm ci --no-audit --no-fund >/dev/null
# postman-cli lives apart, without a lock file (see postman-cli/package.json).
(cd postman-cli && npm install --no-package-lock --no-audit --no-fund >/dev/null 2>&1)
out=reports
mkdir -p "$out"
ws=/var/jenkins_home/workspace/payments/api-tests
here=$(pwd)

start_api() {
  node api-server.js "$1" 0 >.api-port &
  api_pid=$!
  for _ in $(seq 50); do
    [ -s .api-port ] && break
    sleep 0.1
  done
  port=$(cat .api-port)
  base="http://127.0.0.1:$port"
}
stop_api() { kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; rm -f .api-port; }

for mode in good bad; do
  name=pass
  [ "$mode" = bad ] && name=fail
  start_api "$mode"
  ./node_modules/.bin/newman run collection.json -e environment.json --env-var "baseUrl=$base" --color on \
    --reporters cli,json,junit --reporter-json-export "$out/newman-$name.json" \
    --reporter-junit-export "$out/newman-$name.xml" >"$out/newman-$name.txt" || true
  HOME="$here/.postman-home" ./postman-cli/node_modules/.bin/postman collection run collection.json -e environment.json \
    --env-var "baseUrl=$base" --reporters json,junit \
    --reporter-json-export "$out/postman-cli-$name.json" \
    --reporter-junit-export "$out/postman-cli-$name.xml" \
    --reporter-json-omitResponseBodies >/dev/null 2>&1 || true
  stop_api
done
rm -rf .postman-home

./node_modules/.bin/spectral lint openapi.yaml --ruleset .spectral.yaml \
  -f json -o.json "$out/spectral.json" -f sarif -o.sarif "$out/spectral.sarif" >/dev/null || true

# Absolute scratch paths -> the workspace a Jenkins build would have
# (history.js does the same for the .gz files it writes).
for f in "$out"/*.json "$out"/*.xml "$out"/*.txt "$out"/*.sarif; do
  sed -i "s#$here#$ws#g" "$f"
done
# The history of payments/api-tests builds 81-130: one newman run and, per
# stage of openapi.yaml, one Spectral run each (history.js says what changes when).
node history.js >/dev/null
ls -l "$out" | head -20

#!/bin/sh
# Regenerates the Postman CLI lint outputs made by the CLI's own formatters
# (formatter.js): api-lint.txt, api-lint-clean.txt (`postman api lint`'s
# table, colours on) and spec-lint-formatter.json (`postman spec lint -o json`).
# Needs node and npm. The formatters' own dependencies are bundled into the
# CLI's binary, so the same versions are installed beside it.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --no-package-lock --no-audit --no-fund --loglevel=error \
  postman-cli@1.34.0 cli-table3@0.6.3 colors@1.4.0 lodash@4.17.21 >/dev/null)
lib="$tmp/node_modules/@postman/pm-bin-linux-x64/bin/lib"
run() { FORCE_COLOR=1 NODE_PATH="$tmp/node_modules" node formatter.js "$lib" "$1"; }
run api-lint >api-lint.txt
run api-lint-clean >api-lint-clean.txt
run spec-lint >spec-lint-formatter.json
ls -l api-lint.txt api-lint-clean.txt spec-lint-formatter.json

#!/usr/bin/env bash
# Run the Node reader over a vector set: install the locked dependencies, then read.
#   conformance/node/run.sh VECTOR_DIR
# Exit 0 when every case of the handlers it reads matches, non-zero otherwise.
set -euo pipefail
if [ "$#" -ne 1 ]; then
  echo "usage: $0 VECTOR_DIR" >&2
  exit 2
fi
vectors="$(cd "$1" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
# Install once per lockfile: `npm ci` wipes node_modules first, so running it on every
# call would cost a reinstall per test and race when two runs share this directory.
stamp="node_modules/.dait-lock-sha256"
lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$lock_sum" > "$stamp"
fi
exec node reader.mjs "$vectors" "$here/../../proto"

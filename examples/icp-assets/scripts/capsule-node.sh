#!/bin/sh
# Runs a script with Capsule's Node 24; Capsule's repository is $CAPSULE_ROOT, or found from `capsule` on PATH.
set -e
if [ -z "${CAPSULE_ROOT:-}" ]; then
  capsule=$(command -v capsule) || { echo "capsule is not on PATH (or set CAPSULE_ROOT to Capsule's repository)" >&2; exit 127; }
  CAPSULE_ROOT=$(cd -- "$(dirname -- "$(readlink -f -- "$capsule")")/.." && pwd -P)
fi
export CAPSULE_ROOT
node="$CAPSULE_ROOT/node_modules/node/bin/node"
[ -x "$node" ] || node="$CAPSULE_ROOT/node_modules/.bin/node"
exec "$node" "$@"

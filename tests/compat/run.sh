#!/usr/bin/env bash
# Runs the official Node SDK (@scalekit-sdk/node 2.2.2, installed from npm
# into a temporary folder; nothing is vendored) against a freshly started
# scalekit-emulator, and checks what every implemented method returns.
#
#   bash tests/compat/run.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund @scalekit-sdk/node@2.2.2 >/dev/null)

cargo build --quiet --manifest-path "$repo/Cargo.toml" -p scalekit-emulator --bin scalekit-emulator
target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
"$target_dir/debug/scalekit-emulator" --port 0 >"$work/emulator.env" 2>"$work/emulator.log" &
emulator_pid=$!

for _ in $(seq 1 100); do
  if grep -q SCALEKIT_CLIENT_SECRET "$work/emulator.env" 2>/dev/null; then break; fi
  sleep 0.1
done
if ! grep -q SCALEKIT_CLIENT_SECRET "$work/emulator.env"; then
  echo "the emulator did not start:" >&2
  cat "$work/emulator.log" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1091
. "$work/emulator.env"
set +a

NODE_PATH="$work/node_modules" node "$repo/tests/compat/compat.js"

#!/usr/bin/env bash
# Runs the official Node SDK against a freshly started scalekit-emulator and
# checks what every implemented method returns, once per SDK version
# (@scalekit-sdk/node 2.2.2 and 2.11.0, each installed from npm into a
# temporary folder; nothing is vendored).
#
#   bash tests/compat/run.sh
#
# For each version it also checks that README.md's parity table lists every
# public method of that package (tests/compat/parity.js).
#
# COMPAT_VERSIONS="2.11.0" narrows the run to some versions. Checks named in
# tests/compat/pending-<version>.txt may fail with UNIMPLEMENTED without
# failing the run (see compat.js).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
versions="${COMPAT_VERSIONS:-2.2.2 2.11.0}"
if [ "$#" -gt 0 ]; then
  echo "usage: bash tests/compat/run.sh (COMPAT_VERSIONS narrows the versions)" >&2
  exit 2
fi

work="$(mktemp -d)"
emulator_pid=""
stop_emulator() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    emulator_pid=""
  fi
}
cleanup() {
  stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT

install_sdk() { # version -> prints the node_modules folder
  local dir="$work/sdk-$1"
  mkdir -p "$dir"
  (cd "$dir" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund "@scalekit-sdk/node@$1" >/dev/null)
  echo "$dir/node_modules"
}

cargo build --quiet --manifest-path "$repo/Cargo.toml" -p scalekit-emulator --bin scalekit-emulator
target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"

# Each version gets an emulator of its own: the checks expect an empty store.
start_emulator() { # name of the run, used for the log files
  local env_file="$work/emulator-$1.env" log_file="$work/emulator-$1.log"
  # compat.js signs in with this redirect URI; the emulator refuses unregistered ones.
  "$target_dir/debug/scalekit-emulator" --port 0 --redirect-uri https://app.compat.example/callback \
    >"$env_file" 2>"$log_file" &
  emulator_pid=$!
  for _ in $(seq 1 100); do
    if grep -q SCALEKIT_CLIENT_SECRET "$env_file" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if ! grep -q SCALEKIT_CLIENT_SECRET "$env_file"; then
    echo "the emulator did not start:" >&2
    cat "$log_file" >&2
    exit 1
  fi
  set -a
  # shellcheck disable=SC1090
  . "$env_file"
  set +a
}

failed=()
for version in $versions; do
  echo "== @scalekit-sdk/node $version"
  modules="$(install_sdk "$version")"
  start_emulator "$version"
  if ! NODE_PATH="$modules" COMPAT_PENDING_FILE="$repo/tests/compat/pending-$version.txt" \
    node "$repo/tests/compat/compat.js"; then
    failed+=("compat $version")
  fi
  stop_emulator
  echo "== parity table (README.md) against @scalekit-sdk/node $version"
  if ! node "$repo/tests/compat/parity.js" "$modules/@scalekit-sdk/node" "$repo/README.md"; then
    failed+=("parity $version")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi

#!/usr/bin/env bash
# Start-up of an in-process emulator as a user meets it: a fresh crate with
# `scalekit` as a dependency and `scalekit-emulator` as a dev-dependency, one
# test that starts an emulator and makes one call. Reports, per profile, the
# clean build time, the number of crates compiled, and the median (and range)
# of "start + first call" over N runs of the test, each in a new process.
#
#   bench/user-crate/run.sh [SDK_CHECKOUT] [RUNS]
#
# SDK_CHECKOUT defaults to this repository; give another checkout (a git
# worktree of an older commit, say) for a before/after comparison.
# EMULATOR_FEATURES="default-features = false" builds the emulator without
# its command-line feature, as a library user would. PROFILES="dev" measures
# one profile only. USER_CRATE_DIR=DIR builds in DIR and keeps it, so that a
# second run measures start-up again without a clean build (its build time
# is then not a clean build's).
set -euo pipefail
sdk="$(cd "${1:-$(dirname "$0")/../..}" && pwd)"
runs="${2:-20}"
if [ -n "${USER_CRATE_DIR:-}" ]; then
  work="$USER_CRATE_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d /tmp/user-crate.XXXXXX)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/src" "$work/tests"
cat > "$work/Cargo.toml" <<TOML
[package]
name = "user-crate"
version = "0.1.0"
edition = "2021"

[dependencies]
scalekit = { path = "$sdk" }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }

[dev-dependencies]
scalekit-emulator = { path = "$sdk/emulator", ${EMULATOR_FEATURES:-} }
TOML
echo "" > "$work/src/lib.rs"
cat > "$work/tests/start.rs" <<'RS'
#[tokio::test]
async fn start_and_first_call() {
    let started = std::time::Instant::now();
    let emulator = scalekit_emulator::Emulator::builder().start().await.expect("started");
    let client = emulator.client().expect("a client");
    let users = client.users().list_users(Default::default()).await.expect("listed");
    let elapsed = started.elapsed();
    assert!(users.items.is_empty());
    println!("START_MS {:.3}", elapsed.as_secs_f64() * 1000.0);
}
RS
cp "$sdk/Cargo.lock" "$work/Cargo.lock" 2>/dev/null || true
for profile in ${PROFILES:-dev release}; do
  flag=(); [ "$profile" = release ] && flag=(--release)
  started=$(date +%s.%N)
  crates=$(cd "$work" && cargo test "${flag[@]}" --no-run --message-format=json 2>/dev/null \
    | grep -c '"reason":"compiler-artifact"')
  build=$(echo "$(date +%s.%N) - $started" | bc)
  times=()
  for _ in $(seq "$runs"); do
    times+=("$(cd "$work" && cargo test -q "${flag[@]}" --test start -- --nocapture 2>/dev/null \
      | sed -n 's/^START_MS //p')")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  median=$(echo "$sorted" | awk -v n="$runs" 'NR==int((n+1)/2){a=$1} NR==int(n/2)+1{b=$1} END{printf "%.1f", (a+b)/2}')
  printf '%-8s build %6.1f s  crates %4d  start+first call: median %s ms, min %s, max %s (%d runs)\n' \
    "$profile" "$build" "$crates" "$median" "$(echo "$sorted" | head -1)" "$(echo "$sorted" | tail -1)" "$runs"
done

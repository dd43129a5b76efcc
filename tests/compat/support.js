// What every compat check shares: the installed SDK and its version, the
// client, the check runner with its pending list, and the emulator-only
// setup endpoints. Run through run.sh, which installs the SDK and starts the
// emulator.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const sdk = require("@scalekit-sdk/node");

// The package has no "exports" map, so its package.json is reachable.
const sdkVersion = require("@scalekit-sdk/node/package.json").version;

const client = new sdk.ScalekitClient(
  process.env.SCALEKIT_ENVIRONMENT_URL,
  process.env.SCALEKIT_CLIENT_ID,
  process.env.SCALEKIT_CLIENT_SECRET,
);

// gRPC's UNIMPLEMENTED, as the SDK reports it on ScalekitServerException.
const UNIMPLEMENTED = 12;
const isUnimplemented = (err) => Boolean(err) && err.grpcStatus === UNIMPLEMENTED;

// Checks the emulator cannot pass yet, one name a line (`#` starts a comment).
// A pending check still runs: UNIMPLEMENTED is then reported as pending, any
// other failure still fails, and a pass says the line can go.
function readPending(file) {
  if (!file || !fs.existsSync(file)) return { file, names: new Set() };
  const names = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
  return { file, names: new Set(names) };
}
const pending = readPending(process.env.COMPAT_PENDING_FILE);

const results = [];

// A check named `sub.method` (or `sub.method (detail)`) is skipped when this
// SDK version has no such method, so one script serves every version.
function sdkMethod(name) {
  const match = /^([a-zA-Z0-9]+)\.([a-zA-Z0-9]+)\b/.exec(name);
  if (!match || match[1] === "errors") return null;
  return { sub: match[1], method: match[2] };
}
function hasMethod(name) {
  const m = sdkMethod(name);
  if (!m) return true;
  const target = m.sub === "scalekit" ? client : client[m.sub];
  return Boolean(target) && typeof target[m.method] === "function";
}

async function check(name, fn) {
  if (!hasMethod(name)) {
    results.push({ name, status: "absent" });
    return;
  }
  const isPending = pending.names.has(name);
  try {
    await fn();
    results.push({ name, status: isPending ? "stale-pending" : "ok" });
    console.log(isPending ? `ok   ${name} (still listed in ${path.basename(pending.file)}: remove it)` : `ok   ${name}`);
  } catch (err) {
    if (isPending && isUnimplemented(err)) {
      results.push({ name, status: "pending" });
      console.log(`PEND ${name}: UNIMPLEMENTED (${err.message})`);
      return;
    }
    results.push({ name, status: "fail" });
    const why = isUnimplemented(err) ? "UNIMPLEMENTED, and not listed as pending: " : "";
    console.log(`FAIL ${name}: ${why}${err && err.stack ? err.stack : err}`);
  }
}

// Prints the summary and returns the exit code: 1 on any failure, or when
// the pending list names a check that does not exist (a typo would otherwise
// hide nothing and go unnoticed).
function finish() {
  const count = (status) => results.filter((r) => r.status === status);
  const known = new Set(results.map((r) => r.name));
  const unknownPending = [...pending.names].filter((n) => !known.has(n));
  for (const name of unknownPending) {
    console.log(`FAIL ${path.basename(pending.file)} names "${name}", which is no check of this script`);
  }
  const absent = count("absent").map((r) => r.name);
  if (absent.length > 0) {
    console.log(`not in @scalekit-sdk/node ${sdkVersion}, skipped: ${absent.join(", ")}`);
  }
  const stale = count("stale-pending").map((r) => r.name);
  if (stale.length > 0) console.log(`pending but passing (remove from the list): ${stale.join(", ")}`);
  const pend = count("pending").map((r) => r.name);
  if (pend.length > 0) console.log(`pending (UNIMPLEMENTED in the emulator): ${pend.join(", ")}`);
  const failed = count("fail").length + unknownPending.length;
  const passed = count("ok").length + stale.length;
  console.log(
    `compat ${sdkVersion}: ${passed} passed, ${failed} failed, ${pend.length} pending, ${absent.length} not in this version`,
  );
  return failed === 0 ? 0 : 1;
}

const notFound = (err) => err.name === "ScalekitNotFoundException" && err.httpStatus === 404;

// Emulator-only setup and inspection (`/_emulator/…`, not part of the
// Scalekit API): sessions and passkeys have no creating RPC, the OTP and
// magic link would arrive by email, and login requests come from a hosted
// login page.
async function emulatorOnly(method, urlPath, body) {
  const auth = Buffer.from(`${process.env.SCALEKIT_CLIENT_ID}:${process.env.SCALEKIT_CLIENT_SECRET}`).toString("base64");
  const res = await fetch(`${process.env.SCALEKIT_ENVIRONMENT_URL}/_emulator${urlPath}`, {
    method,
    headers: { authorization: `Basic ${auth}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} /_emulator${urlPath}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

module.exports = { sdk, sdkVersion, client, check, finish, hasMethod, notFound, emulatorOnly };

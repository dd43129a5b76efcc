// scalekit-bench's Node client: drives the official @scalekit-sdk/node for
// one cell, as the Rust client mode does for the Rust clients, and prints
// the same JSON. Started by scalekit-bench (which installs the SDK next to
// this file); not meant to be run by hand.
//
//   node driver.js '<spec JSON>'   with SCALEKIT_ENVIRONMENT_URL,
//                                  SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET
"use strict";
const { ScalekitClient } = require("@scalekit-sdk/node");

const READY_LINE = '{"event":"ready"}';
const spec = JSON.parse(process.argv[2]);

// Every loop below is bounded by these; refuse anything unbounded.
for (const [name, max] of [["max_iterations", 10_000_000], ["warmup_iterations", 10_000_000], ["seconds", 120], ["warmup_seconds", 120], ["concurrency", 4096]]) {
  if (!(Number.isFinite(spec[name]) && spec[name] >= 0 && spec[name] <= max)) {
    throw new Error(`spec.${name} must be a number in 0..=${max}`);
  }
}

const client = new ScalekitClient(
  process.env.SCALEKIT_ENVIRONMENT_URL,
  process.env.SCALEKIT_CLIENT_ID,
  process.env.SCALEKIT_CLIENT_SECRET,
);
const validation = { issuer: spec.issuer, audience: spec.audience };

function webhookCase() {
  const w = spec.webhook;
  if (!w) throw new Error("the webhook job needs a webhook case");
  const headers = { "webhook-id": w.id, "webhook-timestamp": w.timestamp, "webhook-signature": w.signature };
  return { secret: w.secret, headers, payload: w.payload };
}

// One iteration of the job; resolves to the RPCs (or operations) it made.
function operation(job) {
  const name = job.name;
  if (job.kind === "load" && name === "get-user") {
    return async () => {
      await client.user.getUser(spec.user_id);
      return 1;
    };
  }
  if (job.kind === "load" && name === "create-delete") {
    return async (seq) => {
      const res = await client.user.createUserAndMembership(spec.org_id, {
        email: `bench-${process.pid}-${seq}@bench.example`,
        sendInvitationEmail: false,
      });
      await client.user.deleteUser(res.user.id);
      return 2;
    };
  }
  if (job.kind === "load" && name === "login-mix") {
    return async () => {
      await client.validateToken(spec.token, validation);
      await client.user.getUser(spec.user_id);
      return 1;
    };
  }
  if (job.kind === "micro" && name === "validate-token") {
    return async () => {
      await client.validateToken(spec.token, validation);
      return 1;
    };
  }
  throw new Error(`unknown job ${JSON.stringify(job)}`);
}

function newTally() {
  return { iterations: 0, calls: 0, errors: 0, firstError: null, maxNs: 0 };
}

function record(tally, latencies, index, ns, calls) {
  tally.iterations += 1;
  tally.calls += calls;
  if (ns > tally.maxNs) tally.maxNs = ns;
  if (latencies && index < latencies.length) latencies[index] = Math.max(1, Math.min(ns, 0xffffffff));
}

function fail(tally, err) {
  tally.errors += 1;
  if (tally.firstError === null) tally.firstError = String(err && err.message ? err.message : err);
}

// `concurrency` promise loops sharing one iteration budget and deadline.
async function asyncPhase(op, maxIterations, seconds, seqBase, latencies) {
  const tally = newTally();
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  async function loop() {
    for (;;) {
      if (performance.now() >= deadline) return;
      const index = next++;
      if (index >= maxIterations) return;
      const started = process.hrtime.bigint();
      try {
        const calls = await op(seqBase + index);
        record(tally, latencies, index, Number(process.hrtime.bigint() - started), calls);
      } catch (err) {
        fail(tally, err);
      }
    }
  }
  const loops = [];
  for (let i = 0; i < Math.max(1, spec.concurrency); i++) loops.push(loop());
  await Promise.all(loops);
  return tally;
}

// Webhook verification is synchronous in the SDK: a plain loop, no promises.
function webhookPhase(maxIterations, seconds, latencies) {
  const { secret, headers, payload } = webhookCase();
  const tally = newTally();
  const deadline = performance.now() + seconds * 1000;
  for (let index = 0; index < maxIterations; index++) {
    if (performance.now() >= deadline) break;
    const started = process.hrtime.bigint();
    try {
      client.verifyWebhookPayload(secret, headers, payload);
      record(tally, latencies, index, Number(process.hrtime.bigint() - started), 1);
    } catch (err) {
      fail(tally, err);
    }
  }
  return tally;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(Math.max(Math.ceil((p / 100) * sorted.length), 1), sorted.length);
  return sorted[rank - 1];
}

async function main() {
  const isWebhook = spec.job.kind === "micro" && spec.job.name === "webhook";
  const op = isWebhook ? null : operation(spec.job);
  const phase = (max, seconds, seqBase, latencies) =>
    isWebhook ? webhookPhase(max, seconds, latencies) : asyncPhase(op, max, seconds, seqBase, latencies);

  await phase(spec.warmup_iterations, spec.warmup_seconds, 0, null);

  const latencies = new Uint32Array(spec.max_iterations);
  console.log(READY_LINE);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const tally = await phase(spec.max_iterations, spec.seconds, 2 ** 40, latencies);
  const elapsedS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);

  const sorted = latencies.filter((ns) => ns > 0).sort();
  const ms = (ns) => (ns === null ? null : ns / 1e6);
  const result = {
    client: "node",
    iterations: tally.iterations,
    calls: tally.calls,
    errors: tally.errors,
    first_error: tally.firstError,
    elapsed_s: elapsedS,
    calls_per_s: elapsedS > 0 ? tally.calls / elapsedS : 0,
    p50_ms: ms(percentile(sorted, 50)),
    p99_ms: ms(percentile(sorted, 99)),
    max_ms: tally.iterations > 0 ? tally.maxNs / 1e6 : null,
    cpu_s: (cpu.user + cpu.system) / 1e6,
    peak_rss_kib: process.resourceUsage().maxRSS,
    allocations: null,
  };
  console.log(JSON.stringify(result));
}

main().then(
  // The SDK keeps HTTP/2 sessions open; the process is done.
  () => process.exit(0),
  (err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  },
);

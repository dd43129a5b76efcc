// Exercises @scalekit-sdk/node 2.2.2 against scalekit-emulator and checks the
// results. Run through run.sh, which installs the SDK and starts the emulator.
"use strict";
const assert = require("node:assert/strict");
const { ScalekitClient } = require("@scalekit-sdk/node");

const client = new ScalekitClient(
  process.env.SCALEKIT_ENVIRONMENT_URL,
  process.env.SCALEKIT_CLIENT_ID,
  process.env.SCALEKIT_CLIENT_SECRET,
);

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name}`);
  } catch (err) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${err && err.stack ? err.stack : err}`);
  }
}

async function organizations(ctx) {
  await check("organization.createOrganization", async () => {
    const res = await client.organization.createOrganization("Compat Org", { externalId: "compat-ext-1" });
    assert.match(res.organization.id, /^org_\d{17}$/);
    assert.equal(res.organization.displayName, "Compat Org");
    assert.equal(res.organization.externalId, "compat-ext-1");
    assert.ok(res.organization.createTime);
    ctx.orgId = res.organization.id;
  });
  await check("organization.getOrganization", async () => {
    const res = await client.organization.getOrganization(ctx.orgId);
    assert.equal(res.organization.id, ctx.orgId);
  });
  await check("organization.getOrganizationByExternalId", async () => {
    const res = await client.organization.getOrganizationByExternalId("compat-ext-1");
    assert.equal(res.organization.id, ctx.orgId);
  });
  await check("organization.listOrganization", async () => {
    await client.organization.createOrganization("Second Org");
    const first = await client.organization.listOrganization({ pageSize: 1 });
    assert.equal(first.organizations.length, 1);
    assert.equal(first.totalSize, 2);
    assert.ok(first.nextPageToken);
    const second = await client.organization.listOrganization({ pageSize: 1, pageToken: first.nextPageToken });
    assert.equal(second.organizations.length, 1);
    assert.notEqual(second.organizations[0].id, first.organizations[0].id);
    assert.equal(second.nextPageToken, "");
  });
  await check("organization.updateOrganization", async () => {
    const res = await client.organization.updateOrganization(ctx.orgId, { displayName: "Renamed Org" });
    assert.equal(res.organization.displayName, "Renamed Org");
  });
  await check("organization.updateOrganizationByExternalId", async () => {
    const res = await client.organization.updateOrganizationByExternalId("compat-ext-1", { metadata: { tier: "gold" } });
    assert.equal(res.organization.id, ctx.orgId);
    assert.equal(res.organization.metadata.tier, "gold");
  });
  await check("organization.updateOrganizationSettings", async () => {
    const res = await client.organization.updateOrganizationSettings(ctx.orgId, {
      features: [{ name: "sso", enabled: true }],
    });
    const sso = res.organization.settings.features.find((f) => f.name === "sso");
    assert.equal(sso.enabled, true);
  });
}

async function users(ctx) {
  await check("user.createUserAndMembership", async () => {
    const res = await client.user.createUserAndMembership(ctx.orgId, {
      email: "grace@compat.example",
      userProfile: { firstName: "Grace", lastName: "Hopper" },
      metadata: { team: "navy" },
      sendInvitationEmail: true,
    });
    assert.match(res.user.id, /^usr_\d{17}$/);
    assert.equal(res.user.email, "grace@compat.example");
    assert.equal(res.user.userProfile.givenName, "Grace");
    assert.equal(res.user.memberships[0].organizationId, ctx.orgId);
    assert.deepEqual(res.user.memberships[0].roles.map((r) => r.name), ["member"]);
    ctx.userId = res.user.id;
  });
  await check("user.getUser", async () => {
    const res = await client.user.getUser(ctx.userId);
    assert.equal(res.user.email, "grace@compat.example");
    assert.equal(res.user.metadata.team, "navy");
  });
  await check("user.listUsers", async () => {
    const res = await client.user.listUsers({ pageSize: 10 });
    assert.ok(res.users.some((u) => u.id === ctx.userId));
    assert.equal(res.totalSize, res.users.length);
  });
  await check("user.updateUser", async () => {
    const res = await client.user.updateUser(ctx.userId, { userProfile: { firstName: "Amazing" } });
    assert.equal(res.user.userProfile.givenName, "Amazing");
    assert.equal(res.user.userProfile.familyName, "Hopper");
  });
  await check("user.resendInvite", async () => {
    const res = await client.user.resendInvite(ctx.orgId, ctx.userId);
    assert.equal(res.invite.userId, ctx.userId);
    assert.equal(res.invite.resentCount, 1);
  });
  await check("user.updateMembership", async () => {
    const res = await client.user.updateMembership(ctx.orgId, ctx.userId, { roles: ["admin"] });
    const membership = res.user.memberships.find((m) => m.organizationId === ctx.orgId);
    assert.deepEqual(membership.roles.map((r) => r.name), ["admin"]);
  });
  await check("user.listOrganizationUsers", async () => {
    const res = await client.user.listOrganizationUsers(ctx.orgId, { pageSize: 10 });
    assert.deepEqual(res.users.map((u) => u.id), [ctx.userId]);
    assert.equal(res.totalSize, 1);
  });
  await check("user.createMembership", async () => {
    const other = await client.organization.createOrganization("Other Org");
    ctx.otherOrgId = other.organization.id;
    const res = await client.user.createMembership(ctx.otherOrgId, ctx.userId, {
      roles: ["admin"],
      metadata: { source: "compat" },
      sendInvitationEmail: false,
    });
    const membership = res.user.memberships.find((m) => m.organizationId === ctx.otherOrgId);
    assert.deepEqual(membership.roles.map((r) => r.name), ["admin"]);
    assert.equal(membership.metadata.source, "compat");
  });
  await check("user.deleteMembership", async () => {
    await client.user.deleteMembership(ctx.otherOrgId, ctx.userId);
    const res = await client.user.getUser(ctx.userId);
    assert.ok(!res.user.memberships.some((m) => m.organizationId === ctx.otherOrgId));
  });
  await check("errors: duplicate membership is a conflict", async () => {
    await assert.rejects(
      client.user.createUserAndMembership(ctx.orgId, { email: "grace@compat.example" }),
      (err) => err.name === "ScalekitConflictException" && err.httpStatus === 409,
    );
  });
  await check("user.deleteUser", async () => {
    await client.user.deleteUser(ctx.userId);
    await assert.rejects(
      client.user.getUser(ctx.userId),
      (err) => err.name === "ScalekitNotFoundException" && err.httpStatus === 404,
    );
  });
  await check("organization.deleteOrganization", async () => {
    await client.organization.deleteOrganization(ctx.orgId);
    await assert.rejects(client.organization.getOrganization(ctx.orgId), (err) => err.httpStatus === 404);
  });
}

(async () => {
  const ctx = {};
  await organizations(ctx);
  await users(ctx);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`compat: ${results.length - failed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
})();

// Checks of the non-agent methods @scalekit-sdk/node 2.11.0 added since
// 2.2.2, all listed in CHECKS below, in the order they run. On 2.2.2 every
// one is reported as "not in this version". The agent surface (actions,
// connected accounts, tools) is out of scope.
//
// A check whose RPC the emulator answers UNIMPLEMENTED fails, unless its name
// is listed in tests/compat/pending-2.11.0.txt (see support.js).
"use strict";
const assert = require("node:assert/strict");
const { sdk, client, check, hasMethod, notFound } = require("./support");

// Ids that parse but name nothing.
const MISSING_ORG = "org_10000000000009999";
const MISSING_USER = "usr_10000000000009999";

const emails = (users) => users.map((u) => u.email).sort();
const names = (items) => items.map((r) => r.name);
const seconds = (timestamp) => Number(timestamp.seconds);

// Objects the checks share. Made with 2.2.2 methods only, so that a missing
// RPC fails its own check and no other.
async function setup(n) {
  const org = await client.organization.createOrganization("Newapi Org", { externalId: "newapi-ext" });
  n.orgId = org.organization.id;
  n.otherOrgId = (await client.organization.createOrganization("Newapi Elsewhere")).organization.id;
  const nia = await client.user.createUserAndMembership(n.orgId, {
    email: "nia@newapi.example",
    externalId: "nia-ext",
    userProfile: { firstName: "Nia", lastName: "Okafor" },
    sendInvitationEmail: false,
  });
  n.niaId = nia.user.id;
  const oto = await client.user.createUserAndMembership(n.orgId, {
    email: "oto@newapi.example",
    externalId: "oto-ext",
    sendInvitationEmail: false,
  });
  n.otoId = oto.user.id;
  const outsider = await client.user.createUserAndMembership(n.otherOrgId, {
    email: "nia@outside.example",
    sendInvitationEmail: false,
  });
  n.outsiderId = outsider.user.id;
  await client.permission.createPermission({ name: "newapi:read", description: "Read" });
  await client.permission.createPermission({ name: "newapi:write", description: "Write" });
  await client.role.createRole({ name: "newapi_reader", displayName: "Reader", permissions: ["newapi:read"] });
  await client.role.createRole({
    name: "newapi_writer",
    displayName: "Writer",
    extends: "newapi_reader",
    permissions: ["newapi:write"],
  });
}

// Objects made by one check and used by the next ones. Each is created on
// first use and its promise kept, so a later check sees the same object, or
// the same error (UNIMPLEMENTED while the emulator lacks the RPC) when there
// is none.
const once = (key, make) => (n) => (n[key] ??= make(n));
const billingClient = once("billingClient", (n) =>
  client.m2m.createOrganizationClient(n.orgId, {
    name: "Billing job",
    description: "Nightly export",
    scopes: ["invoices:read"],
    audience: ["https://api.newapi.example"],
    customClaims: { team: "billing" },
  }),
);
const ciToken = once("ciToken", (n) =>
  client.token.createToken(n.orgId, { userId: n.niaId, customClaims: { plan: "pro" }, description: "CI token" }),
);
const ssoConnection = once("ssoConnection", (n) =>
  client.connection.createConnection(n.orgId, { provider: 1 /* OKTA */, type: 2 /* SAML */ }),
);
const scimDirectory = once("scimDirectory", (n) =>
  client.directory.createDirectory(n.orgId, { directoryType: 1 /* SCIM */, directoryProvider: 1 /* OKTA */ }),
);

// [name, check]: the name is the SDK method (`sub.method`), so a version
// without it skips the check, and the pending list names it the same way.
const CHECKS = [
  // users
  ["user.searchUsers", async () => {
    const res = await client.user.searchUsers("nia@");
    assert.deepEqual(emails(res.users), ["nia@newapi.example", "nia@outside.example"]);
    assert.equal(res.totalSize, 2);
    const first = await client.user.searchUsers("newapi.example", 1);
    assert.equal(first.users.length, 1);
    assert.ok(first.nextPageToken, "a second page is announced");
    const second = await client.user.searchUsers("newapi.example", 1, first.nextPageToken);
    assert.deepEqual(emails([...first.users, ...second.users]), ["nia@newapi.example", "oto@newapi.example"]);
    assert.equal((await client.user.searchUsers("nobody-matches-this")).users.length, 0);
    await assert.rejects(client.user.searchUsers("  "), /query is required/);
  }],
  ["user.searchOrganizationUsers", async (n) => {
    const res = await client.user.searchOrganizationUsers(n.orgId, "nia@");
    assert.deepEqual(res.users.map((u) => u.id), [n.niaId], "a user of another organization is left out");
    assert.equal(res.totalSize, 1);
    const all = await client.user.searchOrganizationUsers(n.orgId, "newapi.example", 10);
    assert.deepEqual(emails(all.users), ["nia@newapi.example", "oto@newapi.example"]);
    await assert.rejects(client.user.searchOrganizationUsers(MISSING_ORG, "nia@"), notFound);
    await assert.rejects(client.user.searchOrganizationUsers("", "nia@"), /organizationId is required/);
    await assert.rejects(client.user.searchOrganizationUsers(n.orgId, ""), /query is required/);
  }],
  ["user.getUserByExternalId", async (n) => {
    const res = await client.user.getUserByExternalId("nia-ext");
    assert.equal(res.user.id, n.niaId);
    assert.equal(res.user.email, "nia@newapi.example");
    assert.equal(res.user.externalId, "nia-ext");
    await assert.rejects(client.user.getUserByExternalId("no-such-ext"), notFound);
  }],
  ["user.updateUserByExternalId", async (n) => {
    const res = await client.user.updateUserByExternalId("nia-ext", {
      userProfile: { firstName: "Niamh" },
      metadata: { desk: "7" },
    });
    assert.equal(res.user.id, n.niaId);
    assert.equal(res.user.userProfile.givenName, "Niamh");
    assert.equal(res.user.userProfile.familyName, "Okafor", "fields not sent are kept");
    assert.equal((await client.user.getUser(n.niaId)).user.metadata.desk, "7");
    await assert.rejects(client.user.updateUserByExternalId("no-such-ext", { metadata: { a: "b" } }), notFound);
  }],
  ["user.listUserRoles", async (n) => {
    const res = await client.user.listUserRoles(n.orgId, n.niaId);
    assert.deepEqual(names(res.roles), ["member"], "the default member role");
    await assert.rejects(client.user.listUserRoles(n.otherOrgId, n.niaId), notFound, "no membership there");
    await assert.rejects(client.user.listUserRoles(n.orgId, MISSING_USER), notFound);
    await assert.rejects(client.user.listUserRoles(" ", n.niaId), /organizationId is required/);
    await assert.rejects(client.user.listUserRoles(n.orgId, ""), /userId is required/);
  }],
  ["user.assignUserRoles", async (n) => {
    const res = await client.user.assignUserRoles(n.orgId, n.niaId, ["newapi_writer"]);
    assert.deepEqual(names(res.roles).sort(), ["member", "newapi_writer"], "added to the roles already held");
    const again = await client.user.assignUserRoles(n.orgId, n.niaId, ["newapi_writer"]);
    assert.deepEqual(names(again.roles).sort(), ["member", "newapi_writer"], "assigning twice adds nothing");
    assert.deepEqual(names((await client.user.listUserRoles(n.orgId, n.niaId)).roles).sort(), ["member", "newapi_writer"]);
    await assert.rejects(client.user.assignUserRoles(n.orgId, n.niaId, ["no-such-role"]), (err) => err.httpStatus >= 400);
  }],
  ["user.listUserPermissions", async (n) => {
    const res = await client.user.listUserPermissions(n.orgId, n.niaId);
    const held = names(res.permissions);
    assert.ok(held.includes("newapi:write"), `the writer role's own permission, in ${held}`);
    assert.ok(held.includes("newapi:read"), `the permission the writer role inherits, in ${held}`);
    assert.equal(new Set(held).size, held.length, "each permission once");
    const oto = names((await client.user.listUserPermissions(n.orgId, n.otoId)).permissions);
    assert.ok(!oto.includes("newapi:write"), `a member without the role lacks its permission: ${oto}`);
    await assert.rejects(client.user.listUserPermissions(n.otherOrgId, n.niaId), notFound);
  }],
  ["user.removeUserRole", async (n) => {
    await client.user.removeUserRole(n.orgId, n.niaId, "newapi_writer");
    assert.deepEqual(names((await client.user.listUserRoles(n.orgId, n.niaId)).roles), ["member"]);
    await assert.rejects(client.user.removeUserRole(n.orgId, n.niaId, "newapi_writer"), notFound, "not held any more");
  }],
  ["user.createMembershipByExternalId", async (n) => {
    const res = await client.user.createMembershipByExternalId(n.otherOrgId, "oto-ext", {
      roles: ["admin"],
      metadata: { via: "external-id" },
      sendInvitationEmail: false,
    });
    assert.equal(res.user.id, n.otoId);
    const membership = res.user.memberships.find((m) => m.organizationId === n.otherOrgId);
    assert.deepEqual(names(membership.roles), ["admin"]);
    assert.equal(membership.metadata.via, "external-id");
    await assert.rejects(
      client.user.createMembershipByExternalId(n.otherOrgId, "oto-ext"),
      (err) => err.name === "ScalekitConflictException" && err.httpStatus === 409,
    );
    await assert.rejects(client.user.createMembershipByExternalId(n.otherOrgId, "no-such-ext"), notFound);
  }],
  ["user.updateMembershipByExternalId", async (n) => {
    const res = await client.user.updateMembershipByExternalId(n.otherOrgId, "oto-ext", { roles: ["member"] });
    const membership = res.user.memberships.find((m) => m.organizationId === n.otherOrgId);
    assert.deepEqual(names(membership.roles), ["member"]);
    await assert.rejects(client.user.updateMembershipByExternalId(MISSING_ORG, "oto-ext", { roles: ["member"] }), notFound);
  }],
  ["user.deleteMembershipByExternalId", async (n) => {
    await client.user.deleteMembershipByExternalId(n.otherOrgId, "oto-ext");
    const user = await client.user.getUser(n.otoId);
    assert.deepEqual(user.user.memberships.map((m) => m.organizationId), [n.orgId]);
    await assert.rejects(client.user.deleteMembershipByExternalId(n.otherOrgId, "oto-ext"), notFound);
  }],
  ["user.deleteUserByExternalId", async (n) => {
    await client.user.deleteUserByExternalId("oto-ext");
    await assert.rejects(client.user.getUser(n.otoId), notFound);
    await assert.rejects(client.user.deleteUserByExternalId("oto-ext"), notFound);
  }],

  // organizations
  ["organization.searchOrganization", async (n) => {
    const res = await client.organization.searchOrganization("newapi");
    assert.deepEqual(res.organizations.map((o) => o.displayName).sort(), ["Newapi Elsewhere", "Newapi Org"]);
    assert.equal(res.totalSize, 2);
    const byExternalId = await client.organization.searchOrganization("newapi-ext");
    assert.deepEqual(byExternalId.organizations.map((o) => o.id), [n.orgId]);
    const first = await client.organization.searchOrganization("newapi", 1);
    assert.equal(first.organizations.length, 1);
    const second = await client.organization.searchOrganization("newapi", 1, first.nextPageToken);
    assert.notEqual(second.organizations[0].id, first.organizations[0].id);
    await assert.rejects(client.organization.searchOrganization(""), /query is required/);
  }],
  ["organization.getOrganizationUserManagementSetting", async (n) => {
    const unset = await client.organization.getOrganizationUserManagementSetting(n.orgId);
    assert.equal(unset.settings.maxAllowedUsers, undefined, "no limit until one is set");
    await client.organization.upsertUserManagementSettings(n.orgId, { maxAllowedUsers: 25 });
    const set = await client.organization.getOrganizationUserManagementSetting(n.orgId);
    assert.equal(set.settings.maxAllowedUsers, 25);
    await assert.rejects(client.organization.getOrganizationUserManagementSetting(MISSING_ORG), notFound);
  }],
  ["organization.updateOrganizationSessionPolicy", async (n) => {
    const custom = await client.organization.updateOrganizationSessionPolicy(n.orgId, {
      policySource: "CUSTOM",
      absoluteSessionTimeout: 12,
      absoluteSessionTimeoutUnit: "HOURS",
      idleSessionTimeoutEnabled: true,
      idleSessionTimeout: 30,
      idleSessionTimeoutUnit: "MINUTES",
    });
    assert.equal(custom.policySource, 2 /* CUSTOM */);
    // The service answers in minutes, whatever unit a timeout was set in.
    assert.equal(custom.absoluteSessionTimeout, 12 * 60);
    assert.equal(custom.absoluteSessionTimeoutUnit, 1 /* MINUTES */);
    assert.equal(custom.idleSessionTimeoutEnabled, true);
    assert.equal(custom.idleSessionTimeout, 30);
    assert.equal(custom.idleSessionTimeoutUnit, 1 /* MINUTES */);
    await assert.rejects(
      client.organization.updateOrganizationSessionPolicy(MISSING_ORG, { policySource: "APPLICATION" }),
      notFound,
    );
  }],
  ["organization.getOrganizationSessionPolicy", async (n) => {
    await client.organization.updateOrganizationSessionPolicy(n.otherOrgId, {
      policySource: "CUSTOM",
      absoluteSessionTimeout: 7,
      absoluteSessionTimeoutUnit: "DAYS",
    });
    const custom = await client.organization.getOrganizationSessionPolicy(n.otherOrgId);
    assert.equal(custom.policySource, 2 /* CUSTOM */, "what updateOrganizationSessionPolicy stored");
    assert.equal(custom.absoluteSessionTimeout, 7 * 24 * 60, "in minutes");
    assert.equal(custom.absoluteSessionTimeoutUnit, 1 /* MINUTES */);
    await client.organization.updateOrganizationSessionPolicy(n.otherOrgId, { policySource: "APPLICATION" });
    assert.equal((await client.organization.getOrganizationSessionPolicy(n.otherOrgId)).policySource, 1 /* APPLICATION */);
    await assert.rejects(client.organization.getOrganizationSessionPolicy(MISSING_ORG), notFound);
  }],

  // roles
  ["role.listDependentRoles", async () => {
    const res = await client.role.listDependentRoles("newapi_reader");
    assert.deepEqual(names(res.roles), ["newapi_writer"]);
    assert.deepEqual(names((await client.role.listDependentRoles("newapi_writer")).roles), []);
    await assert.rejects(client.role.listDependentRoles("no-such-role"), notFound);
    await assert.rejects(client.role.listDependentRoles(""), /roleName is required/);
  }],
  ["role.deleteRoleBase", async () => {
    await client.role.deleteRoleBase("newapi_writer");
    const writer = await client.role.getRole("newapi_writer");
    assert.equal(writer.role.extends, undefined, "no base role any more");
    assert.deepEqual(names((await client.role.listDependentRoles("newapi_reader")).roles), []);
    await assert.rejects(client.role.deleteRoleBase("no-such-role"), notFound);
  }],
  ["role.updateDefaultRoles", async (n) => {
    const res = await client.role.updateDefaultRoles({ defaultMemberRole: "newapi_reader" });
    assert.equal(res.defaultMember.name, "newapi_reader");
    const user = await client.user.createUserAndMembership(n.otherOrgId, {
      email: "dee@newapi.example",
      sendInvitationEmail: false,
    });
    assert.deepEqual(names(user.user.memberships[0].roles), ["newapi_reader"], "new members get the new default");
    const restored = await client.role.updateDefaultRoles({ defaultMemberRole: "member" });
    assert.equal(restored.defaultMember.name, "member");
    await assert.rejects(client.role.updateDefaultRoles({ defaultMemberRole: "no-such-role" }), (err) => err.httpStatus >= 400);
    await assert.rejects(client.role.updateDefaultRoles({ defaultCreatorRole: "" }), /defaultCreatorRole cannot be empty/);
  }],

  // connections and directories
  ["connection.createConnection", async (n) => {
    const res = await ssoConnection(n);
    assert.match(res.connection.id, /^conn_\d{17}$/);
    assert.equal(res.connection.organizationId, n.orgId);
    assert.equal(res.connection.enabled, false);
    const listed = await client.connection.listConnections(n.orgId);
    assert.deepEqual(listed.connections.map((c) => c.id), [res.connection.id]);
    await assert.rejects(client.connection.createConnection(MISSING_ORG, { provider: 1, type: 2 }), notFound);
  }],
  ["connection.listAppConnections", async (n) => {
    // App connections belong to the environment, not to an organization:
    // an organization's SSO connection is not one of them.
    const sso = (await ssoConnection(n)).connection.id;
    const res = await client.connection.listAppConnections({ pageSize: 10 });
    assert.ok(Array.isArray(res.connections));
    assert.ok(!res.connections.some((c) => c.id === sso), "an organization's SSO connection is not an app connection");
    assert.equal(res.totalSize, res.connections.length);
  }],
  ["connection.deleteConnection", async (n) => {
    const id = (await ssoConnection(n)).connection.id;
    await client.connection.deleteConnection(n.orgId, id);
    await assert.rejects(client.connection.getConnection(n.orgId, id), notFound);
    await assert.rejects(client.connection.deleteConnection(n.orgId, id), notFound);
  }],
  ["directory.createDirectory", async (n) => {
    const res = await scimDirectory(n);
    assert.match(res.directory.id, /^dir_\d{17}$/);
    assert.equal(res.directory.organizationId, n.orgId);
    const listed = await client.directory.listDirectories(n.orgId);
    assert.deepEqual(listed.directories.map((d) => d.id), [res.directory.id]);
    await assert.rejects(client.directory.createDirectory(MISSING_ORG, { directoryType: 1, directoryProvider: 1 }), notFound);
  }],
  ["directory.deleteDirectory", async (n) => {
    const id = (await scimDirectory(n)).directory.id;
    await client.directory.deleteDirectory(n.orgId, id);
    await assert.rejects(client.directory.getDirectory(n.orgId, id), notFound);
    assert.deepEqual((await client.directory.listDirectories(n.orgId)).directories, []);
  }],

  // events
  ["events.listEventsPaginated", async (n) => {
    // setup() made two users in this organization: newest first.
    const filter = { organizationId: n.orgId, eventTypes: ["user.created"] };
    const res = await client.events.listEventsPaginated(10, "", filter);
    assert.equal(res.events.length, 2, `two user.created events, got ${res.events.map((e) => e.type)}`);
    assert.ok(res.events.every((e) => e.type === "user.created" && e.organizationId === n.orgId));
    assert.equal(res.events[0].object, sdk.ObjectType.User);
    assert.ok(seconds(res.events[0].occurredAt) >= seconds(res.events[1].occurredAt), "most recent first");
    assert.ok(res.events[0].id && res.events[0].id !== res.events[1].id);
    const first = await client.events.listEventsPaginated(1, undefined, filter);
    assert.equal(first.events.length, 1);
    assert.ok(first.nextPageToken);
    const second = await client.events.listEventsPaginated(1, first.nextPageToken, filter);
    assert.deepEqual([first.events[0].id, second.events[0].id], res.events.map((e) => e.id));
    const none = await client.events.listEventsPaginated(10, "", { organizationId: n.otherOrgId, eventTypes: ["no.such.type"] });
    assert.deepEqual(none.events, []);
  }],

  // machine-to-machine clients of an organization
  ["m2m.createOrganizationClient", async (n) => {
    const res = await billingClient(n);
    assert.ok(res.client.clientId, "a client id");
    assert.equal(res.client.organizationId, n.orgId);
    assert.equal(res.client.name, "Billing job");
    assert.deepEqual(res.client.scopes, ["invoices:read"]);
    assert.deepEqual(res.client.audience, ["https://api.newapi.example"]);
    assert.deepEqual(res.client.customClaims.map((c) => [c.key, c.value]), [["team", "billing"]]);
    assert.ok(res.plainSecret, "the secret is shown once, at creation");
    assert.equal(res.client.secrets.length, 1);
    assert.ok(res.plainSecret.endsWith(res.client.secrets[0].secretSuffix));
    await assert.rejects(client.m2m.createOrganizationClient(MISSING_ORG, { name: "x" }), notFound);
    await assert.rejects(client.m2m.createOrganizationClient(""), /organizationId is required/);
  }],
  ["m2m.getOrganizationClient", async (n) => {
    const { clientId } = (await billingClient(n)).client;
    const res = await client.m2m.getOrganizationClient(n.orgId, clientId);
    assert.equal(res.client.clientId, clientId);
    assert.equal(res.client.organizationId, n.orgId);
    assert.equal(res.client.description, "Nightly export");
    assert.ok(res.client.secrets.every((s) => s.plainSecret === undefined), "the secret is not shown again");
    await assert.rejects(client.m2m.getOrganizationClient(n.otherOrgId, clientId), notFound, "another organization's client");
    await assert.rejects(client.m2m.getOrganizationClient(n.orgId, ""), /clientId is required/);
  }],
  ["m2m.updateOrganizationClient", async (n) => {
    const { clientId } = (await billingClient(n)).client;
    const res = await client.m2m.updateOrganizationClient(n.orgId, clientId, { name: "Billing export", scopes: ["invoices:write"] });
    assert.equal(res.client.clientId, clientId);
    assert.equal(res.client.name, "Billing export");
    assert.deepEqual(res.client.scopes, ["invoices:write"]);
    assert.equal(res.client.description, "Nightly export", "fields not sent are kept");
    assert.equal((await client.m2m.getOrganizationClient(n.orgId, clientId)).client.name, "Billing export");
  }],
  ["m2m.listOrganizationClients", async (n) => {
    const first = await client.m2m.createOrganizationClient(n.otherOrgId, { name: "Export A" });
    const second = await client.m2m.createOrganizationClient(n.otherOrgId, { name: "Export B" });
    const ids = [first.client.clientId, second.client.clientId].sort();
    const res = await client.m2m.listOrganizationClients(n.otherOrgId, { pageSize: 10 });
    assert.deepEqual(res.clients.map((c) => c.clientId).sort(), ids);
    assert.equal(res.totalSize, 2);
    const page = await client.m2m.listOrganizationClients(n.otherOrgId, { pageSize: 1 });
    assert.equal(page.clients.length, 1);
    const rest = await client.m2m.listOrganizationClients(n.otherOrgId, { pageSize: 1, pageToken: page.nextPageToken });
    assert.deepEqual([...page.clients, ...rest.clients].map((c) => c.clientId).sort(), ids);
    await assert.rejects(client.m2m.listOrganizationClients(""), /organizationId is required/);
  }],
  ["m2m.addOrganizationClientSecret", async (n) => {
    const created = await billingClient(n);
    const { clientId } = created.client;
    const res = await client.m2m.addOrganizationClientSecret(n.orgId, clientId);
    assert.ok(res.plainSecret);
    assert.ok(res.secret.id && res.secret.id !== created.client.secrets[0].id);
    assert.ok(res.plainSecret.endsWith(res.secret.secretSuffix));
    const secrets = (await client.m2m.getOrganizationClient(n.orgId, clientId)).client.secrets.map((s) => s.id);
    assert.ok(secrets.includes(res.secret.id) && secrets.includes(created.client.secrets[0].id), `both secrets in ${secrets}`);
  }],
  ["m2m.removeOrganizationClientSecret", async (n) => {
    const { clientId } = (await billingClient(n)).client;
    const added = await client.m2m.addOrganizationClientSecret(n.orgId, clientId);
    await client.m2m.removeOrganizationClientSecret(n.orgId, clientId, added.secret.id);
    const secrets = (await client.m2m.getOrganizationClient(n.orgId, clientId)).client.secrets.map((s) => s.id);
    assert.ok(!secrets.includes(added.secret.id), `${added.secret.id} gone from ${secrets}`);
    await assert.rejects(client.m2m.removeOrganizationClientSecret(n.orgId, clientId, added.secret.id), notFound);
    await assert.rejects(client.m2m.removeOrganizationClientSecret(n.orgId, clientId, ""), /secretId is required/);
  }],
  ["m2m.deleteOrganizationClient", async (n) => {
    const doomed = (await client.m2m.createOrganizationClient(n.orgId, { name: "Doomed job" })).client.clientId;
    await client.m2m.deleteOrganizationClient(n.orgId, doomed);
    await assert.rejects(client.m2m.getOrganizationClient(n.orgId, doomed), notFound);
    await assert.rejects(client.m2m.deleteOrganizationClient(n.orgId, doomed), notFound);
  }],

  // API tokens of an organization
  ["token.createToken", async (n) => {
    const res = await ciToken(n);
    assert.ok(res.token, "the token is shown once, at creation");
    assert.ok(res.tokenId);
    assert.equal(res.tokenInfo.tokenId, res.tokenId);
    assert.equal(res.tokenInfo.organizationId, n.orgId);
    assert.equal(res.tokenInfo.organizationExternalId, "newapi-ext");
    assert.equal(res.tokenInfo.userId, n.niaId);
    assert.equal(res.tokenInfo.userExternalId, "nia-ext");
    assert.deepEqual(res.tokenInfo.customClaims, { plan: "pro" });
    assert.equal(res.tokenInfo.description, "CI token");
    assert.ok(res.token.endsWith(res.tokenInfo.tokenSuffix));
    await assert.rejects(client.token.createToken(MISSING_ORG), notFound);
    await assert.rejects(client.token.createToken(""), /organizationId is required/);
  }],
  ["token.validateToken", async (n) => {
    const created = await ciToken(n);
    const res = await client.token.validateToken(created.token);
    assert.equal(res.tokenInfo.tokenId, created.tokenId);
    assert.equal(res.tokenInfo.organizationId, n.orgId);
    assert.equal(res.tokenInfo.userId, n.niaId);
    await assert.rejects(
      client.token.validateToken("not-a-token"),
      (err) => err instanceof sdk.ScalekitValidateTokenFailureException,
    );
    await assert.rejects(client.token.validateToken(""), /token is required/);
  }],
  ["token.updateToken", async (n) => {
    const { token } = await client.token.createToken(n.orgId, { description: "to rename", customClaims: { plan: "pro" } });
    const res = await client.token.updateToken(token, { description: "renamed", customClaims: { plan: "team" } });
    assert.equal(res.tokenInfo.description, "renamed");
    assert.deepEqual(res.tokenInfo.customClaims, { plan: "team" });
    assert.equal((await client.token.validateToken(token)).tokenInfo.description, "renamed");
  }],
  ["token.listTokens", async (n) => {
    const mine = await client.token.createToken(n.otherOrgId, { userId: n.outsiderId, description: "personal" });
    const shared = await client.token.createToken(n.otherOrgId, { description: "org-wide" });
    const res = await client.token.listTokens(n.otherOrgId, { pageSize: 10 });
    assert.deepEqual(res.tokens.map((t) => t.tokenId).sort(), [mine.tokenId, shared.tokenId].sort());
    assert.equal(res.totalCount, 2);
    const byUser = await client.token.listTokens(n.otherOrgId, { userId: n.outsiderId });
    assert.deepEqual(byUser.tokens.map((t) => t.tokenId), [mine.tokenId]);
    await assert.rejects(client.token.listTokens(""), /organizationId is required/);
  }],
  ["token.invalidateToken", async (n) => {
    const doomed = await client.token.createToken(n.orgId, { description: "doomed" });
    await client.token.invalidateToken(doomed.token);
    await assert.rejects(
      client.token.validateToken(doomed.token),
      (err) => err instanceof sdk.ScalekitValidateTokenFailureException,
    );
    const left = await client.token.listTokens(n.orgId);
    assert.ok(!left.tokens.some((t) => t.tokenId === doomed.tokenId));
  }],

  // client-credentials tokens for the SDK's own client and for others
  ["scalekit.getClientAccessToken", async () => {
    const token = await client.getClientAccessToken();
    assert.equal(token.split(".").length, 3, "a JWT");
    assert.equal(await client.validateAccessToken(token), true);
  }],
  ["scalekit.generateClientToken", async () => {
    const token = await client.generateClientToken(process.env.SCALEKIT_CLIENT_ID, process.env.SCALEKIT_CLIENT_SECRET);
    assert.equal(await client.validateAccessToken(token), true);
    await assert.rejects(
      client.generateClientToken(process.env.SCALEKIT_CLIENT_ID, "wrong-secret"),
      (err) => err.httpStatus === 401 || err.httpStatus === 400,
    );
  }],
];

async function run() {
  const n = {};
  if (CHECKS.some(([name]) => hasMethod(name))) await check("setup of the 2.11.0 checks", () => setup(n));
  for (const [name, fn] of CHECKS) await check(name, () => fn(n));
}

module.exports = { run, CHECKS };

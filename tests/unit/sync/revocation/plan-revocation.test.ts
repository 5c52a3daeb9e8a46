import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../../src/adapters/file/strict-in-memory-identity-center.js";
import { applyPlan } from "../../../../src/sync/apply.js";
import type { DesiredState, IdentityCenterState, Plan, RevokeSessions } from "../../../../src/sync/model.js";
import { computePlan } from "../../../../src/sync/plan.js";
import { renderPlanText } from "../../../../src/sync/render.js";
import { readDenyText, storedSize, withDenies } from "../../../../src/sync/revocation/deny-statements.js";
import {
  planRevocation,
  type RevocationMode,
  separateDenies,
} from "../../../../src/sync/revocation/plan-revocation.js";
import { summarizePlan } from "../../../../src/sync/summary.js";
import {
  aDesiredAssignment,
  aDesiredGroup,
  aDesiredPermissionSet,
  aDesiredState,
  aDesiredUser,
  aMember,
  anAssignment,
  anIcGroup,
  anIcPermissionSet,
  anIcUser,
  anIdentityCenterState,
  aScope,
  icUserFrom,
} from "../../../builders/model.js";
import { InMemoryScps, testManagementAccountId } from "../../../builders/revocation.js";

// Mei left (suspended in Google); Ken stays. Mei reached three accounts: two through developers
// (Developer, PT8H) and one through admins (Admin, PT12H).
const meiId = "906712ab34-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";
const kenId = "906712ab34-2b2c3d4e-5f60-7182-93a4-b5c6d7e8f902";
const ken = aDesiredUser({ userName: "ken.sato@example.com" });
const adminPolicy =
  '{"Statement":[{"Action":"s3:*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}';
const scope = aScope({ groupNames: ["admins", "developers"], permissionSetNames: ["Admin", "Developer"] });
const at = (iso: string) => new Date(iso);

function desiredWith(overrides: Partial<DesiredState> = {}): DesiredState {
  return aDesiredState({
    users: [ken],
    groups: [
      aDesiredGroup({ displayName: "developers", members: [aMember(ken.userName)] }),
      aDesiredGroup({ displayName: "admins", members: [aMember(ken.userName)] }),
    ],
    permissionSets: [
      aDesiredPermissionSet({ name: "Developer", sessionDuration: "PT8H" }),
      aDesiredPermissionSet({ name: "Admin", sessionDuration: "PT12H", inlinePolicy: adminPolicy }),
    ],
    assignments: [
      aDesiredAssignment({ accountId: "111111111111" }),
      aDesiredAssignment({ accountId: "222222222222" }),
      aDesiredAssignment({ principalName: "admins", permissionSetName: "Admin", accountId: "333333333333" }),
    ],
    absentReasons: { "mei.tanaka@example.com": "suspended in Google" },
    ...overrides,
  });
}

function identityCenterWithMei(extra: Partial<IdentityCenterState> = {}): IdentityCenterState {
  return anIdentityCenterState({
    users: [icUserFrom(ken, kenId), anIcUser({ userName: "mei.tanaka@example.com", id: meiId })],
    groups: [
      anIcGroup({ displayName: "developers", members: [ken.userName, "mei.tanaka@example.com"] }),
      anIcGroup({ displayName: "admins", members: [ken.userName, "mei.tanaka@example.com"] }),
    ],
    permissionSets: [
      anIcPermissionSet({
        name: "Developer",
        sessionDuration: "PT8H",
        provisionedAccountIds: ["111111111111", "222222222222"],
      }),
      anIcPermissionSet({
        name: "Admin",
        sessionDuration: "PT12H",
        inlinePolicy: adminPolicy,
        provisionedAccountIds: ["333333333333"],
      }),
    ],
    assignments: [
      anAssignment({ accountId: "111111111111" }),
      anAssignment({ accountId: "222222222222" }),
      anAssignment({ principalName: "admins", permissionSetName: "Admin", accountId: "333333333333" }),
    ],
    ...extra,
  });
}

/** Identity Center and Organizations held in memory, and a run of the planner against them. */
class World {
  readonly identityCenter: StrictInMemoryIdentityCenter;
  readonly scps: InMemoryScps;
  names: Record<string, string> | undefined;

  constructor(
    public desired: DesiredState,
    state: IdentityCenterState,
    readonly mode: RevocationMode = "scp",
    scps: InMemoryScps = new InMemoryScps(),
  ) {
    this.identityCenter = new StrictInMemoryIdentityCenter(state);
    this.scps = scps;
  }

  async plan(
    now: Date,
    options: { complete?: boolean; forgetNames?: boolean; inlinePolicyLimit?: number } = {},
  ) {
    const held = await this.identityCenter.readState(scope);
    const { actual, found } = separateDenies(held, this.desired);
    const base = computePlan(this.desired, actual, scope);
    const scp = this.mode === "scp" ? await this.scps.read() : undefined;
    return planRevocation({
      settings: { mode: this.mode, marginMinutes: 60 },
      now,
      plan: base,
      desired: this.desired,
      actual,
      found,
      ...(scp ? { scp } : {}),
      inlinePolicyLimit: options.inlinePolicyLimit ?? 10_240,
      directoryComplete: options.complete ?? true,
      withCauses: false,
      ...(this.names && !options.forgetNames ? { names: this.names } : {}),
    });
  }

  /** Plans and applies, as a run does; returns the plan. */
  async run(now: Date, options: { forgetNames?: boolean } = {}): Promise<Plan> {
    const { plan, names } = await this.plan(now, options);
    const report = await applyPlan(plan, this.identityCenter, { revocationPolicies: this.scps });
    expect(report.failed, JSON.stringify(report.outcomes.filter((o) => o.status !== "applied"))).toBe(0);
    this.names = names;
    return plan;
  }

  async inlinePolicyOf(name: string): Promise<string | undefined> {
    return (await this.identityCenter.readState(scope)).permissionSets.find((set) => set.name === name)
      ?.inlinePolicy;
  }
}

const headlines = (plan: Plan) =>
  renderPlanText(plan)
    .split("\n")
    .filter((line) => /^ {2}[+~\-↻]/.test(line))
    .map((line) => line.replace(/ {2}#.*$/, "").trim());

describe("revoking a leaver's sessions", () => {
  it("denies a leaver with assignments in three accounts in the same run, until their longest session plus the margin has passed", async () => {
    const world = new World(desiredWith(), identityCenterWithMei());

    const plan = await world.run(at("2026-12-02T15:10:00Z"));

    expect(headlines(plan)).toEqual(
      expect.arrayContaining([
        "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z (longest session PT12H, 3 accounts)",
        "+ SCP idc-sync-revoke-sessions-1 (1 user, 229 of 5,120 characters, attached to root r-ab12)",
        "- mei.tanaka@example.com",
      ]),
    );
    const revoke = plan.changes.find((change) => change.kind === "revokeSessions") as RevokeSessions;
    expect(revoke).toMatchObject({
      userId: meiId,
      accountIds: ["111111111111", "222222222222", "333333333333"],
      heldBy: ["revocationPolicy:idc-sync-revoke-sessions-1"],
      places: ["SCP idc-sync-revoke-sessions-1"],
      reason: "suspended in Google",
    });
    expect(world.scps.denied()).toEqual(new Map([[meiId, "IdcSyncRevokeUntil202612030410"]]));
    expect(world.scps.attached).toHaveLength(2);
    // The deny is written before the access goes, and the leaver's line says when it ends.
    const order = plan.changes.map((change) => change.kind);
    expect(order.indexOf("createRevocationPolicy")).toBeLessThan(order.indexOf("deleteUser"));
    expect(plan.changes.find((change) => change.kind === "deleteUser")?.reason).toBe(
      "suspended in Google; sessions denied until 2026-12-03T04:10Z",
    );
    expect(summarizePlan(plan)).toMatchObject({ add: 2 });
  });

  it("keeps the deny while it lasts, then removes it when it has expired, and plans nothing after that", async () => {
    const world = new World(desiredWith(), identityCenterWithMei());
    await world.run(at("2026-12-02T15:10:00Z"));

    const meanwhile = await world.run(at("2026-12-03T04:09:59Z"));
    const expired = await world.run(at("2026-12-03T04:10:00Z"));
    const after = await world.run(at("2026-12-03T05:00:00Z"));

    expect(meanwhile.changes).toEqual([]);
    expect(headlines(expired)).toEqual([
      "- revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z",
      "- SCP idc-sync-revoke-sessions-1 (detached from root r-ab12)",
    ]);
    expect(expired.changes.find((change) => change.kind === "endRevocation")?.reason).toBe(
      "expired at 2026-12-03T04:10Z: every session it was for has ended",
    );
    expect(world.scps.policies.size).toBe(0);
    expect(world.scps.attached).toEqual(["p-FullAWSAccess"]);
    expect(after.changes).toEqual([]);
  });

  it("moves the deny later while the leaver still has access (their removal failed), and plans nothing once it is in step", async () => {
    const world = new World(desiredWith(), identityCenterWithMei());
    world.identityCenter.failChanges(
      (change) => change.kind === "removeMember" && change.groupName === "admins",
    );
    const first = await world.plan(at("2026-12-02T15:10:00Z"));
    await applyPlan(first.plan, world.identityCenter, { revocationPolicies: world.scps });
    world.identityCenter.clearFailures();

    const second = await world.run(at("2026-12-02T15:25:00Z"));
    const third = await world.plan(at("2026-12-02T15:40:00Z"));

    expect(headlines(second)).toEqual(
      expect.arrayContaining([
        "~ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:25Z (was 2026-12-03T04:10Z; longest session PT12H, 1 account)",
        "~ SCP idc-sync-revoke-sessions-1 (1 user, 229 of 5,120 characters)",
        "- admins ← mei.tanaka@example.com",
      ]),
    );
    expect(world.scps.denied()).toEqual(new Map([[meiId, "IdcSyncRevokeUntil202612030425"]]));
    expect(third.plan.changes).toEqual([]);
  });

  it("ends the deny at once when the person is back before it expires", async () => {
    const mei = aDesiredUser({ userName: "mei.tanaka@example.com" });
    const strip = aScope({ ...scope, leavers: "strip" });
    const world = new World(desiredWith(), identityCenterWithMei());
    const held = await world.identityCenter.readState(strip);
    const { actual, found } = separateDenies(held, world.desired);
    const first = planRevocation({
      settings: { mode: "scp", marginMinutes: 60 },
      now: at("2026-12-02T15:10:00Z"),
      plan: computePlan(world.desired, actual, strip),
      desired: world.desired,
      actual,
      found,
      scp: await world.scps.read(),
      inlinePolicyLimit: 10_240,
      directoryComplete: true,
      withCauses: false,
    });
    await applyPlan(first.plan, world.identityCenter, { revocationPolicies: world.scps });
    world.desired = desiredWith({
      users: [ken, mei],
      absentReasons: {},
      groups: [
        aDesiredGroup({ displayName: "developers", members: [aMember(ken.userName), aMember(mei.userName)] }),
      ],
    });

    const back = await world.run(at("2026-12-02T16:00:00Z"));

    expect(headlines(back)).toEqual(
      expect.arrayContaining([
        "- revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z",
        "- SCP idc-sync-revoke-sessions-1 (detached from root r-ab12)",
      ]),
    );
    expect(back.changes.find((change) => change.kind === "endRevocation")?.reason).toBe(
      "mei.tanaka@example.com is back: the rules want them again",
    );
    expect(world.scps.denied().size).toBe(0);
  });

  it("finds and expires denies from the policies themselves when the run state is lost", async () => {
    const world = new World(desiredWith(), identityCenterWithMei());
    await world.run(at("2026-12-02T15:10:00Z"));

    const lost = await world.run(at("2026-12-03T04:11:00Z"), { forgetNames: true });

    expect(headlines(lost)).toEqual([
      `- revoke sessions of user ${meiId} until 2026-12-03T04:10Z`,
      "- SCP idc-sync-revoke-sessions-1 (detached from root r-ab12)",
    ]);
  });

  it("covers the management account, which SCPs do not reach, through the permission sets provisioned there, merged with the rules' policy", async () => {
    const state = identityCenterWithMei();
    state.assignments.push(
      anAssignment({
        principalName: "admins",
        permissionSetName: "Admin",
        accountId: testManagementAccountId,
      }),
    );
    state.permissionSets[1]!.provisionedAccountIds.push(testManagementAccountId);
    const desired = desiredWith();
    desired.assignments.push(
      aDesiredAssignment({
        principalName: "admins",
        permissionSetName: "Admin",
        accountId: testManagementAccountId,
      }),
    );
    const world = new World(desired, state);

    const plan = await world.run(at("2026-12-02T15:10:00Z"));

    const revoke = plan.changes.find((change) => change.kind === "revokeSessions") as RevokeSessions;
    expect(revoke.places).toEqual(["SCP idc-sync-revoke-sessions-1", "permission set Admin"]);
    expect(revoke.heldBy).toEqual([
      "permissionSet:Admin",
      "provision:Admin",
      "revocationPolicy:idc-sync-revoke-sessions-1",
    ]);
    const admin = await world.inlinePolicyOf("Admin");
    expect(admin).toBe(withDenies(adminPolicy, [{ userId: meiId, until: "2026-12-03T04:10Z" }]));
    expect(JSON.parse(admin!).Statement[0]).toEqual(JSON.parse(adminPolicy).Statement[0]);
    // Developer is not provisioned in the management account: its inline policy is left alone.
    expect(await world.inlinePolicyOf("Developer")).toBeUndefined();

    // The plan after the apply sees the rules' policy in step (no change), and the deny ends on time.
    expect((await world.plan(at("2026-12-02T15:30:00Z"))).plan.changes).toEqual([]);
    await world.run(at("2026-12-03T04:10:00Z"));
    expect(await world.inlinePolicyOf("Admin")).toBe(adminPolicy);
  });

  it("says so when the management account is reached through a permission set the rules do not define", async () => {
    const state = identityCenterWithMei();
    state.permissionSets.push(
      anIcPermissionSet({ name: "BreakGlass", provisionedAccountIds: [testManagementAccountId] }),
    );
    state.assignments.push(
      anAssignment({
        principalName: "admins",
        permissionSetName: "BreakGlass",
        accountId: testManagementAccountId,
      }),
    );
    const world = new World(desiredWith(), state);

    const { plan, warnings } = await world.plan(at("2026-12-02T15:10:00Z"));

    const revoke = plan.changes.find((change) => change.kind === "revokeSessions") as RevokeSessions;
    expect(revoke.problems).toEqual([
      `permission set BreakGlass (${testManagementAccountId}) is not one the rules define, so idc-sync does not write into it: the management account, which SCPs do not reach, keeps the sessions opened with it until they expire`,
    ]);
    expect(renderPlanText(plan)).toContain("! permission set BreakGlass");
    expect(warnings.join("\n")).toContain("their access is removed all the same");
    const report = await applyPlan(plan, world.identityCenter, { revocationPolicies: world.scps });
    expect(report.outcomes.find((o) => o.kind === "revokeSessions")).toMatchObject({ status: "failed" });
    expect(report.outcomes.find((o) => o.kind === "deleteUser")).toMatchObject({ status: "applied" });
  });

  it("writes the deny into every permission set the leaver had with permissionSets, and re-provisions them", async () => {
    const world = new World(desiredWith(), identityCenterWithMei(), "permissionSets");

    const plan = await world.run(at("2026-12-02T15:10:00Z"));

    expect(headlines(plan)).toEqual(
      expect.arrayContaining([
        "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z (longest session PT12H, 3 accounts)",
        "~ Admin",
        "~ Developer",
        "↻ Admin: provision to 333333333333",
        "↻ Developer: provision to 111111111111, 222222222222",
      ]),
    );
    expect(readDenyText(await world.inlinePolicyOf("Developer"))).toEqual([
      { userId: meiId, until: "2026-12-03T04:10Z" },
    ]);
    expect(world.scps.writes).toEqual([]);
    expect((await world.plan(at("2026-12-02T15:30:00Z"))).plan.changes).toEqual([]);
  });

  it("keeps a permission set's inline policy within its limit, and says which deny found no room", async () => {
    const world = new World(desiredWith(), identityCenterWithMei(), "permissionSets");

    // Room for a deny alone (Developer has no policy of its own), not beside Admin's own statements.
    const denyAlone = storedSize(withDenies(undefined, [{ userId: meiId, until: "2026-12-03T04:10Z" }])!);

    const { plan } = await world.plan(at("2026-12-02T15:10:00Z"), { inlinePolicyLimit: denyAlone });

    const revoke = plan.changes.find((change) => change.kind === "revokeSessions") as RevokeSessions;
    expect(revoke.places).toEqual(["permission set Developer"]);
    expect(revoke.problems).toEqual([
      `no room in permission set Admin's inline policy (${denyAlone} bytes without white space, the rules' own statements included)`,
    ]);
  });

  it("gives nobody a new deny on a Google read that is not proven complete", async () => {
    const world = new World(desiredWith(), identityCenterWithMei());

    const { plan, warnings } = await world.plan(at("2026-12-02T15:10:00Z"), { complete: false });

    expect(plan.changes.filter((change) => change.kind === "revokeSessions")).toEqual([]);
    expect(warnings).toEqual([
      "1 leaver's sessions are not denied yet: the Google read is not proven complete, so their removal is held back too",
    ]);
  });

  it("still removes the access when SCPs cannot be written, and the deny fails with the reason", async () => {
    const scps = new InMemoryScps({ usable: "service control policies are not enabled in the root r-ab12" });
    const world = new World(desiredWith(), identityCenterWithMei(), "scp", scps);

    const { plan } = await world.plan(at("2026-12-02T15:10:00Z"));
    const report = await applyPlan(plan, world.identityCenter, { revocationPolicies: scps });

    expect(report.outcomes.find((o) => o.kind === "revokeSessions")).toMatchObject({
      status: "failed",
      error:
        "not written to a service control policy: service control policies are not enabled in the root r-ab12",
    });
    expect(report.outcomes.filter((o) => o.kind === "deleteUser" || o.kind === "removeMember")).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: "applied" })]),
    );
    expect(report.outcomes.filter((o) => o.status === "skipped")).toEqual([]);
  });

  it("plans nothing with revokeSessions off, and ends denies found in permission sets on time", async () => {
    const state = identityCenterWithMei();
    state.permissionSets[0]!.inlinePolicy = withDenies(undefined, [
      { userId: "someone-who-left", until: "2026-12-02T16:00Z" },
    ]);
    const world = new World(desiredWith(), state, "off");

    const before = await world.plan(at("2026-12-02T15:10:00Z"));
    const after = await world.plan(at("2026-12-02T16:00:00Z"));

    expect(before.plan.changes.map((change) => change.kind)).not.toContain("revokeSessions");
    expect(before.plan.changes.map((change) => change.kind)).not.toContain("updatePermissionSet");
    expect(headlines(after.plan)).toEqual(
      expect.arrayContaining([
        "- revoke sessions of user someone-who-left until 2026-12-02T16:00Z",
        "~ Developer",
      ]),
    );
  });
});

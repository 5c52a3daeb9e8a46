import { describe, expect, it } from "vitest";
import type { RevocationPolicyChange } from "../../../../src/sync/model.js";
import {
  type DenyEntry,
  readDenyText,
  scpContent,
  storedSize,
  untilOfSid,
  untilText,
  withDenies,
  withoutDenies,
} from "../../../../src/sync/revocation/deny-statements.js";
import {
  documentedScpLimits,
  type ExistingRevocationPolicy,
  type PackInput,
  packRevocationPolicies,
} from "../../../../src/sync/revocation/scp-packing.js";

/** Identity Store user ids are at most 47 characters: ten hex digits, a dash, a UUID (API_DescribeUser). */
const userId = (n: number) => `${String(n).padStart(10, "0")}-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901`;
const entries = (count: number, until = "2026-12-03T04:10Z", from = 0): DenyEntry[] =>
  Array.from({ length: count }, (_, index) => ({ userId: userId(from + index), until }));

function pack(overrides: Partial<PackInput>): ReturnType<typeof packRevocationPolicies> {
  return packRevocationPolicies({
    wanted: [],
    existing: [],
    foreignNames: [],
    othersAtRoot: 1,
    rootId: "r-ab12",
    limits: documentedScpLimits,
    ...overrides,
  });
}

function existing(name: string, held: DenyEntry[], attached = true, id = `p-${name.slice(-1)}0000000`) {
  return { id, name, content: scpContent(held), entries: held, attached } satisfies ExistingRevocationPolicy;
}

const contents = (changes: RevocationPolicyChange[]) =>
  changes.flatMap((change) => (change.kind === "deleteRevocationPolicy" ? [] : [change.content]));

describe("the deny statements", () => {
  it("write the expiry into the Sid and read it back, rounding up to the minute", () => {
    const until = untilText(Date.parse("2026-12-03T04:09:00.001Z"));

    expect(until).toBe("2026-12-03T04:10Z");
    expect(untilOfSid("IdcSyncRevokeUntil202612030410")).toBe(until);
    expect(untilOfSid("IdcSyncRevokeUntil20261303")).toBeUndefined();
    expect(untilOfSid("SomeoneElses")).toBeUndefined();
  });

  it("keep a minified SCP with one statement per expiry, and read it back", () => {
    const held = [...entries(2, "2026-12-03T05:00Z"), ...entries(1, "2026-12-03T04:10Z", 2)];

    const content = scpContent(held);

    expect(content).not.toMatch(/\s/);
    expect(JSON.parse(content).Statement.map((statement: { Sid: string }) => statement.Sid)).toEqual([
      "IdcSyncRevokeUntil202612030410",
      "IdcSyncRevokeUntil202612030500",
    ]);
    expect(readDenyText(content).sort((a, b) => a.userId.localeCompare(b.userId))).toEqual(held);
  });

  it("merge into a permission set's inline policy and come out again as the rules wrote it", () => {
    const rules =
      '{"Statement":{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"},"Version":"2012-10-17"}';

    const merged = withDenies(rules, entries(1));
    const separated = withoutDenies(merged, rules);

    expect(JSON.parse(merged!).Statement).toHaveLength(2);
    expect(separated).toEqual({ policy: rules, entries: entries(1) });
    expect(withoutDenies(rules, rules)).toEqual({ policy: rules, entries: [] });
    expect(withoutDenies(withDenies(undefined, entries(1)), undefined)).toEqual({
      policy: undefined,
      entries: entries(1),
    });
  });
});

describe("packing denies into service control policies", () => {
  it("fills a policy to just under 5,120 characters, then spreads into a second one, and says so", () => {
    const { changes, holders, unstored } = pack({ wanted: entries(150) });

    const sizes = contents(changes).map(storedSize);
    expect(changes.map((change) => change.kind)).toEqual([
      "createRevocationPolicy",
      "createRevocationPolicy",
    ]);
    expect(sizes.every((size) => size <= 5_120)).toBe(true);
    // The first is full: one more 47-character id would not fit.
    expect(sizes[0]).toBeGreaterThan(5_120 - 50);
    expect(changes[0]).toMatchObject({
      policyName: "idc-sync-revoke-sessions-1",
      entries: 98,
      attachTo: "r-ab12",
    });
    expect(changes[1]).toMatchObject({
      policyName: "idc-sync-revoke-sessions-2",
      entries: 52,
      reason: "the denies do not all fit in idc-sync-revoke-sessions-1 (5,120 characters each)",
    });
    expect(holders.size).toBe(150);
    expect(unstored.size).toBe(0);
  });

  it("never attaches more than the root has room for, and says which denies found none", () => {
    // FullAWSAccess and three other SCPs on the root: one slot left for idc-sync.
    const { changes, unstored } = pack({ wanted: entries(150), othersAtRoot: 4 });

    expect(changes).toHaveLength(1);
    expect(unstored.size).toBe(52);
    expect([...unstored.values()][0]).toBe(
      "no room: the root r-ab12 holds 4 other SCPs and 1 of idc-sync's, full (5 SCPs and 5,120 characters each at most)",
    );
  });

  it("leaves denies in the policy that holds them and adds new ones where there is room, rewriting only what changed", () => {
    const first = existing("idc-sync-revoke-sessions-1", entries(98));
    const second = existing("idc-sync-revoke-sessions-2", entries(3, "2026-12-03T04:10Z", 98));

    const { changes, holders } = pack({
      wanted: [
        ...entries(98),
        ...entries(3, "2026-12-03T04:10Z", 98),
        ...entries(1, "2026-12-03T05:10Z", 500),
      ],
      existing: [first, second],
      othersAtRoot: 1,
    });

    expect(changes.map((change) => [change.kind, change.policyName])).toEqual([
      ["updateRevocationPolicy", "idc-sync-revoke-sessions-2"],
    ]);
    expect(changes[0]?.reason).toBe("denies: 1 added");
    expect(holders.get(userId(500))).toBe("idc-sync-revoke-sessions-2");
  });

  it("rotates expired denies out, detaches and deletes a policy left empty, and re-attaches one found detached", () => {
    const emptied = existing("idc-sync-revoke-sessions-1", entries(2), true, "p-10000000");
    const detached = existing(
      "idc-sync-revoke-sessions-2",
      entries(1, "2026-12-03T05:00Z", 10),
      false,
      "p-20000000",
    );

    const { changes } = pack({
      wanted: entries(1, "2026-12-03T05:00Z", 10),
      existing: [emptied, detached],
    });

    expect(changes).toEqual([
      expect.objectContaining({
        kind: "deleteRevocationPolicy",
        policyId: "p-10000000",
        detachFrom: "r-ab12",
        reason: "every deny it held has ended",
      }),
      expect.objectContaining({ kind: "updateRevocationPolicy", policyId: "p-20000000", attachTo: "r-ab12" }),
    ]);
  });

  it("never takes the name of a policy it did not create", () => {
    const { changes } = pack({ wanted: entries(1), foreignNames: ["idc-sync-revoke-sessions-1"] });

    expect(changes).toEqual([expect.objectContaining({ policyName: "idc-sync-revoke-sessions-2" })]);
  });

  it("packs to the larger quotas when given them (10,240 characters, 10 a root)", () => {
    const { changes } = pack({
      wanted: entries(400),
      limits: { maxDocumentSize: 10_240, maxAttachedPerTarget: 10 },
    });

    expect(
      contents(changes)
        .map(storedSize)
        .every((size) => size <= 10_240),
    ).toBe(true);
    expect(changes.map((change) => (change.kind === "deleteRevocationPolicy" ? 0 : change.entries))).toEqual([
      201, 199,
    ]);
  });
});

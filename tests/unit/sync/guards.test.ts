import { describe, expect, it } from "vitest";
import { checkGuards, deletionLimit } from "../../../src/sync/guards.js";
import type { Change, Plan } from "../../../src/sync/model.js";
import { anEmptyPlan } from "../../builders/model.js";

function removals(count: number): Change[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: "deleteUser" as const,
    key: `user:leaver${i}@example.com`,
    reason: "suspended in Google",
    userName: `leaver${i}@example.com`,
  }));
}

function aPlanRemoving(count: number, managedObjectCount = 100): Plan {
  const additions: Change[] = [
    { kind: "createGroup", key: "group:new", reason: "defined in the rules", displayName: "new" },
  ];
  return anEmptyPlan({ changes: [...additions, ...removals(count)], managedObjectCount });
}

describe("checkGuards", () => {
  it("lets a plan with no more removals than maxDeletions through", () => {
    expect(checkGuards(aPlanRemoving(10), { maxDeletions: 10, directoryUserCount: 50 })).toEqual({
      ok: true,
    });
  });

  it("stops a plan with more removals than maxDeletions and says how to override", () => {
    const verdict = checkGuards(aPlanRemoving(12), { maxDeletions: 10, directoryUserCount: 50 });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations).toHaveLength(1);
    expect(verdict.violations[0]).toMatchObject({ guard: "maxDeletions", removals: 12, limit: 10 });
    expect(verdict.violations[0]?.message).toContain("re-run with --allow-deletions 12");
  });

  it("reads a percentage as a share of the managed objects, rounded down", () => {
    expect(deletionLimit("10%", 95)).toBe(9);
    expect(checkGuards(aPlanRemoving(9, 95), { maxDeletions: "10%", directoryUserCount: 50 })).toEqual({
      ok: true,
    });
    const verdict = checkGuards(aPlanRemoving(10, 95), { maxDeletions: "10%", directoryUserCount: 50 });
    expect(verdict.ok ? undefined : verdict.violations[0]?.limit).toBe(9);
  });

  it("lets at least one removal through a percentage, so a small organisation can lose a leaver", () => {
    expect(deletionLimit("10%", 3)).toBe(1);
    expect(checkGuards(aPlanRemoving(1, 3), { maxDeletions: "10%", directoryUserCount: 3 })).toEqual({
      ok: true,
    });
  });

  it("lets up to --allow-deletions removals through deliberately, and no more", () => {
    expect(
      checkGuards(aPlanRemoving(12), { maxDeletions: 10, allowDeletions: 12, directoryUserCount: 50 }),
    ).toEqual({
      ok: true,
    });
    const verdict = checkGuards(aPlanRemoving(13), {
      maxDeletions: 10,
      allowDeletions: 12,
      directoryUserCount: 50,
    });
    expect(verdict.ok).toBe(false);
  });

  it("counts only removals, not additions or updates", () => {
    expect(checkGuards(aPlanRemoving(0), { maxDeletions: 0, directoryUserCount: 50 })).toEqual({ ok: true });
  });

  it("never passes removals planned from an empty directory, whatever the override", () => {
    const verdict = checkGuards(aPlanRemoving(3), {
      maxDeletions: 100,
      allowDeletions: 1000,
      directoryUserCount: 0,
      managedUserCount: 3,
    });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.violations.map((v) => v.guard)).toEqual(["emptyDirectory"]);
    expect(verdict.violations[0]?.message).toContain("3 managed users");
  });

  it("lets an empty directory through when nothing would be removed", () => {
    expect(checkGuards(aPlanRemoving(0), { maxDeletions: 0, directoryUserCount: 0 })).toEqual({ ok: true });
  });

  it("reports both guards when both are broken", () => {
    const verdict = checkGuards(aPlanRemoving(20), { maxDeletions: 5, directoryUserCount: 0 });
    expect(verdict.ok ? [] : verdict.violations.map((v) => v.guard)).toEqual([
      "emptyDirectory",
      "maxDeletions",
    ]);
  });

  it("rejects a malformed percentage as a bug, not a silent zero", () => {
    expect(() => deletionLimit("abc%" as `${number}%`, 10)).toThrow(/percentage/);
  });
});

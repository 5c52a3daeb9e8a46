import { describe, expect, it } from "vitest";
import { runSync } from "../../../src/sync/run-sync.js";
import { developersPorts, developersRules } from "../../builders/ports.js";

describe("runSync", () => {
  it("plans the people, the group and the assignment, and changes nothing in plan mode", async () => {
    const { ports, identityCenter } = developersPorts();

    const result = await runSync({ rules: developersRules(), ports, mode: "plan" });

    expect(result.status).toBe("planned");
    if (result.status !== "planned") return;
    expect(result.plan.changes.map((change) => change.kind)).toContain("createUser");
    expect(result.guard.ok).toBe(true);
    expect(identityCenter.appliedChanges()).toEqual([]);
  });

  it("applies the plan, and a second run finds nothing to do", async () => {
    const { ports } = developersPorts();

    const first = await runSync({ rules: developersRules(), ports, mode: "apply" });
    const second = await runSync({ rules: developersRules(), ports, mode: "apply" });

    expect(first.status).toBe("applied");
    if (first.status !== "applied") return;
    expect(first.report.failed).toBe(0);
    expect(first.report.applied).toBe(first.plan.changes.length);
    expect(second.status === "applied" && second.plan.changes).toEqual([]);
  });

  it("applies nothing when the confirmation is declined", async () => {
    const { ports, identityCenter } = developersPorts();

    const result = await runSync({
      rules: developersRules(),
      ports,
      mode: "apply",
      confirm: async () => false,
    });

    expect(result.status).toBe("declined");
    expect(identityCenter.appliedChanges()).toEqual([]);
  });

  it("stops at the maxDeletions guard before anything is applied, until the deletions are allowed", async () => {
    const { ports } = developersPorts(["ann@example.com", "bob@example.com", "cy@example.com"]);
    await runSync({ rules: developersRules(), ports, mode: "apply" });
    const fewer = developersPorts(["ann@example.com"]);
    const leaversPorts = { ...fewer.ports, identityCenter: ports.identityCenter };
    const strict = developersRules({ safety: { maxDeletions: 1 } });

    const blocked = await runSync({ rules: strict, ports: leaversPorts, mode: "apply" });
    const allowed = await runSync({ rules: strict, ports: leaversPorts, mode: "apply", allowDeletions: 10 });

    expect(blocked.status).toBe("blocked");
    expect(allowed.status).toBe("applied");
    if (allowed.status !== "applied") return;
    expect(allowed.plan.changes.some((change) => change.kind === "deleteUser")).toBe(true);
  });

  it("returns the rules' problems with the directory as a value, planning nothing", async () => {
    const { ports } = developersPorts();
    const rules = developersRules({
      groups: [{ name: "developers", members: [{ googleGroup: "missing@example.com" }] }],
    });

    const result = await runSync({ rules, ports, mode: "apply" });

    expect(result.status).toBe("invalid");
    if (result.status !== "invalid") return;
    expect(result.problems.map((problem) => problem.message).join("\n")).toMatch(/missing@example.com/);
  });
});

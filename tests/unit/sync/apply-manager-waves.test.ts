import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/sync/apply.js";
import type { Change, IdentityCenterState, Scope } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import type { IdentityCenter } from "../../../src/sync/ports.js";
import { aDesiredState, aDesiredUser, anIdentityCenterState, aScope } from "../../builders/model.js";

/** Records the order in which users are created and answers each create only after a tick. */
class RecordingIdentityCenter implements IdentityCenter {
  readonly created: string[] = [];
  async readState(_scope: Scope): Promise<IdentityCenterState> {
    return anIdentityCenterState();
  }
  async applyChange(change: Change): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (change.kind === "createUser") this.created.push(change.user.userName);
  }
}

const reportingTo = (userName: string, manager?: string) =>
  aDesiredUser({ userName, enterprise: manager === undefined ? {} : { manager } });

describe("applying new users who report to each other", () => {
  it("creates every manager before the people who report to them, whatever the plan order", async () => {
    const desired = aDesiredState({
      users: [
        reportingTo("intern@example.com", "dev@example.com"),
        reportingTo("dev@example.com", "lead@example.com"),
        reportingTo("lead@example.com", "cto@example.com"),
        reportingTo("cto@example.com"),
        reportingTo("peer@example.com", "outside@example.com"),
      ],
    });
    const plan = computePlan(desired, anIdentityCenterState(), aScope());
    const identityCenter = new RecordingIdentityCenter();

    const report = await applyPlan(plan, identityCenter, { concurrency: 8 });

    expect(report.applied).toBe(5);
    const position = (userName: string) => identityCenter.created.indexOf(userName);
    expect(position("cto@example.com")).toBeLessThan(position("lead@example.com"));
    expect(position("lead@example.com")).toBeLessThan(position("dev@example.com"));
    expect(position("dev@example.com")).toBeLessThan(position("intern@example.com"));
  });

  it("still creates people whose managers manage each other (bad data), in some order", async () => {
    const desired = aDesiredState({
      users: [reportingTo("a@example.com", "b@example.com"), reportingTo("b@example.com", "a@example.com")],
    });
    const plan = computePlan(desired, anIdentityCenterState(), aScope());
    const identityCenter = new RecordingIdentityCenter();

    const report = await applyPlan(plan, identityCenter);

    expect(report.applied).toBe(2);
    expect([...identityCenter.created].sort()).toEqual(["a@example.com", "b@example.com"]);
  });
});

import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredPermissionSet,
  aDesiredState,
  anIcPermissionSet,
  anIdentityCenterState,
  aScope,
} from "../../builders/model.js";

const keys = (plan: Plan) => plan.changes.map((c) => `${c.kind} ${c.key}`);

describe("computePlan for permission sets", () => {
  it("creates a permission set the rules define", () => {
    const developer = aDesiredPermissionSet({ inlinePolicy: '{"Statement":[],"Version":"2012-10-17"}' });
    const plan = computePlan(
      aDesiredState({ permissionSets: [developer] }),
      anIdentityCenterState(),
      aScope(),
    );
    expect(plan.changes).toEqual([
      {
        kind: "createPermissionSet",
        key: "permissionSet:Developer",
        reason: "defined in the rules",
        permissionSet: developer,
      },
    ]);
  });

  it("plans nothing when only the formatting of the inline policy or the order of policies differs", () => {
    const desired = aDesiredPermissionSet({
      inlinePolicy: '{"Statement":[],"Version":"2012-10-17"}',
      managedPolicyArns: ["arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"],
      customerManagedPolicies: [
        { name: "b", path: "/" },
        { name: "a", path: "/" },
      ],
    });
    const actual = anIcPermissionSet({
      ...desired,
      inlinePolicy: '{\n  "Version": "2012-10-17",\n  "Statement": []\n}',
      managedPolicyArns: ["arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/A"],
      customerManagedPolicies: [
        { name: "a", path: "/" },
        { name: "b", path: "/" },
      ],
    });
    const plan = computePlan(
      aDesiredState({ permissionSets: [desired] }),
      anIdentityCenterState({ permissionSets: [actual] }),
      aScope(),
    );
    expect(plan.changes).toEqual([]);
  });

  it("updates the fields that differ, then provisions the accounts already using the set", () => {
    const desired = aDesiredPermissionSet({ sessionDuration: "PT4H", tags: { team: "platform" } });
    const actual = anIcPermissionSet({ provisionedAccountIds: ["222222222222", "111111111111"] });
    const plan = computePlan(
      aDesiredState({ permissionSets: [desired] }),
      anIdentityCenterState({ permissionSets: [actual] }),
      aScope(),
    );
    expect(keys(plan)).toEqual([
      "updatePermissionSet permissionSet:Developer",
      "provisionPermissionSet provision:Developer",
    ]);
    const [update, provision] = plan.changes;
    expect(update).toMatchObject({
      fields: [
        { field: "sessionDuration", from: "PT8H", to: "PT4H" },
        { field: "tags", from: {}, to: { team: "platform" } },
      ],
    });
    expect(provision).toMatchObject({
      permissionSetName: "Developer",
      accountIds: ["111111111111", "222222222222"],
    });
  });

  it("does not provision a permission set that no account uses yet", () => {
    const plan = computePlan(
      aDesiredState({ permissionSets: [aDesiredPermissionSet({ description: "new" })] }),
      anIdentityCenterState({ permissionSets: [anIcPermissionSet()] }),
      aScope(),
    );
    expect(keys(plan)).toEqual(["updatePermissionSet permissionSet:Developer"]);
  });

  it("never deletes a permission set and ignores ones outside scope", () => {
    const plan = computePlan(
      aDesiredState({ permissionSets: [aDesiredPermissionSet({ name: "Stray" })] }),
      anIdentityCenterState({
        permissionSets: [anIcPermissionSet({ name: "Developer" }), anIcPermissionSet({ name: "Legacy" })],
      }),
      aScope({ permissionSetNames: ["Developer"] }),
    );
    expect(plan.changes).toEqual([]);
  });

  it("notices a changed permissions boundary and a removed inline policy", () => {
    const desired = aDesiredPermissionSet({
      permissionsBoundary: { kind: "customerManaged", policy: { name: "boundary", path: "/" } },
    });
    const actual = anIcPermissionSet({ inlinePolicy: '{"Version":"2012-10-17"}' });
    const plan = computePlan(
      aDesiredState({ permissionSets: [desired] }),
      anIdentityCenterState({ permissionSets: [actual] }),
      aScope(),
    );
    const [update] = plan.changes;
    expect(update?.kind === "updatePermissionSet" ? update.fields.map((f) => f.field) : []).toEqual([
      "inlinePolicy",
      "permissionsBoundary",
    ]);
  });
});

describe("permission set text the rules leave out", () => {
  it("is left as Identity Center has it, since UpdatePermissionSet cannot clear it", () => {
    const desired = aDesiredState({
      permissionSets: [
        aDesiredPermissionSet({ name: "Developer", description: undefined, relayState: undefined }),
      ],
    });
    const actual = anIdentityCenterState({
      permissionSets: [
        anIcPermissionSet({
          name: "Developer",
          description: "set by hand",
          relayState: "https://console.aws",
        }),
      ],
    });

    expect(computePlan(desired, actual, aScope()).changes).toEqual([]);
  });

  it("is kept in the after-state of an update that changes something else", () => {
    const desired = aDesiredState({
      permissionSets: [
        aDesiredPermissionSet({ name: "Developer", description: undefined, sessionDuration: "PT8H" }),
      ],
    });
    const actual = anIdentityCenterState({
      permissionSets: [
        anIcPermissionSet({ name: "Developer", description: "set by hand", sessionDuration: "PT1H" }),
      ],
    });

    const [update] = computePlan(desired, actual, aScope()).changes;

    expect(update).toMatchObject({
      kind: "updatePermissionSet",
      fields: [{ field: "sessionDuration", from: "PT1H", to: "PT8H" }],
      permissionSet: { description: "set by hand", sessionDuration: "PT8H" },
    });
  });
});

import { describe, expect, it } from "vitest";
import { encodeQueueMessage, planBatch } from "../../../src/events/queue-message.js";
import { identityCenterUserActor, ssoDirectoryEvents } from "../../fixtures/events/cloudtrail-events.js";

const person = (email: string) =>
  encodeQueueMessage({ kind: "targeted", origin: "google-push", subjects: [{ kind: "person", email }] });

describe("one run per batch", () => {
  it("coalesces 100 events for one person into one targeted run of one subject", () => {
    const records = Array.from({ length: 100 }, (_, i) => ({
      messageId: `m${i}`,
      body: person("mei.tanaka@example.com"),
    }));
    const plan = planBatch(records);
    expect(plan.scope).toEqual({
      kind: "targeted",
      subjects: [{ kind: "person", email: "mei.tanaka@example.com" }],
    });
    expect(plan.counts.targeted).toBe(100);
  });

  it("makes any full message a full run, which covers every subject", () => {
    const plan = planBatch([
      { messageId: "a", body: person("mei.tanaka@example.com") },
      {
        messageId: "b",
        body: encodeQueueMessage({ kind: "full", trigger: "schedule", at: "2026-03-02T09:15:00Z" }),
      },
      { messageId: "c", body: person("kenji.sato@example.com") },
    ]);
    expect(plan.scope).toEqual({ kind: "full" });
  });

  it("reads a CloudTrail event the drift rule delivered unchanged", () => {
    const event = ssoDirectoryEvents.addMemberToGroup(
      {
        identityStoreId: "d-9067a1b2c3",
        groupId: "9067a1b2c3-aaaa1111-2222-3333-4444-555566667777",
        userId: "9067a1b2c3-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901",
      },
      { actor: identityCenterUserActor("111111111111", "AdministratorAccess", "mei") },
    );
    const plan = planBatch([{ messageId: "a", body: JSON.stringify(event) }]);
    expect(plan.scope).toMatchObject({ kind: "targeted" });
    // The member alone (src/events/cloudtrail.ts, membershipSubjects).
    expect(plan.scope?.kind === "targeted" && plan.scope.subjects).toEqual([
      { kind: "person", identityCenterUserId: "9067a1b2c3-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901" },
    ]);
  });

  it("drops malformed messages with the problem named, and runs what the rest of the batch asks", () => {
    const plan = planBatch([
      { messageId: "bad-json", body: "{not json" },
      {
        messageId: "bad-shape",
        body: JSON.stringify({ kind: "targeted", origin: "google-push", subjects: [{ kind: "person" }] }),
      },
      { messageId: "unknown-kind", body: JSON.stringify({ kind: "everything" }) },
      { messageId: "good", body: person("mei.tanaka@example.com") },
    ]);
    expect(plan.malformed.map((bad) => bad.messageId)).toEqual(["bad-json", "bad-shape", "unknown-kind"]);
    expect(plan.malformed.every((bad) => bad.problem.length > 0)).toBe(true);
    expect(plan.scope).toEqual({
      kind: "targeted",
      subjects: [{ kind: "person", email: "mei.tanaka@example.com" }],
    });
  });

  it("runs nothing for a batch that names nothing to do", () => {
    expect(planBatch([]).scope).toBeUndefined();
    expect(planBatch([{ messageId: "x", body: "[]" }]).scope).toBeUndefined();
  });
});

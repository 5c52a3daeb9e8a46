import { describe, expect, it } from "vitest";
import { coalesceSubjects, subjectKey } from "../../../src/sync/run-scope.js";

describe("sync scope", () => {
  it("coalesces a burst of events for one person into one subject, e-mail case-insensitively", () => {
    const burst = Array.from({ length: 100 }, (_, i) => ({
      kind: "person" as const,
      email: i % 2 ? "Mei.Tanaka@example.com" : "mei.tanaka@example.com",
    }));
    expect(coalesceSubjects(burst)).toEqual([{ kind: "person", email: "mei.tanaka@example.com" }]);
  });

  it("keeps subjects named by different identifiers apart, in first-seen order", () => {
    const subjects = coalesceSubjects([
      { kind: "group", email: "aws-admins@example.com" },
      { kind: "person", googleId: "1001" },
      { kind: "person", identityCenterUserId: "ic-1" },
      { kind: "group", identityCenterGroupId: "g-1" },
      { kind: "permissionSet", permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1" },
      { kind: "person", googleId: "1001" },
    ]);
    expect(subjects.map(subjectKey)).toEqual([
      "group:email:aws-admins@example.com",
      "person:google:1001",
      "person:ic:ic-1",
      "group:ic:g-1",
      "permissionSet:arn:aws:sso:::permissionSet/ssoins-1/ps-1",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { parseSubject, type SyncSubject, subjectKey } from "../../../src/sync/run-scope.js";

describe("a subject written by a person", () => {
  it.each<[string, SyncSubject]>([
    ["person:Mei@Example.com", { kind: "person", email: "mei@example.com" }],
    ["group:aws-admins@example.com", { kind: "group", email: "aws-admins@example.com" }],
    ["person:google:1234567890", { kind: "person", googleId: "1234567890" }],
    ["person:ic:9067-abcd", { kind: "person", identityCenterUserId: "9067-abcd" }],
    ["group:ic:a1b2", { kind: "group", identityCenterGroupId: "a1b2" }],
    [
      "permissionSet:arn:aws:sso:::permissionSet/ssoins-1/ps-1",
      { kind: "permissionSet", permissionSetArn: "arn:aws:sso:::permissionSet/ssoins-1/ps-1" },
    ],
  ])("reads %s", (text, subject) => {
    expect(parseSubject(text)).toEqual({ subject });
  });

  it("reads back every key subjectKey prints", () => {
    const subjects: SyncSubject[] = [
      { kind: "person", email: "mei@example.com" },
      { kind: "group", identityCenterGroupId: "g-1" },
      { kind: "person", googleId: "42" },
    ];
    for (const subject of subjects) expect(parseSubject(subjectKey(subject))).toEqual({ subject });
  });

  it.each([
    "mei@example.com",
    "person:",
    "person:mei",
    "team:x@example.com",
    "group:google:1",
    "permissionSet:ps-1",
  ])("refuses %s and says what is accepted", (text) => {
    const parsed = parseSubject(text);
    expect("problem" in parsed && parsed.problem).toContain("person:EMAIL, group:EMAIL");
  });
});

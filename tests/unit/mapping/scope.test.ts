import { describe, expect, it } from "vitest";
import { directoryRequestFromRules, safetyFromRules, scopeFromRules } from "../../../src/mapping/index.js";
import { someRules } from "../../builders/rules.js";

const rules = someRules({
  google: { customerId: "C0123abc", domains: ["example.com", "Example.org"] },
  users: {
    leavers: "strip",
    static: [{ email: "Zed@partner.example", givenName: "Zed", familyName: "Z", groups: ["developers"] }],
  },
  groups: [
    {
      name: "developers",
      previousNames: ["devs"],
      members: [{ googleGroup: "b@example.com" }, { orgUnit: "/Engineering" }],
      exclude: [{ googleGroup: "a@example.com" }],
    },
    { name: "admins", members: [{ googleGroup: "b@example.com" }] },
  ],
  permissionSets: [{ name: "Developer" }, { name: "Admin" }],
  safety: {
    maxDeletions: 5,
    protect: { users: ["breakglass@example.com"], groups: ["AWSControlTowerAdmins"] },
  },
});

describe("scope from rules", () => {
  it("manages the domains, static users, groups with their previous names and permission sets", () => {
    expect(scopeFromRules(rules)).toEqual({
      domains: ["example.com", "example.org"],
      staticUserNames: ["zed@partner.example"],
      groupNames: ["admins", "developers", "devs"],
      permissionSetNames: ["Admin", "Developer"],
      protectedUserNames: ["breakglass@example.com"],
      protectedGroupNames: ["AWSControlTowerAdmins"],
      leavers: "strip",
      externallyProvisioned: "leave",
    });
  });
});

describe("directory request from rules", () => {
  it("asks for every Google group a selector names, once, including excludes", () => {
    expect(directoryRequestFromRules(rules)).toEqual({
      customerId: "C0123abc",
      domains: ["example.com", "example.org"],
      groupEmails: ["a@example.com", "b@example.com"],
    });
  });
});

describe("safety from rules", () => {
  it("passes the deletion limit through, a count or a percentage", () => {
    expect(safetyFromRules(rules)).toEqual({ maxDeletions: 5 });
    expect(safetyFromRules(someRules())).toEqual({ maxDeletions: "10%" });
  });
});

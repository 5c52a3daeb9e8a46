import { describe, expect, it } from "vitest";
import {
  isManagedAssignment,
  isManagedGroup,
  isManagedUser,
  isProtectedGroup,
  isProtectedUser,
} from "../../../src/sync/scope.js";
import { anAssignment, aScope } from "../../builders/model.js";

describe("scope", () => {
  it("manages users of the configured domains, whatever the case Identity Center returns", () => {
    const scope = aScope({ domains: ["example.com"] });
    expect(isManagedUser(scope, "alice@example.com")).toBe(true);
    expect(isManagedUser(scope, "Alice@EXAMPLE.com")).toBe(true);
    expect(isManagedUser(scope, "alice@example.org")).toBe(false);
    expect(isManagedUser(scope, "alice@sub.example.com")).toBe(false);
    expect(isManagedUser(scope, "no-at-sign")).toBe(false);
  });

  it("manages static users outside the domains", () => {
    const scope = aScope({ staticUserNames: ["saburo-kato@partner.example"] });
    expect(isManagedUser(scope, "Saburo-Kato@Partner.example")).toBe(true);
    expect(isManagedUser(scope, "other@partner.example")).toBe(false);
  });

  it("never manages a protected user, even in a managed domain", () => {
    const scope = aScope({ protectedUserNames: ["breakglass@example.com"] });
    expect(isProtectedUser(scope, "BreakGlass@example.com")).toBe(true);
    expect(isManagedUser(scope, "breakglass@example.com")).toBe(false);
  });

  it("manages the groups the rules name unless they are protected", () => {
    const scope = aScope({
      groupNames: ["developers", "AWSControlTowerAdmins"],
      protectedGroupNames: ["AWSControlTowerAdmins"],
    });
    expect(isManagedGroup(scope, "developers")).toBe(true);
    expect(isManagedGroup(scope, "AWSControlTowerAdmins")).toBe(false);
    expect(isProtectedGroup(scope, "AWSControlTowerAdmins")).toBe(true);
    expect(isManagedGroup(scope, "ops")).toBe(false);
  });

  it("manages an assignment when its principal is managed", () => {
    const scope = aScope();
    expect(
      isManagedAssignment(scope, anAssignment({ principalType: "GROUP", principalName: "developers" })),
    ).toBe(true);
    expect(isManagedAssignment(scope, anAssignment({ principalType: "GROUP", principalName: "ops" }))).toBe(
      false,
    );
    expect(
      isManagedAssignment(scope, anAssignment({ principalType: "USER", principalName: "bob@example.com" })),
    ).toBe(true);
    expect(
      isManagedAssignment(scope, anAssignment({ principalType: "USER", principalName: "bob@other.org" })),
    ).toBe(false);
  });
});

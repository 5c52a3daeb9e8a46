import { describe, expect, it } from "vitest";
import { matchPerson } from "../../../src/audit/matching.js";
import { anIamUser, aPerson } from "./builders.js";

const people = [
  aPerson("alice.smith@example.com"),
  aPerson("bob.tanaka@example.com", { suspended: true, aliases: ["bob@example.com"] }),
  aPerson("ken.ito@example.com"),
  aPerson("ken.mori@example.com"),
];
const domains = ["example.com"];

describe("matching an IAM user to a Google person", () => {
  it("trusts an e-mail tag first, aliases included", () => {
    expect(matchPerson(anIamUser("svc-x", { tags: { Email: "bob@example.com" } }), people, domains)).toEqual({
      email: "bob.tanaka@example.com",
      status: "suspended",
      by: "tag Email",
    });
  });

  it("matches a user name that is an address", () => {
    expect(matchPerson(anIamUser("Alice.Smith@example.com"), people, domains)?.by).toBe("user name");
  });

  it("matches a user name that spells one person's name", () => {
    expect(matchPerson(anIamUser("alice_smith"), people, domains)?.email).toBe("alice.smith@example.com");
    expect(matchPerson(anIamUser("asmith"), people, domains)?.email).toBe("alice.smith@example.com");
  });

  it("does not guess when a name fits two people", () => {
    expect(matchPerson(anIamUser("ken"), people, domains)).toBeUndefined();
  });

  it("says a person is gone when an address in our domains is not in Google", () => {
    expect(
      matchPerson(anIamUser("scripts", { tags: { owner: "dave@example.com" } }), people, domains),
    ).toEqual({
      email: "dave@example.com",
      status: "gone",
      by: "tag owner (not in Google)",
    });
  });

  it("leaves addresses outside our domains and system-looking names unmatched", () => {
    expect(
      matchPerson(anIamUser("vendor", { tags: { email: "x@partner.example" } }), people, domains),
    ).toBeUndefined();
    expect(matchPerson(anIamUser("ci-deployer"), people, domains)).toBeUndefined();
  });
});

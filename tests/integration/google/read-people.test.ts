/**
 * The Google source's targeted read (issue #14) over real HTTP against the emulator answers exactly
 * what the same read cut from the whole directory answers (`peopleFromDirectory`, which the file source
 * uses): nested groups, aliases, suspended people, people Google does not know.
 */
import { describe, expect, it } from "vitest";
import { directoryFromSnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import { peopleFromDirectory } from "../../../src/sync/targeted/people-from-directory.js";
import type { PeopleRequest } from "../../../src/sync/targeted/reads.js";
import { sampleSnapshot, sourceFor, withEmulator } from "./google-test-kit.js";

const groupEmails = ["aws-admins@example.com", "platform-team@example.com", "support@example.com"];

const requests: [string, Partial<PeopleRequest>][] = [
  ["a suspended person: one users.get, no group read", { people: [{ email: "carol@example.com" }] }],
  ["a person Google does not know", { people: [{ email: "nobody@example.com" }, { googleId: "999" }] }],
  ["an active person in nested groups", { people: [{ email: "alice@example.com" }] }],
  ["a person by an old address", { people: [{ email: "bob@example.com" }] }],
  ["a person by Google id", { people: [{ googleId: "100000000000000000005" }] }],
  ["a person outside the domains", { people: [{ email: "frank@subsidiary.example" }] }],
  ["a group's members", { groups: ["platform-team@example.com", "no-such-group@example.com"] }],
];

describe("the Google source's targeted read", () => {
  it.each(requests)("answers as the whole directory does: %s", async (_name, parts) => {
    const snapshot = sampleSnapshot();
    const request: PeopleRequest = {
      customerId: "my_customer",
      domains: ["example.com"],
      groupEmails,
      people: [],
      groups: [],
      ...parts,
    };
    await withEmulator(snapshot, async (emulator) => {
      const read = await sourceFor(emulator).source.readPeople(request);
      expect(read).toEqual(peopleFromDirectory(directoryFromSnapshot(snapshot), request));
    });
  });

  it("reads the groups for a suspended person whose alias is a static user's address", async () => {
    // The rules' static user partner@ is, here, an address of suspended carol: the full evaluation gives
    // partner@ the memberships of a static user, so the targeted read must read the groups for them.
    const snapshot = sampleSnapshot();
    snapshot.users = snapshot.users.map((user) =>
      user.primaryEmail === "carol@example.com" ? { ...user, aliases: ["partner@partner.example"] } : user,
    );
    const request: PeopleRequest = {
      customerId: "my_customer",
      domains: ["example.com"],
      groupEmails,
      people: [{ email: "carol@example.com" }],
      groups: [],
      staticUsers: ["partner@partner.example", "someone@partner.example"],
    };
    await withEmulator(snapshot, async (emulator) => {
      const read = await sourceFor(emulator).source.readPeople(request);
      expect(read).toEqual(peopleFromDirectory(directoryFromSnapshot(snapshot), request));
      expect(read.directory.groups.flatMap((group) => group.memberEmails)).toContain(
        "partner@partner.example",
      );
    });
  });

  it("costs a suspended person one request", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      await sourceFor(emulator).source.readPeople({
        customerId: "my_customer",
        domains: ["example.com"],
        groupEmails,
        people: [{ email: "carol@example.com" }],
        groups: [],
      });
      expect(emulator.requestCounts()).toEqual({ "/admin/directory/v1/users/carol@example.com": 1 });
    });
  });
});

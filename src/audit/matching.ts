/**
 * Matches IAM users to Google people. Old IAM users rarely say whose they are in one place, so the
 * match looks, in order of trust, at e-mail-like tags, a user name that is an address, and a user
 * name that spells a person's name ("alice.smith", "asmith", "alice"). A name is only trusted when it
 * points at exactly one person. An address in one of our domains that Google no longer knows is a
 * person who is gone: the strongest leaver signal there is.
 */
import type { DirectoryUser } from "../sync/model.js";
import { type IamUserRecord, type PersonMatch, PersonStatus } from "./model.js";

/** Tag keys (compared in lower case, without separators) that usually hold the owner's address. */
const emailTagKeys = new Set([
  "email",
  "mail",
  "owner",
  "owneremail",
  "contact",
  "user",
  "person",
  "createdby",
]);

const emailPattern = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Who an IAM user belongs to, if the evidence says so; `domains` are the Google domains we own. */
export function matchPerson(
  user: IamUserRecord,
  people: readonly DirectoryUser[],
  domains: readonly string[],
): PersonMatch | undefined {
  const byAddress = new Map<string, DirectoryUser>();
  for (const person of people) {
    byAddress.set(person.primaryEmail.toLowerCase(), person);
    for (const alias of person.aliases) byAddress.set(alias.toLowerCase(), person);
  }
  const ourDomains = new Set(domains.map((domain) => domain.toLowerCase()));

  const addresses: { address: string; by: string }[] = [];
  for (const [key, value] of Object.entries(user.tags)) {
    const normalizedKey = key.toLowerCase().replace(/[^a-z]/g, "");
    if (emailTagKeys.has(normalizedKey) && emailPattern.test(value.trim()))
      addresses.push({ address: value.trim().toLowerCase(), by: `tag ${key}` });
  }
  if (emailPattern.test(user.userName))
    addresses.push({ address: user.userName.toLowerCase(), by: "user name" });

  for (const { address, by } of addresses) {
    const person = byAddress.get(address);
    if (person) return { email: person.primaryEmail, status: statusOf(person), by };
  }
  for (const { address, by } of addresses) {
    if (ourDomains.has(address.slice(address.lastIndexOf("@") + 1)))
      return { email: address, status: PersonStatus.gone, by: `${by} (not in Google)` };
  }

  const name = normalize(user.userName);
  if (name.length < 3) return undefined;
  const candidates = people.filter((person) => nameKeys(person).has(name));
  if (candidates.length === 1) {
    const person = candidates[0]!;
    return { email: person.primaryEmail, status: statusOf(person), by: `name ${user.userName}` };
  }
  return undefined;
}

function statusOf(person: DirectoryUser): PersonStatus {
  if (person.archived) return PersonStatus.archived;
  if (person.suspended) return PersonStatus.suspended;
  return PersonStatus.active;
}

/** The ways a user name commonly spells a person: local part, given.family, gfamily, givenf, given. */
function nameKeys(person: DirectoryUser): Set<string> {
  const given = normalize(person.givenName);
  const family = normalize(person.familyName);
  const keys = new Set<string>([
    normalize(localPart(person.primaryEmail)),
    ...person.aliases.map((alias) => normalize(localPart(alias))),
    `${given}${family}`,
    `${family}${given}`,
    `${given.charAt(0)}${family}`,
    `${given}${family.charAt(0)}`,
  ]);
  if (given.length >= 3) keys.add(given);
  return keys;
}

function localPart(address: string): string {
  return address.slice(0, address.lastIndexOf("@"));
}

/** Lower case letters and digits only: "Alice.Smith", "alice-smith" and "alice_smith" are one name. */
function normalize(value: string): string {
  return value
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

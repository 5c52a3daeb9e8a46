/**
 * A targeted read answered from a whole directory (a snapshot file, a test's fixture): exactly what the
 * Google source answers with its per-person calls, so a plan from either is the same.
 */
import type { Directory, DirectoryUser } from "../model.js";
import { domainOf } from "../scope.js";
import type { PeopleRead, PeopleRequest, PersonFound, PersonRef } from "./reads.js";

/** The addresses a directory user is known by, lower case. */
export function addressesOfUser(user: DirectoryUser): string[] {
  return [user.primaryEmail, ...user.aliases].map((address) => address.toLowerCase());
}

/**
 * The rules' static users among the people: named by a subject, or an address (an alias too) of a
 * person found. A full evaluation resolves such an address to the static user first, so the static
 * user's memberships through the rules' Google groups are part of the people's slice.
 */
export function staticUsersAmong(request: PeopleRequest, found: Iterable<DirectoryUser>): string[] {
  const named = new Set([
    ...request.people.flatMap((ref) => ("email" in ref ? [ref.email.toLowerCase()] : [])),
    ...[...found].flatMap(addressesOfUser),
  ]);
  return [...new Set((request.staticUsers ?? []).map((address) => address.toLowerCase()))]
    .filter((address) => named.has(address))
    .sort();
}

/**
 * The people `request` names, cut from `directory` (every user, in any domain): found by address or id,
 * members of the subject groups added, the rules' groups cut down to them. Groups and org units are
 * given only when someone is active in the managed domains or a static user is among the people, as the
 * Google source reads them only then.
 */
export function peopleFromDirectory(directory: Directory, request: PeopleRequest): PeopleRead {
  const domains = new Set(request.domains.map((domain) => domain.toLowerCase()));
  const byAddress = new Map<string, DirectoryUser>();
  const byId = new Map(directory.users.map((user) => [user.id, user]));
  for (const user of directory.users)
    for (const address of addressesOfUser(user)) byAddress.set(address, user);
  const find = (ref: PersonRef) =>
    "email" in ref ? byAddress.get(ref.email.toLowerCase()) : byId.get(ref.googleId);

  const groups = request.groups.map((email) => {
    const group = directory.groups.find((candidate) => candidate.email === email.toLowerCase());
    return group === undefined ? { email } : { email, members: [...group.memberEmails] };
  });
  const refs: PersonRef[] = [
    ...request.people,
    ...groups.flatMap((group) => (group.members ?? []).map((member): PersonRef => ({ email: member }))),
  ];
  const found = new Map<string, DirectoryUser>();
  const people: PersonFound[] = refs.map((ref) => {
    const user = find(ref);
    if (user === undefined) return { ref, found: false };
    const inDomains = domains.has(domainOf(user.primaryEmail));
    // Aliases sorted, as the Google source gives them.
    if (inDomains) found.set(user.id, { ...user, aliases: [...user.aliases].sort() });
    return { ref, found: true, primaryEmail: user.primaryEmail.toLowerCase(), inDomains };
  });
  const staticPeople = staticUsersAmong(request, found.values());
  const active =
    staticPeople.length > 0 || [...found.values()].some((user) => !user.suspended && !user.archived);
  // The managers active people name, read as context (see `PeopleRead.context`).
  const context: string[] = [];
  for (const user of [...found.values()]) {
    if (user.suspended || user.archived || user.manager === undefined) continue;
    const manager = byAddress.get(user.manager.toLowerCase());
    if (manager === undefined || found.has(manager.id) || !domains.has(domainOf(manager.primaryEmail)))
      continue;
    found.set(manager.id, { ...manager, aliases: [...manager.aliases].sort() });
    context.push(manager.primaryEmail.toLowerCase());
  }
  const users = [...found.values()].sort((a, b) => a.primaryEmail.localeCompare(b.primaryEmail));
  const addresses = new Set([...users.flatMap(addressesOfUser), ...staticPeople]);
  const wanted = [...new Set(request.groupEmails.map((address) => address.toLowerCase()))].sort();
  const ruleGroups = active
    ? directory.groups
        .filter((group) => wanted.includes(group.email))
        // Named by address, as the Google source names the groups it reads (the rules use nothing else).
        .map((group) => ({
          id: group.email,
          email: group.email,
          name: group.email,
          memberEmails: group.memberEmails.filter((email) => addresses.has(email)),
          ...(group.allUsers ? { allUsers: true } : {}),
        }))
    : wanted.map((email) => ({ id: email, email, name: email, memberEmails: [] }));
  return {
    directory: {
      users,
      groups: ruleGroups,
      completeness: directory.completeness,
      ...(active ? { orgUnits: directory.orgUnits } : {}),
    },
    people: people.slice(0, request.people.length),
    groups,
    ...(context.length > 0 ? { context: context.sort() } : {}),
  };
}

/**
 * What a targeted run (issue #14) asks the outside world for: the people its subjects name, and no one
 * else. The ports' `readPeople` methods answer these; the core slices and plans them like a full run.
 */
import type { Directory, DirectoryRequest, IdentityCenterState, KnownGroup } from "../model.js";

/** A Google user as a subject names them: by primary address or alias, or by Google's immutable id. */
export type PersonRef = { readonly email: string } | { readonly googleId: string };

/** What a targeted run reads from the directory. */
export interface PeopleRequest extends DirectoryRequest {
  /** The people, each read with `users.get`. */
  people: PersonRef[];
  /** Google groups (by address) whose current members, through nested groups, are subjects too. */
  groups: string[];
  /**
   * Every address the rules keep active without Google (`users.static`). Those among the people (a
   * subject's address, or any address of a person found, an alias included) can be members of the rules'
   * Google groups, so those groups are read for them: a suspended subject whose alias is a static
   * user's address still brings that static user's memberships into the run.
   */
  staticUsers?: string[];
}

/** One person as the directory answered. */
export type PersonFound =
  /** Found: `user` is absent when the user is outside the managed domains (dropped, like a full read). */
  | { ref: PersonRef; found: true; primaryEmail: string; inDomains: boolean }
  /** Google answered 404: deleted, or never existed. A leaver if Identity Center has them. */
  | { ref: PersonRef; found: false };

export interface PeopleRead {
  /**
   * The directory as a full read would show it, cut down to these people: `users` are the people found
   * in the managed domains (group members included), `groups` the rules' Google groups with
   * `memberEmails` cut down to those people (nested groups and Google's "all users" member counted as a
   * full read counts them). Groups are read only when someone is active in the domains or a static user
   * is among the people (`staticUsers`): nobody else can be a member of anything the rules map. `orgUnits` is undefined when it was not read (nobody active).
   */
  directory: Omit<Directory, "orgUnits"> & { orgUnits?: Directory["orgUnits"] };
  /** Each person asked for, in request order. */
  people: PersonFound[];
  /** Each subject group: its members' addresses, or `undefined` when Google does not know the group. */
  groups: { email: string; members?: string[] }[];
  /**
   * Primary addresses of users in `directory.users` read only as context: the managers active people
   * name (Identity Center keeps a manager only when the manager gets a user too, so whether the manager
   * is wanted decides the person's attributes). The run plans nothing for them.
   */
  context?: string[];
}

/** What a targeted run reads from Identity Center. */
export interface IdentityCenterPeopleRequest {
  /** userNames (lower case) the people may have in Identity Center: primary addresses and aliases. */
  userNames: string[];
  /** Identity Store user ids known for them (the run state's ownership record, a CloudTrail event). */
  userIds: string[];
  /**
   * Permission sets whose ARNs the plan may need (direct user assignments the rules want for these
   * people). Reading them lists every permission set once; empty when not needed.
   */
  permissionSetNames: string[];
  /**
   * Also read the assignments of the groups the people are in, and the session duration of every
   * permission set they reach: what a leaver's deny is sized by (`leavers.revokeSessions`).
   */
  withGroupAccess: boolean;
  /**
   * Whether any of the people is wanted by the rules (a joiner or mover may need an update). When none
   * is (only leavers), their attributes are not compared, and the managers they name need no lookup.
   */
  attributesNeeded: boolean;
  /**
   * Every group as the last full run listed it (the run state keeps them), so the read need not list
   * them again. A group one of the people is in that is not among them (made since) is described by id;
   * one deleted since is still named here until the next full run. Absent: every group is listed.
   */
  knownGroups?: readonly KnownGroup[];
}

/**
 * Identity Center cut down to the people: their users, every group (names and descriptions; members only
 * among the people), their assignments (and, with `withGroupAccess`, those of their groups).
 * `permissionSets` holds the permission sets named by those assignments or asked for, with their name,
 * ARN, description and session duration only: enough to name assignments and size a deny, not to plan a
 * permission set (a targeted plan never changes one).
 */
export type IdentityCenterPeopleState = IdentityCenterState;

/** A principal an Identity Center event names, as Identity Center knows it now. */
export type DescribedPrincipal =
  | { kind: "user"; id: string; userName: string }
  | { kind: "group"; id: string; displayName: string };

/**
 * The domain model shared by every part of idc-sync: what the directory says (Google side), what the
 * rules want (desired state), what Identity Center has (actual state), and the plan between the last
 * two. Plain data only: no classes, no SDK shapes. Emails and userNames are always lower case.
 */

// ─── Directory (Google Workspace, or a snapshot of it) ──────────────────────────────────────────────

export interface DirectoryUser {
  /** Google's immutable user id. */
  id: string;
  primaryEmail: string;
  /** Editable and non-editable aliases; a renamed user keeps the old address here. */
  aliases: string[];
  givenName: string;
  familyName: string;
  /** Org unit path, "/" for the root, e.g. "/Engineering/KaigoDX". */
  orgUnitPath: string;
  suspended: boolean;
  archived: boolean;
  department?: string;
  costCenter?: string;
  title?: string;
  employeeId?: string;
  /** The manager's primary email, from Google's `relations` (type manager). */
  manager?: string;
}

export interface DirectoryGroup {
  id: string;
  email: string;
  name: string;
  /**
   * Addresses of the users in the group, expanded through nested groups. Users only; an address outside
   * the customer's domains is an external member (a guest, a partner), not a user of the directory.
   */
  memberEmails: string[];
  /**
   * Google's "all users in the organization" member is in the group, directly or through a nested group
   * (the Directory API lists it as one member of `type: CUSTOMER`): every user of the customer belongs to
   * it. `memberEmails` does not list them; the rules' evaluation counts every user of the domains.
   */
  allUsers?: boolean;
}

export interface DirectoryOrgUnit {
  /** "/Engineering/KaigoDX" */
  path: string;
  name: string;
}

/**
 * Whether a read can vouch that it saw the whole directory. Every source must say: a read that cannot
 * (Google answered a page with nothing on it and more pages after it, which its paging allows but which
 * is also what a page lost on the way looks like) is `proven: false`, and the run then removes nothing.
 */
export type DirectoryCompleteness = { proven: true } | { proven: false; reasons: string[] };

export interface Directory {
  users: DirectoryUser[];
  /** Only the groups the rules reference need to be present. */
  groups: DirectoryGroup[];
  orgUnits: DirectoryOrgUnit[];
  completeness: DirectoryCompleteness;
  /**
   * Addresses of every group the source knows, when it knows more than `groups` (a snapshot taken with
   * every group, or Google after a group the rules name was not found): only for "did you mean".
   */
  knownGroupEmails?: string[];
}

/** What the rules need from the directory, so a source reads no more than that. */
export interface DirectoryRequest {
  /** Google customer id, `my_customer` by default. */
  customerId: string;
  /** Users outside these domains are dropped early. Lower case. */
  domains: string[];
  /** Email addresses of the Google groups the rules reference. Lower case. */
  groupEmails: string[];
  /** Every group of the customer with its members, not only `groupEmails` (`snapshot directory --all-groups`). */
  allGroups?: boolean;
}

// ─── AWS Organizations ──────────────────────────────────────────────────────────────────────────────

export const AccountStatus = {
  active: "ACTIVE",
  suspended: "SUSPENDED",
  pendingClosure: "PENDING_CLOSURE",
} as const;
export type AccountStatus = (typeof AccountStatus)[keyof typeof AccountStatus];

export interface AwsAccount {
  /** Twelve digits. */
  id: string;
  name: string;
  status: AccountStatus;
  /** The OU (or root) the account sits in directly. */
  parentId: string;
  /** Every OU id from the root (inclusive, `r-...`) down to `parentId` (inclusive). */
  ancestorIds: string[];
  tags: Record<string, string>;
}

/** An organizational unit of AWS Organizations. */
export interface OrganizationalUnit {
  id: string;
  name: string;
  /** The OU or root it sits in. */
  parentId: string;
}

/** The whole organization: what `{ ou: ... }` selectors can name, and every account. */
export interface Organization {
  rootId: string;
  organizationalUnits: OrganizationalUnit[];
  accounts: AwsAccount[];
}

// ─── Desired and actual Identity Center state ──────────────────────────────────────────────────────

/** Identity Store enterprise extension (`aws:identitystore:enterprise`). */
export interface EnterpriseAttributes {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  /** The manager's userName; adapters translate it to the Identity Store user id. */
  manager?: string;
}

/** The attributes idc-sync manages on an Identity Center user. */
export interface UserAttributes {
  userName: string;
  displayName: string;
  givenName: string;
  familyName: string;
  email: string;
  title?: string;
  enterprise?: EnterpriseAttributes;
}

export interface DesiredUser extends UserAttributes {
  /**
   * Google's immutable user id (absent for static users). The plan finds the person's Identity Center
   * user by it first, through the run state's record of which user each Google id became.
   */
  googleId?: string;
  /** Other addresses of the same person (Google aliases): a managed user found under one is renamed. */
  previousUserNames: string[];
  /** Why the user exists, for the plan: "member of developers (orgUnit /Engineering)". */
  reason: string;
}

/**
 * A selector of the rules file, as data, with where it sits (`rule`: "groups[1].members[0]",
 * "users.static[0]"). The access report and `explain` show it; the plan reads the `reason` strings.
 */
export type SelectorSource =
  | { kind: "orgUnit"; rule: string; orgUnit: string; recursive: boolean }
  | { kind: "googleGroup"; rule: string; googleGroup: string }
  | { kind: "where"; rule: string; where: Record<string, string> }
  | { kind: "user"; rule: string; user: string }
  | { kind: "static"; rule: string; email: string };

export interface DesiredMember {
  userName: string;
  /** "orgUnit /Engineering", "googleGroup aws-admins@example.com", "static user". */
  reason: string;
  /**
   * Every selector that puts the user in the group, in rules order (set by `evaluate`; hand-built
   * states may leave it out).
   */
  sources?: SelectorSource[];
}

/** Someone the group's `members` selected but its `exclude` removed again. */
export interface ExcludedMember {
  userName: string;
  /** The `members` selectors that matched. */
  sources: SelectorSource[];
  /** The `exclude` selectors that removed them. */
  excludedBy: SelectorSource[];
}

export interface DesiredGroup {
  displayName: string;
  /** Where the rules define it ("groups[2]"), for the ownership record and removal reasons. */
  rule?: string;
  description?: string;
  /** Names this group had before, from the rules: a managed group found under one is renamed. */
  previousNames: string[];
  members: DesiredMember[];
  /** People selected and then excluded, for `explain` and the access report (set by `evaluate`). */
  excluded?: ExcludedMember[];
}

export interface CustomerManagedPolicyRef {
  name: string;
  /** Defaults to "/". */
  path: string;
}

export type PermissionsBoundary =
  | { kind: "managed"; managedPolicyArn: string }
  | { kind: "customerManaged"; policy: CustomerManagedPolicyRef };

export interface PermissionSetAttributes {
  name: string;
  description?: string;
  /** ISO-8601, PT1H..PT12H. */
  sessionDuration: string;
  relayState?: string;
  /** Full ARNs, sorted. */
  managedPolicyArns: string[];
  /** Sorted by path then name. */
  customerManagedPolicies: CustomerManagedPolicyRef[];
  /** Canonical JSON (keys sorted, no white space), or undefined for none. */
  inlinePolicy?: string;
  permissionsBoundary?: PermissionsBoundary;
  tags: Record<string, string>;
}

export interface DesiredPermissionSet extends PermissionSetAttributes {
  /** Where the rules define it ("permissionSets[1]"), for the ownership record and removal reasons. */
  rule?: string;
}

export const PrincipalType = { user: "USER", group: "GROUP" } as const;
export type PrincipalType = (typeof PrincipalType)[keyof typeof PrincipalType];

export interface Assignment {
  principalType: PrincipalType;
  /** userName for users, displayName for groups. */
  principalName: string;
  permissionSetName: string;
  accountId: string;
}

/** One rule that grants an assignment: `assignments[i]`, through the account reference it named. */
export interface AssignmentSource {
  /** "assignments[3]". */
  rule: string;
  /** The account set name ("prod") or the account id the rule listed. */
  accounts: string;
}

export interface DesiredAssignment extends Assignment {
  /** "assignments[0]: developers × Developer × dev". */
  reason: string;
  /** Every rule that grants it, in rules order (set by `evaluate`; hand-built states may leave it out). */
  sources?: AssignmentSource[];
}

/**
 * Why a directory user in a managed domain gets no Identity Center user. `excluded` names the
 * `users.exclude[i]` entry; `unmapped` means no group selected them and no rule assigns them
 * (`users.provision: mapped`).
 */
export type UserAbsence =
  | { code: "suspended" }
  | { code: "archived" }
  | { code: "excluded"; rule: string }
  | { code: "unmapped" };

export interface DesiredState {
  users: DesiredUser[];
  groups: DesiredGroup[];
  permissionSets: DesiredPermissionSet[];
  assignments: DesiredAssignment[];
  /**
   * For directory users in a managed domain who are *not* desired, why not ("suspended in Google",
   * "excluded by users.exclude", "in no mapped group"). Keyed by lower-case primary email and every
   * alias. The plan uses it to explain deletions; anything absent here is "not in Google".
   */
  absentReasons: Record<string, string>;
  /**
   * The same as data, keyed by lower-case primary email only (set by `evaluate`). Protected users and
   * users outside the domains are not here: the scope says why those are left alone.
   */
  absences?: Record<string, UserAbsence>;
  /**
   * Accounts of the organization that are not ACTIVE (suspended, closed, closing), by id (set by
   * `evaluate`). AWS cannot reach their IAM roles, so assignments there can be neither created nor
   * removed and permission sets not provisioned: the plan leaves them alone and says so.
   */
  inactiveAccounts?: Record<string, InactiveAccount>;
}

export interface InactiveAccount {
  name: string;
  status: Exclude<AccountStatus, "ACTIVE">;
}

/**
 * What idc-sync manages. Anything outside it is never changed, only reported.
 * Derived from the rules (`scopeFromRules`); `protect*` wins over everything else.
 */
export interface Scope {
  /** Users whose userName is in one of these domains are managed. Lower case. */
  domains: string[];
  /** Static users (not in Google) are managed too. Lower case userNames. */
  staticUserNames: string[];
  /** Group display names from the rules, including their previousNames. */
  groupNames: string[];
  /** Permission set names from the rules. */
  permissionSetNames: string[];
  protectedUserNames: string[];
  protectedGroupNames: string[];
  /** `delete` removes leavers; `strip` removes their memberships and assignments but keeps the user. */
  leavers: "delete" | "strip";
  /**
   * Users another provisioner created (SCIM: they carry `ExternalIds`). `leave` (the default): never
   * created, changed or deleted, like users outside the managed domains; `manage`: managed like any other.
   */
  externallyProvisioned?: "leave" | "manage";
  /**
   * What adapters must read beyond the rules' names, for removals (set by `readScopeFor` from the
   * ownership record): members and assignments of these groups, these permission sets in full with
   * every assignment that uses them.
   */
  ownedGroupNames?: string[];
  ownedPermissionSetNames?: string[];
  /**
   * True when the ownership record is lost (or never kept): adapters then read the tags of every
   * permission set the rules do not name and return, in full, those tagged `managed-by=idc-sync`.
   */
  findTaggedPermissionSets?: boolean;
}

/** An identifier another identity provider gave a user (Identity Store `ExternalId`). */
export interface ExternalId {
  issuer: string;
  id: string;
}

export interface IcUser extends UserAttributes {
  /** Identity Store user id. */
  id: string;
  /**
   * Set by a SCIM provisioner (Google's own auto-provisioning, Okta, ...), never by the Identity Store
   * API idc-sync uses: a user that has them belongs to that provisioner.
   */
  externalIds?: ExternalId[];
}

export interface IcGroup {
  id: string;
  displayName: string;
  description?: string;
  /**
   * userNames of the members. Adapters read memberships of managed groups only; for other groups
   * this is `undefined` (unknown), never a guess.
   */
  members?: string[];
}

/**
 * A group as a full run last listed it, without members: what a targeted run names memberships by instead
 * of listing every group again (ListGroups is a page per hundred groups).
 */
export type KnownGroup = Pick<IcGroup, "id" | "displayName" | "description">;

export interface IcPermissionSet extends PermissionSetAttributes {
  arn: string;
  /** True when it carries the `managed-by=idc-sync` tag idc-sync puts on the permission sets it creates. */
  managedByTag?: boolean;
  /** Accounts the permission set is provisioned to (ListAccountsForProvisionedPermissionSet). */
  provisionedAccountIds: string[];
  /**
   * Of those, the accounts still running an older version (ProvisioningStatus
   * LATEST_PERMISSION_SET_NOT_PROVISIONED): a provisioning failed, timed out or never happened. Read for
   * the permission sets the rules define; absent means none.
   */
  outdatedAccountIds?: string[];
}

export interface IdentityCenterState {
  users: IcUser[];
  groups: IcGroup[];
  /** Managed permission sets (by name) in full; adapters may omit unmanaged ones. */
  permissionSets: IcPermissionSet[];
  /** Assignments of managed principals (adapters may include more; the plan filters by scope). */
  assignments: Assignment[];
}

// ─── The plan ───────────────────────────────────────────────────────────────────────────────────────

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * Why a change is in the plan. `drift`: Identity Center was changed outside idc-sync (the desired side
 * did not move since the last run that left this item in step). The others: the desired side moved,
 * because a person joined, moved or left in Google, or because the rules changed.
 */
export const ChangeCause = {
  drift: "drift",
  joiner: "joiner",
  mover: "mover",
  leaver: "leaver",
  rules: "rules",
} as const;
export type ChangeCause = (typeof ChangeCause)[keyof typeof ChangeCause];

interface ChangeBase {
  /** Stable, unique within a plan, e.g. "member:developers:alice@example.com". */
  key: string;
  /** Human reason: "suspended in Google", "member of aws-admins@example.com". */
  reason: string;
  /** Set by `classifyChanges` when the run knows the last applied desired state; absent otherwise. */
  cause?: ChangeCause;
}

export interface CreateUser extends ChangeBase {
  kind: "createUser";
  user: UserAttributes;
}
export interface UpdateUser extends ChangeBase {
  kind: "updateUser";
  /** The userName Identity Center has now (differs from `user.userName` on a rename). */
  userName: string;
  /** The user after the update; only the attributes `fields` names are sent. */
  user: UserAttributes;
  /**
   * Exactly the attributes that change, with the planner's equality (an e-mail that differs only in
   * case is the same e-mail): appliers send these and no others.
   */
  fields: FieldChange[];
}
export interface DeleteUser extends ChangeBase {
  kind: "deleteUser";
  userName: string;
}
/** A group idc-sync owns that the rules no longer name; planned after its memberships and assignments go. */
export interface DeleteGroup extends ChangeBase {
  kind: "deleteGroup";
  displayName: string;
}
export interface CreateGroup extends ChangeBase {
  kind: "createGroup";
  displayName: string;
  description?: string;
}
export interface UpdateGroup extends ChangeBase {
  kind: "updateGroup";
  /** The displayName Identity Center has now (differs from `displayName` on a rename). */
  currentDisplayName: string;
  displayName: string;
  description?: string;
  fields: FieldChange[];
}
export interface AddMember extends ChangeBase {
  kind: "addMember";
  groupName: string;
  userName: string;
}
export interface RemoveMember extends ChangeBase {
  kind: "removeMember";
  groupName: string;
  userName: string;
}
export interface CreatePermissionSet extends ChangeBase {
  kind: "createPermissionSet";
  permissionSet: PermissionSetAttributes;
}
/**
 * What an update of a permission set changes, as data (as cloudformation-diff's diff values carry their
 * additions and removals): an applier sends exactly this and re-derives nothing. Made by
 * `permissionSetDiff` (src/sync/permission-set-diff.ts); the new values are the change's `permissionSet`.
 */
export interface PermissionSetDiff {
  /** Description, session duration or relay state moved: one UpdatePermissionSet with the new values. */
  attributesChanged: boolean;
  managedPolicyArns: { added: string[]; removed: string[] };
  customerManagedPolicies: { added: CustomerManagedPolicyRef[]; removed: CustomerManagedPolicyRef[] };
  /** `put`: the permission set's `inlinePolicy` replaces the old one; `delete`: it has none any more. */
  inlinePolicy: "put" | "delete" | "unchanged";
  /** `put`: the permission set's `permissionsBoundary` replaces the old one; `delete`: none any more. */
  permissionsBoundary: "put" | "delete" | "unchanged";
  /** Tags to set (new keys or new values) and keys to remove. */
  tags: { set: Record<string, string>; removedKeys: string[] };
}
export interface UpdatePermissionSet extends ChangeBase {
  kind: "updatePermissionSet";
  /** The permission set after the update. */
  permissionSet: PermissionSetAttributes;
  /** Exactly what to send: the additions, removals and replacements that turn the current one into it. */
  diff: PermissionSetDiff;
  fields: FieldChange[];
}
export interface ProvisionPermissionSet extends ChangeBase {
  kind: "provisionPermissionSet";
  permissionSetName: string;
  /**
   * Accounts already using the permission set that need its latest version pushed: all of them after an
   * update, or those an earlier provisioning did not reach (`IcPermissionSet.outdatedAccountIds`).
   */
  accountIds: string[];
}
/** A permission set idc-sync owns that the rules no longer define; planned after its assignments go. */
export interface DeletePermissionSet extends ChangeBase {
  kind: "deletePermissionSet";
  permissionSetName: string;
}
export interface CreateAssignment extends ChangeBase {
  kind: "createAssignment";
  assignment: Assignment;
}
export interface DeleteAssignment extends ChangeBase {
  kind: "deleteAssignment";
  assignment: Assignment;
}

// ─── Revoking leavers' sessions (issue #20) ─────────────────────────────────────────────────────────

/**
 * One person's deny, as the plan reads it: who, until when, and why that long. The deny itself is an
 * explicit Deny of every action for the person's Identity Store user id (`identitystore:userId`),
 * written where `leavers.revokeSessions` says: service control policies idc-sync created, and/or the
 * inline policy of permission sets.
 */
interface RevocationChangeBase extends ChangeBase {
  /** Identity Store user id: what the deny names. */
  userId: string;
  /** The person's userName when known (it is gone once the user is deleted and the state is lost). */
  userName?: string;
  /** ISO-8601 to the minute, UTC: "2026-12-03T04:10Z". */
  until: string;
  /**
   * Keys of the changes that write the deny where it lives (SCPs, permission sets): this change holds
   * when they all did. Empty when nothing needs writing for it.
   */
  heldBy: string[];
  /** Where the deny is (or is no longer): "SCP idc-sync-revoke-sessions-1", "permission set Admin". */
  places: string[];
  /**
   * Why the deny could not be (completely) written: no room left, SCPs unusable, a permission set
   * idc-sync does not manage. The change then fails when applied, and the failure is alerted; the rest
   * of the plan (the removal of access above all) goes ahead.
   */
  problems?: string[];
}

/** "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z (longest session PT12H, 3 accounts)". */
export interface RevokeSessions extends RevocationChangeBase {
  kind: "revokeSessions";
  userName: string;
  /** The longest session duration among the permission sets the person had, ISO-8601. */
  longestSession: string;
  /** The accounts the person could reach through their assignments. */
  accountIds: string[];
}

/** The person still had access when this run read Identity Center: the deny is moved later. */
export interface ExtendRevocation extends RevocationChangeBase {
  kind: "extendRevocation";
  userName: string;
  previousUntil: string;
  longestSession: string;
  accountIds: string[];
}

/** The deny has expired (every session it was for has ended), or the person is back. */
export interface EndRevocation extends RevocationChangeBase {
  kind: "endRevocation";
}

/** One service control policy idc-sync writes its denies into, as the plan wants it. */
interface RevocationPolicyBase extends ChangeBase {
  /** "idc-sync-revoke-sessions-1". */
  policyName: string;
  /** The minified document: what is stored is what counts against the size limit. */
  content: string;
  /** User ids it denies. */
  entries: number;
  /** The document's size as AWS counts it, and the limit it keeps under. */
  size: number;
  sizeLimit: number;
}

export interface CreateRevocationPolicy extends RevocationPolicyBase {
  kind: "createRevocationPolicy";
  /** The root it is attached to, so it reaches every member account. */
  attachTo: string;
}

export interface UpdateRevocationPolicy extends RevocationPolicyBase {
  kind: "updateRevocationPolicy";
  policyId: string;
  /** Set when the policy is found detached and must be attached to the root again. */
  attachTo?: string;
}

/** A policy whose entries have all ended: detached from the root, then deleted. */
export interface DeleteRevocationPolicy extends ChangeBase {
  kind: "deleteRevocationPolicy";
  policyName: string;
  policyId: string;
  /** The root it is detached from first, when it is attached. */
  detachFrom?: string;
}

/**
 * What AWS Organizations holds for the kill switch, as the revocation planner needs it. `usable: false`
 * when service control policies cannot be read or written here (not enabled in the root, no
 * Organizations permissions, not the management account or a delegated administrator): the plan then
 * says why each deny cannot be written, and everything else goes ahead.
 */
export type ScpReadout =
  | {
      usable: true;
      /** The root idc-sync's policies are attached to, so they reach every member account. */
      rootId: string;
      /** The management account, which no SCP restricts. */
      managementAccountId: string;
      /** Ids of every SCP attached directly to the root, idc-sync's and others' (FullAWSAccess, ...). */
      attachedToRoot: string[];
      /** The SCPs idc-sync created (by their managed-by tag), with their content. */
      policies: StoredRevocationPolicy[];
      /** Names like idc-sync's that belong to SCPs it did not create: never used, never touched. */
      foreignNames: string[];
    }
  | { usable: false; problem: string };

export interface StoredRevocationPolicy {
  id: string;
  name: string;
  content: string;
}

export type RevocationPolicyChange = CreateRevocationPolicy | UpdateRevocationPolicy | DeleteRevocationPolicy;
export type RevocationChange = RevokeSessions | ExtendRevocation | EndRevocation;

/** What the `IdentityCenter` port applies. */
export type IdentityCenterChange =
  | CreateUser
  | UpdateUser
  | DeleteUser
  | CreateGroup
  | UpdateGroup
  | AddMember
  | RemoveMember
  | CreatePermissionSet
  | UpdatePermissionSet
  | ProvisionPermissionSet
  | CreateAssignment
  | DeleteAssignment
  | DeleteGroup
  | DeletePermissionSet;

export type Change = IdentityCenterChange | RevocationPolicyChange | RevocationChange;

export type ChangeKind = Change["kind"];

/**
 * Apply order (DESIGN.md §2): creations and updates first, removals last; a group or a permission set
 * goes only after the memberships and assignments that use it.
 */
export const changeKindOrder: readonly ChangeKind[] = [
  // The deny first, before any access is removed (issue #20): SCPs, then permission sets.
  "createRevocationPolicy",
  "updateRevocationPolicy",
  "deleteRevocationPolicy",
  "createPermissionSet",
  "updatePermissionSet",
  "provisionPermissionSet",
  // Settled by the writes above (see `settledByDependencies`).
  "revokeSessions",
  "extendRevocation",
  "endRevocation",
  "createGroup",
  "updateGroup",
  "createUser",
  "updateUser",
  "addMember",
  "createAssignment",
  "deleteAssignment",
  "removeMember",
  "deleteUser",
  "deleteGroup",
  "deletePermissionSet",
] as const;

/**
 * Kinds that write nothing themselves: they name a person's deny, which the changes in their `heldBy`
 * write. The applier settles them from those: applied when all of them were, skipped when one failed,
 * failed when the plan already knows the deny cannot be written (`problems`).
 */
export const settledByDependencies: ReadonlySet<ChangeKind> = new Set([
  "revokeSessions",
  "extendRevocation",
  "endRevocation",
]);

/** Kinds the `IdentityCenter` port never sees: the `RevocationPolicies` port writes them. */
export const revocationPolicyKinds: ReadonlySet<ChangeKind> = new Set([
  "createRevocationPolicy",
  "updateRevocationPolicy",
  "deleteRevocationPolicy",
]);

export const removalKinds: ReadonlySet<ChangeKind> = new Set([
  "deleteUser",
  "removeMember",
  "deleteAssignment",
  "deleteGroup",
  "deletePermissionSet",
]);

/** Something outside scope that the plan noticed and left alone. */
export interface ScopeNote {
  /**
   * `externallyProvisioned`: users another provisioner owns; `keptInUse`: a group or permission set
   * idc-sync would remove but may not, because something it never touches still uses it;
   * `inactiveAccount`: assignments in an account that is not ACTIVE, which AWS cannot change.
   */
  kind:
    | "unmanagedUser"
    | "unmanagedGroup"
    | "protected"
    | "externallyProvisioned"
    | "keptInUse"
    | "inactiveAccount";
  name: string;
  detail: string;
}

export interface Plan {
  /** Sorted by `changeKindOrder`, then key. Empty when in sync. */
  changes: Change[];
  /**
   * Removals the plan would hold but may not, because the directory read was not proven complete
   * (`holdBackRemovals`). Never applied; the next run with a complete read plans them again.
   */
  heldBack?: { changes: Change[]; reasons: string[] };
  /** Things left alone because they are outside scope or protected (for reporting, never applied). */
  notes: ScopeNote[];
  /**
   * Managed objects counted for percentage limits: managed users, memberships, assignments, and the
   * groups and permission sets idc-sync manages.
   */
  managedObjectCount: number;
  /**
   * What idc-sync will own once the plan is applied (`settleOwnership` corrects it for changes that did
   * not happen). Kept in the run state; never rendered.
   */
  ownership?: Ownership;
  /** userNames of users another provisioner owns that the plan left alone (for a one-time notice). */
  externallyProvisionedUsers?: string[];
  /**
   * Names of the AWS accounts the changes name, by id (`withAccountNames`), so people read
   * `core-prod (222222222222)` rather than a bare id. Absent when no change names an account.
   */
  accountNames?: Record<string, string>;
  /**
   * Managed Identity Center users the rules no longer want (suspended, deleted, archived, excluded, in no
   * mapped group), whatever `users.leavers` does with them: whose sessions the kill switch ends.
   */
  leavers?: PlanLeaver[];
}

/** A leaver as the plan found them in Identity Center. */
export interface PlanLeaver {
  userName: string;
  /** Identity Store user id. */
  userId: string;
  /** "suspended in Google". */
  reason: string;
}

// ─── Ownership ──────────────────────────────────────────────────────────────────────────────────────

/** A group or permission set idc-sync owns, and where it came from. */
export interface OwnedObject {
  /** The rule that last defined it ("groups[2]"); absent when known only by the managed-by tag. */
  rule?: string;
  /** `created` by idc-sync, or `adopted`: it existed when the rules first named it. */
  origin: "created" | "adopted";
}

/**
 * What idc-sync owns in Identity Center, kept in the run state between runs. Groups have no tags, so
 * this record is the only way to know a group idc-sync made once the rules stop naming it.
 */
export interface Ownership {
  /** By display name. */
  groups: Record<string, OwnedObject>;
  /** By name. */
  permissionSets: Record<string, OwnedObject>;
  /** Google user id → the person's Identity Center user. */
  users: Record<string, OwnedUser>;
}

/**
 * The Identity Center user a Google id became. `userId` once a run has seen the user (it survives any
 * rename); until then (the run that creates the user cannot know its id) the userName it was created as.
 */
export interface OwnedUser {
  userId?: string;
  userName: string;
}

// ─── Applying ───────────────────────────────────────────────────────────────────────────────────────

export const OutcomeStatus = {
  applied: "applied",
  failed: "failed",
  skipped: "skipped",
  notStarted: "notStarted",
} as const;
export type OutcomeStatus = (typeof OutcomeStatus)[keyof typeof OutcomeStatus];

export interface ChangeOutcome {
  key: string;
  kind: ChangeKind;
  status: OutcomeStatus;
  /** For failed: the error message (AWS's reason for an asynchronous FAILED). */
  error?: string;
  /** For skipped: the keys of the failed changes it depended on. */
  blockedBy?: string[];
}

export interface ApplyReport {
  outcomes: ChangeOutcome[];
  applied: number;
  failed: number;
  skipped: number;
  /** Changes not started because the deadline came (carried to the next run). */
  notStarted: number;
}

/**
 * The `IdentityCenter` port over the real AWS APIs: identitystore for users, groups and memberships,
 * sso-admin for permission sets and account assignments. It reads the state with as few calls as the
 * scope allows, applies one change at a time as the plan asks, and keeps the name → id maps the plan
 * needs (it learns new ids as it creates). It decides nothing: the plan says what to do.
 */
import {
  type AttributeOperation,
  CreateGroupCommand,
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupMembershipCommand,
  DeleteUserCommand,
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetGroupMembershipIdCommand,
  GetUserIdCommand,
  type Group,
  type GroupMembership,
  type IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
  UpdateGroupCommand,
  UpdateUserCommand,
  type User,
} from "@aws-sdk/client-identitystore";
import {
  type AccountAssignment,
  type AccountAssignmentForPrincipal,
  type AccountAssignmentOperationStatus,
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  type CustomerManagedPolicyReference,
  DeleteAccountAssignmentCommand,
  DeleteInlinePolicyFromPermissionSetCommand,
  DeletePermissionSetCommand,
  DeletePermissionsBoundaryFromPermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  DetachCustomerManagedPolicyReferenceFromPermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ListTagsForResourceCommand,
  type PermissionSet,
  type PermissionSetProvisioningStatus,
  type ProvisioningStatus,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  type SSOAdminClient,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePermissionSetCommand,
} from "@aws-sdk/client-sso-admin";
import { canonicalPolicyText } from "../../sync/canonical-json.js";
import { ChangeFailedError, FailureKind, IdentityCenterReadError, SyncError } from "../../sync/errors.js";
import { compareStrings, sortCustomerPolicies } from "../../sync/keys.js";
import type {
  Assignment,
  CreateAssignment,
  CreateGroup,
  CreatePermissionSet,
  CreateUser,
  DeleteAssignment,
  IcGroup,
  IcPermissionSet,
  IcUser,
  IdentityCenterChange,
  IdentityCenterState,
  KnownGroup,
  PermissionSetAttributes,
  PermissionSetDiff,
  PrincipalType,
  ProvisionPermissionSet,
  Scope,
  UpdateGroup,
  UpdatePermissionSet,
  UpdateUser,
} from "../../sync/model.js";
import { customerPolicyKey, permissionSetDiff } from "../../sync/permission-set-diff.js";
import type { IdentityCenter, ProgressListener } from "../../sync/ports.js";
import {
  isManagedGroup,
  isManagedPermissionSet,
  isManagedUser,
  isProtectedGroup,
  userKey,
} from "../../sync/scope.js";
import type { DescribedPrincipal, IdentityCenterPeopleRequest } from "../../sync/targeted/reads.js";
import { realSleep, type Sleep } from "../retry.js";
import { allPages } from "./all-pages.js";
import {
  AwsCaller,
  AwsService,
  awsErrorName,
  type CallListener,
  classifyWriteFailure,
  type RetryPolicy,
} from "./aws-caller.js";
import { type ExpectedAwsError, expectingAwsError, toleratingAwsError } from "./expected-error.js";
import {
  type AwsLimits,
  type AwsRateBuckets,
  defaultAwsLimits,
  mapConcurrently,
  Semaphore,
} from "./limits.js";
import {
  boundaryFromAws,
  boundaryToAws,
  customerPolicyFromAws,
  customerPolicyToAws,
  managedByTag,
  tagsFromAws,
  tagsToAws,
} from "./permission-set-attributes.js";
import {
  createUserFields,
  enterpriseExtension,
  everyUserAttributeOperation,
  userFromAws,
  userUpdateOperations,
} from "./user-attributes.js";

export interface AwsIdentityCenterOptions {
  identityStore: IdentitystoreClient;
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  identityStoreId: string;
  limits?: Partial<AwsLimits>;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries, polls and rate-limited calls; injectable for tests. */
  sleep?: Sleep;
  /** Milliseconds, for the retry window; injectable with `sleep` so tests control time. */
  now?: () => number;
  /** First wait before polling an asynchronous request's status; doubles up to 10× this. Default 1 s. */
  pollIntervalMs?: number;
  /** Total waiting after which an asynchronous request still IN_PROGRESS fails the change. Default 5 min. */
  pollDeadlineMs?: number;
  /** Told about every request attempt, e.g. to count calls. */
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
  /** Token buckets shared with the process's other adapters (`processRateBuckets`); default: its own. */
  rateBuckets?: AwsRateBuckets;
  /**
   * Read the members of every group and the assignments of every user and group, not only of the
   * managed ones: the access report shows access no rule explains, so it must see it. Plans and applies
   * leave it off (it costs a ListGroupMemberships per unmanaged group and more assignment reads).
   */
  readEveryPrincipal?: boolean;
}

/** The status of an asynchronous sso-admin request, whichever kind it is. */
interface AsyncStatus {
  Status?: string;
  RequestId?: string;
  FailureReason?: string;
}

interface KnownPermissionSet {
  arn: string;
  /** What DescribePermissionSet said while listing, so reading in full does not ask again. */
  details?: PermissionSet;
  /** Present when the permission set was read in full (managed) or created by this adapter. */
  attributes?: PermissionSetAttributes;
}

/** A managed user or group whose assignments are read. */
interface Principal {
  type: PrincipalType;
  id: string;
  name: string;
}

const maxPageSize = 100;

export class AwsIdentityCenter implements IdentityCenter {
  readonly instanceArn: string;
  readonly identityStoreId: string;
  private readonly identityStore: IdentitystoreClient;
  private readonly ssoAdmin: SSOAdminClient;
  private readonly limits: AwsLimits;
  private readonly caller: AwsCaller;
  private readonly sleep: Sleep;
  private readonly pollIntervalMs: number;
  private readonly pollDeadlineMs: number;
  private readonly assignmentRequests: Semaphore;
  private readonly provisionings: Semaphore;
  private readonly accountLocks = new Map<string, Semaphore>();
  private readonly readEveryPrincipal: boolean;

  // What the adapter knows: filled by readState, kept up to date by applyChange.
  private readonly userIdsByKey = new Map<string, string>();
  private readonly usersById = new Map<string, IcUser>();
  private readonly groupIdsByName = new Map<string, string>();
  private readonly groupsById = new Map<string, IcGroup>();
  private readonly permissionSetsByName = new Map<string, KnownPermissionSet>();
  private readonly membershipIds = new Map<string, string>();
  private permissionSetsListed = false;
  /** False once AWS refused ListAccountAssignmentsForPrincipal (the caller is a delegated administrator). */
  private principalListingAllowed = true;

  constructor(options: AwsIdentityCenterOptions) {
    this.identityStore = options.identityStore;
    this.ssoAdmin = options.ssoAdmin;
    this.instanceArn = options.instanceArn;
    this.identityStoreId = options.identityStoreId;
    this.limits = { ...defaultAwsLimits, ...options.limits };
    this.sleep = options.sleep ?? realSleep;
    this.caller = new AwsCaller({
      limits: this.limits,
      sleep: this.sleep,
      ...(options.now ? { now: options.now } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
      ...(options.rateBuckets ? { rateBuckets: options.rateBuckets } : {}),
    });
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.pollDeadlineMs = options.pollDeadlineMs ?? 5 * 60_000;
    this.assignmentRequests = new Semaphore(this.limits.maxOutstandingAssignmentRequests);
    this.provisionings = new Semaphore(this.limits.maxConcurrentProvisionings);
    this.readEveryPrincipal = options.readEveryPrincipal ?? false;
  }

  // ─── Reading ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Every user and group; members of managed groups only; managed permission sets in full (others by
   * name only, not returned); assignments of managed principals only, per principal or per provisioned
   * (permission set, account) pair, whichever costs fewer calls (`readManagedAssignments`).
   */
  async readState(scope: Scope, progress?: ProgressListener): Promise<IdentityCenterState> {
    try {
      return await this.readStateUnguarded(scope, progress);
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new IdentityCenterReadError(`cannot read Identity Center: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  private async readStateUnguarded(scope: Scope, progress?: ProgressListener): Promise<IdentityCenterState> {
    const users = await this.readUsers(progress);
    const groups = await this.readGroups(progress);

    // Groups the ownership record holds but the rules no longer name are read like managed ones: their
    // memberships and assignments are what a removal takes away first.
    const ownedGroups = new Set(scope.ownedGroupNames ?? []);
    const managedGroups = groups.filter(
      (group) =>
        this.readEveryPrincipal ||
        isManagedGroup(scope, group.displayName) ||
        (ownedGroups.has(group.displayName) && !isProtectedGroup(scope, group.displayName)),
    );
    let membersDone = 0;
    await mapConcurrently(managedGroups, this.limits.readConcurrency, async (group) => {
      group.members = await this.readMembers(group.id);
      membersDone += 1;
      progress?.({ phase: "members", done: membersDone, total: managedGroups.length });
    });

    const permissionSets = await this.readPermissionSets(scope, progress);

    const principals: Principal[] = [
      ...users
        .filter((user) => this.readEveryPrincipal || isManagedUser(scope, user.userName))
        .map((user) => ({ type: "USER" as const, id: user.id, name: user.userName })),
      ...managedGroups.map((group) => ({ type: "GROUP" as const, id: group.id, name: group.displayName })),
    ];
    const assignments = await this.readManagedAssignments(principals, permissionSets, progress);
    const retiring = permissionSets.filter((set) => !isManagedPermissionSet(scope, set.name));
    const inUse = await this.readEveryAssignmentOf(retiring);

    return {
      users: users.map((user) => structuredClone(user)),
      groups: groups.map((group) => structuredClone(group)),
      permissionSets,
      assignments: uniqueAssignments([...assignments, ...inUse]),
    };
  }

  /**
   * Every assignment of the given permission sets, whoever the principal: a permission set that left the
   * rules can only be deleted once nothing uses it (DeletePermissionSet answers ConflictException while
   * it is assigned), so the plan must see the assignments idc-sync may not remove too. A principal that
   * no longer exists (AWS leaves its assignments behind) is named `deleted:<id>`.
   */
  private async readEveryAssignmentOf(sets: IcPermissionSet[]): Promise<Assignment[]> {
    const pairs = sets.flatMap((set) => set.provisionedAccountIds.map((accountId) => ({ set, accountId })));
    const perPair = await mapConcurrently(pairs, this.limits.readConcurrency, async ({ set, accountId }) => {
      const found = await this.readAssignmentsInAccount(set.arn, accountId);
      return found.map((entry): Assignment => {
        const principalType = entry.PrincipalType === "GROUP" ? "GROUP" : "USER";
        const id = entry.PrincipalId ?? "";
        const name =
          principalType === "USER" ? this.usersById.get(id)?.userName : this.groupsById.get(id)?.displayName;
        return {
          principalType,
          principalName: name ?? `deleted:${id}`,
          permissionSetName: set.name,
          accountId,
        };
      });
    });
    return perPair.flat();
  }

  /**
   * The assignments of the managed principals, read whichever way costs fewer calls. One
   * ListAccountAssignmentsForPrincipal per principal reads exactly what is needed but costs a call per
   * managed user; one ListAccountAssignments per (permission set, account it is provisioned to) reads
   * every principal's assignments at once, which is far cheaper when there are thousands of users and a
   * few hundred such pairs. Every assignment implies its permission set is provisioned to its account,
   * so both ways see the same assignments; the second keeps only the managed principals'.
   *
   * ListAccountAssignmentsForPrincipal "must be called from the management account" (API reference): a
   * delegated administrator is refused, so the pairs are read instead, whatever they cost.
   */
  private async readManagedAssignments(
    principals: Principal[],
    managedSets: IcPermissionSet[],
    progress?: ProgressListener,
  ): Promise<Assignment[]> {
    const namesByArn = new Map([...this.permissionSetsByName].map(([name, known]) => [known.arn, name]));
    const managedArns = new Set(managedSets.map((set) => set.arn));
    const otherArns = [...namesByArn.keys()].filter((arn) => !managedArns.has(arn));
    const knownPairs = managedSets.reduce((sum, set) => sum + set.provisionedAccountIds.length, 0);
    // Listing the other permission sets' accounts is itself a call each: only worth it if even then the
    // pairs could still come out cheaper than the principals.
    if (this.principalListingAllowed && principals.length <= knownPairs + otherArns.length) {
      const found = await this.readAssignmentsByPrincipal(principals, namesByArn, progress);
      if (found !== undefined) return found;
    }
    const otherSets = await mapConcurrently(otherArns, this.limits.readConcurrency, async (arn) => ({
      arn,
      provisionedAccountIds: await this.readProvisionedAccounts(arn),
    }));
    const pairs = [...managedSets, ...otherSets].flatMap((set) =>
      set.provisionedAccountIds.map((accountId) => ({ arn: set.arn, accountId })),
    );
    if (this.principalListingAllowed && principals.length <= pairs.length) {
      const found = await this.readAssignmentsByPrincipal(principals, namesByArn, progress);
      if (found !== undefined) return found;
    }
    return this.readAssignmentsByPair(principals, pairs, namesByArn, progress);
  }

  private async readAssignmentsByPair(
    principals: Principal[],
    pairs: { arn: string; accountId: string }[],
    namesByArn: Map<string, string>,
    progress?: ProgressListener,
  ): Promise<Assignment[]> {
    const principalsById = new Map(
      principals.map((principal) => [`${principal.type}:${principal.id}`, principal]),
    );
    let pairsDone = 0;
    const perPair = await mapConcurrently(pairs, this.limits.readConcurrency, async ({ arn, accountId }) => {
      const found = await this.readAssignmentsInAccount(arn, accountId);
      pairsDone += 1;
      progress?.({ phase: "assignments", done: pairsDone, total: pairs.length });
      const permissionSetName = namesByArn.get(arn);
      if (permissionSetName === undefined) return [];
      return found.flatMap((entry): Assignment[] => {
        const principal = principalsById.get(`${entry.PrincipalType}:${entry.PrincipalId}`);
        if (principal === undefined) return [];
        return [
          { principalType: principal.type, principalName: principal.name, permissionSetName, accountId },
        ];
      });
    });
    return perPair.flat();
  }

  /**
   * Per principal; undefined when AWS refuses ListAccountAssignmentsForPrincipal (AccessDeniedException:
   * a delegated administrator). The first principal is asked alone, so a refusal costs one call, and
   * the adapter does not ask again.
   */
  private async readAssignmentsByPrincipal(
    principals: Principal[],
    namesByArn: Map<string, string>,
    progress?: ProgressListener,
  ): Promise<Assignment[] | undefined> {
    const [first, ...rest] = principals;
    if (first === undefined) return [];
    const firstFound = await expectingAwsError(
      () => this.readAssignments(first.type, first.id),
      "AccessDeniedException",
      () => undefined,
    );
    if (firstFound === undefined) {
      this.principalListingAllowed = false;
      return undefined;
    }
    const toAssignments = (principal: Principal, found: AccountAssignmentForPrincipal[]): Assignment[] =>
      found.flatMap((entry): Assignment[] => {
        const permissionSetName = entry.PermissionSetArn ? namesByArn.get(entry.PermissionSetArn) : undefined;
        if (permissionSetName === undefined || entry.AccountId === undefined) return [];
        return [
          {
            principalType: principal.type,
            principalName: principal.name,
            permissionSetName,
            accountId: entry.AccountId,
          },
        ];
      });
    let principalsDone = 1;
    progress?.({ phase: "assignments", done: principalsDone, total: principals.length });
    const perPrincipal = await mapConcurrently(rest, this.limits.readConcurrency, async (principal) => {
      const found = await this.readAssignments(principal.type, principal.id);
      principalsDone += 1;
      progress?.({ phase: "assignments", done: principalsDone, total: principals.length });
      return toAssignments(principal, found);
    });
    return [...toAssignments(first, firstFound), ...perPrincipal.flat()];
  }

  private async readAssignmentsInAccount(arn: string, accountId: string): Promise<AccountAssignment[]> {
    const assignments = await allPages<AccountAssignment>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListAccountAssignments", () =>
        this.ssoAdmin.send(
          new ListAccountAssignmentsCommand({
            InstanceArn: this.instanceArn,
            AccountId: accountId,
            PermissionSetArn: arn,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.AccountAssignments, nextToken: page.NextToken };
    });
    return assignments;
  }

  private async readUsers(progress?: ProgressListener): Promise<IcUser[]> {
    const raw = await allPages<User>(
      async (nextToken) => {
        const page = await this.identityStoreCall("ListUsers", () =>
          this.identityStore.send(
            new ListUsersCommand({
              IdentityStoreId: this.identityStoreId,
              Extensions: [enterpriseExtension],
              MaxResults: maxPageSize,
              NextToken: nextToken,
            }),
          ),
        );
        return { items: page.Users, nextToken: page.NextToken };
      },
      (done) => progress?.({ phase: "users", done }),
    );

    this.userIdsByKey.clear();
    this.usersById.clear();
    const userNames = new Map(raw.map((user) => [user.UserId ?? "", user.UserName ?? ""]));
    const users = raw.map((user) => userFromAws(user, (id) => userNames.get(id)));
    for (const user of users) this.rememberUser(user);
    return users;
  }

  private async readGroups(progress?: ProgressListener): Promise<IcGroup[]> {
    const raw = await allPages<Group>(
      async (nextToken) => {
        const page = await this.identityStoreCall("ListGroups", () =>
          this.identityStore.send(
            new ListGroupsCommand({
              IdentityStoreId: this.identityStoreId,
              MaxResults: maxPageSize,
              NextToken: nextToken,
            }),
          ),
        );
        return { items: page.Groups, nextToken: page.NextToken };
      },
      (done) => progress?.({ phase: "groups", done }),
    );

    this.groupIdsByName.clear();
    this.groupsById.clear();
    this.membershipIds.clear();
    return raw.map((entry) => {
      const group: IcGroup = { id: entry.GroupId ?? "", displayName: entry.DisplayName ?? "" };
      if (entry.Description !== undefined && entry.Description !== "") group.description = entry.Description;
      this.rememberGroup(group);
      return group;
    });
  }

  /** userNames of the group's members; memberships left behind by deleted users are skipped. */
  private async readMembers(groupId: string): Promise<string[]> {
    const memberships = await allPages<GroupMembership>(async (nextToken) => {
      const page = await this.identityStoreCall("ListGroupMemberships", () =>
        this.identityStore.send(
          new ListGroupMembershipsCommand({
            IdentityStoreId: this.identityStoreId,
            GroupId: groupId,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.GroupMemberships, nextToken: page.NextToken };
    });

    const members: string[] = [];
    for (const membership of memberships) {
      const userId = memberUserId(membership.MemberId);
      const user = userId === undefined ? undefined : this.usersById.get(userId);
      if (!user || userId === undefined) continue;
      members.push(user.userName);
      if (membership.MembershipId)
        this.membershipIds.set(membershipKey(groupId, userId), membership.MembershipId);
    }
    return members.sort(compareStrings);
  }

  private async listPermissionSetNames(progress?: ProgressListener): Promise<void> {
    const arns = await allPages<string>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListPermissionSets", () =>
        this.ssoAdmin.send(
          new ListPermissionSetsCommand({
            InstanceArn: this.instanceArn,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.PermissionSets, nextToken: page.NextToken };
    });

    let described = 0;
    const describedSets = await mapConcurrently(arns, this.limits.readConcurrency, async (arn) => {
      const output = await this.ssoAdminCall("DescribePermissionSet", () =>
        this.ssoAdmin.send(
          new DescribePermissionSetCommand({ InstanceArn: this.instanceArn, PermissionSetArn: arn }),
        ),
      );
      described += 1;
      progress?.({ phase: "permissionSets", done: described, total: arns.length });
      return { arn, details: output.PermissionSet };
    });
    this.permissionSetsByName.clear();
    for (const { arn, details } of describedSets) {
      if (details?.Name !== undefined) this.permissionSetsByName.set(details.Name, { arn, details });
    }
    this.permissionSetsListed = true;
  }

  /**
   * The permission sets the rules define, those the ownership record holds, and (when the record is
   * lost) those tagged managed-by=idc-sync, all in full. Others are listed by name only, not returned.
   */
  private async readPermissionSets(scope: Scope, progress?: ProgressListener): Promise<IcPermissionSet[]> {
    await this.listPermissionSetNames(progress);
    const owned = new Set(scope.ownedPermissionSetNames ?? []);
    const wanted = [...this.permissionSetsByName].filter(
      ([name]) => isManagedPermissionSet(scope, name) || owned.has(name),
    );
    const tagsRead = new Map<string, Tag[]>();
    if (scope.findTaggedPermissionSets === true) {
      const others = [...this.permissionSetsByName].filter(
        ([name]) => !isManagedPermissionSet(scope, name) && !owned.has(name),
      );
      await mapConcurrently(others, this.limits.readConcurrency, async ([name, known]) => {
        const tags = await this.readTags(known.arn);
        if (tags.some(isManagedByTag)) {
          tagsRead.set(name, tags);
          wanted.push([name, known]);
        }
      });
    }
    const permissionSets = await mapConcurrently(
      wanted,
      this.limits.readConcurrency,
      async ([name, known]) => {
        const { attributes, managedByTag } = await this.readPermissionSetAttributes(
          known.arn,
          known.details,
          tagsRead.get(name),
        );
        known.attributes = attributes;
        const provisionedAccountIds = await this.readProvisionedAccounts(known.arn);
        const set: IcPermissionSet = {
          ...structuredClone(attributes),
          name,
          arn: known.arn,
          provisionedAccountIds,
        };
        if (managedByTag) set.managedByTag = true;
        // Accounts an earlier provisioning did not reach (it FAILED, timed out, or never ran): the planner
        // provisions them again. Only the rules' permission sets are provisioned, so only theirs are asked.
        if (isManagedPermissionSet(scope, name) && provisionedAccountIds.length > 0) {
          const outdated = await this.readProvisionedAccounts(
            known.arn,
            "LATEST_PERMISSION_SET_NOT_PROVISIONED",
          );
          if (outdated.length > 0) set.outdatedAccountIds = outdated;
        }
        return set;
      },
    );
    return permissionSets.sort((a, b) => compareStrings(a.name, b.name));
  }

  private async readTags(arn: string): Promise<Tag[]> {
    return allPages<Tag>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListTagsForResource", () =>
        this.ssoAdmin.send(
          new ListTagsForResourceCommand({
            InstanceArn: this.instanceArn,
            ResourceArn: arn,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.Tags, nextToken: page.NextToken };
    });
  }

  private async readPermissionSetAttributes(
    arn: string,
    described?: PermissionSet,
    tagsAlreadyRead?: Tag[],
  ): Promise<{ attributes: PermissionSetAttributes; managedByTag: boolean }> {
    const target = { InstanceArn: this.instanceArn, PermissionSetArn: arn };
    const details =
      described ??
      (
        await this.ssoAdminCall("DescribePermissionSet", () =>
          this.ssoAdmin.send(new DescribePermissionSetCommand(target)),
        )
      ).PermissionSet;
    const managedPolicyArns = await this.readManagedPolicyArns(arn);
    const customerManaged = await this.readCustomerManagedPolicies(arn);

    const inline = await this.ssoAdminCall("GetInlinePolicyForPermissionSet", () =>
      this.ssoAdmin.send(new GetInlinePolicyForPermissionSetCommand(target)),
    );
    const boundary = await this.ssoAdminCall("GetPermissionsBoundaryForPermissionSet", () =>
      // AWS answers ResourceNotFoundException when the permission set has no boundary.
      expectingAwsError(
        () => this.ssoAdmin.send(new GetPermissionsBoundaryForPermissionSetCommand(target)),
        "ResourceNotFoundException",
        () => ({ PermissionsBoundary: undefined }),
      ),
    );

    const tags = tagsAlreadyRead ?? (await this.readTags(arn));

    const attributes: PermissionSetAttributes = {
      name: details?.Name ?? "",
      sessionDuration: details?.SessionDuration ?? "PT1H",
      managedPolicyArns: managedPolicyArns.sort(compareStrings),
      customerManagedPolicies: sortCustomerPolicies(customerManaged.map(customerPolicyFromAws)),
      tags: tagsFromAws(tags),
    };
    if (details?.Description) attributes.description = details.Description;
    if (details?.RelayState) attributes.relayState = details.RelayState;
    if (inline.InlinePolicy) attributes.inlinePolicy = canonicalPolicyText(inline.InlinePolicy);
    const permissionsBoundary = boundaryFromAws(boundary.PermissionsBoundary);
    if (permissionsBoundary) attributes.permissionsBoundary = permissionsBoundary;
    return { attributes, managedByTag: tags.some(isManagedByTag) };
  }

  private async readManagedPolicyArns(arn: string): Promise<string[]> {
    const policies = await allPages(async (nextToken) => {
      const page = await this.ssoAdminCall("ListManagedPoliciesInPermissionSet", () =>
        this.ssoAdmin.send(
          new ListManagedPoliciesInPermissionSetCommand({
            InstanceArn: this.instanceArn,
            PermissionSetArn: arn,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.AttachedManagedPolicies, nextToken: page.NextToken };
    });
    return policies.flatMap((policy) => (policy.Arn ? [policy.Arn] : []));
  }

  private async readCustomerManagedPolicies(arn: string): Promise<CustomerManagedPolicyReference[]> {
    return allPages<CustomerManagedPolicyReference>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListCustomerManagedPolicyReferencesInPermissionSet", () =>
        this.ssoAdmin.send(
          new ListCustomerManagedPolicyReferencesInPermissionSetCommand({
            InstanceArn: this.instanceArn,
            PermissionSetArn: arn,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.CustomerManagedPolicyReferences, nextToken: page.NextToken };
    });
  }

  /** The accounts the permission set is provisioned to; with `status`, only those in that state. */
  private async readProvisionedAccounts(arn: string, status?: ProvisioningStatus): Promise<string[]> {
    const accountIds = await allPages<string>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListAccountsForProvisionedPermissionSet", () =>
        this.ssoAdmin.send(
          new ListAccountsForProvisionedPermissionSetCommand({
            InstanceArn: this.instanceArn,
            PermissionSetArn: arn,
            ...(status !== undefined ? { ProvisioningStatus: status } : {}),
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.AccountIds, nextToken: page.NextToken };
    });
    return accountIds.sort(compareStrings);
  }

  private async readAssignments(
    type: PrincipalType,
    principalId: string,
  ): Promise<AccountAssignmentForPrincipal[]> {
    const assignments = await allPages<AccountAssignmentForPrincipal>(async (nextToken) => {
      const page = await this.ssoAdminCall("ListAccountAssignmentsForPrincipal", () =>
        this.ssoAdmin.send(
          new ListAccountAssignmentsForPrincipalCommand({
            InstanceArn: this.instanceArn,
            PrincipalId: principalId,
            PrincipalType: type,
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.AccountAssignments, nextToken: page.NextToken };
    });
    return assignments;
  }

  // ─── Targeted reads (issue #14) ───────────────────────────────────────────────────────────────────

  /**
   * A targeted run's read, in as few calls as the API allows: ListGroups (every group's name, a page per
   * hundred groups) unless the request brings the groups the last full run listed (then DescribeGroup
   * only for a group of theirs made since); GetUserId per address the people may have; DescribeUser per user found (and per
   * manager it names, for the name); ListGroupMembershipsForMember and ListAccountAssignmentsForPrincipal
   * per user (with `withGroupAccess`, per group of theirs too); DescribePermissionSet per permission set
   * an assignment names. Permission sets come back with their name, description and session duration
   * only (`IdentityCenterPeopleState`).
   */
  async readPeople(request: IdentityCenterPeopleRequest, _scope: Scope): Promise<IdentityCenterState> {
    try {
      return await this.readPeopleUnguarded(request);
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new IdentityCenterReadError(`cannot read Identity Center: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  private async readPeopleUnguarded(request: IdentityCenterPeopleRequest): Promise<IdentityCenterState> {
    const groups = request.knownGroups
      ? this.rememberKnownGroups(request.knownGroups)
      : await this.readGroups();
    // Users known by id (the run state records the id each Google person became) are described first:
    // an address one of them already holds needs no GetUserId.
    const managers = request.attributesNeeded;
    const byId = await this.describeUsers([...new Set(request.userIds)], managers);
    const held = new Set(byId.map((user) => userKey(user.userName)));
    const found = await mapConcurrently(
      [...new Set(request.userNames.map(userKey))].filter((userName) => !held.has(userName)),
      this.limits.readConcurrency,
      (userName) => this.findUserId(userName),
    );
    const known = new Set(byId.map((user) => user.id));
    const byName = await this.describeUsers(
      [...new Set(found.filter((id): id is string => id !== undefined && !known.has(id)))],
      managers,
    );
    const users = [...byId, ...byName].sort((a, b) =>
      compareStrings(userKey(a.userName), userKey(b.userName)),
    );

    const groupsById = new Map(groups.map((group) => [group.id, group]));
    for (const group of groups) group.members = [];
    const theirGroups = new Set<string>();
    const memberships = await mapConcurrently(users, this.limits.readConcurrency, (user) =>
      this.readMembershipsOf(user.id),
    );
    // Groups made since the last full run listed them: described one by one (they are few).
    const unknownGroupIds = [
      ...new Set(
        memberships
          .flat()
          .map((membership) => membership.GroupId)
          .filter((id): id is string => id !== undefined && !groupsById.has(id)),
      ),
    ];
    if (request.knownGroups) {
      for (const group of await mapConcurrently(unknownGroupIds, this.limits.readConcurrency, (id) =>
        this.describeGroup(id),
      )) {
        if (group === undefined) continue;
        group.members = [];
        groups.push(group);
        groupsById.set(group.id, group);
      }
    }
    users.forEach((user, index) => {
      for (const membership of memberships[index] ?? []) {
        const group = membership.GroupId === undefined ? undefined : groupsById.get(membership.GroupId);
        if (group === undefined) continue;
        group.members?.push(user.userName);
        theirGroups.add(group.id);
        if (membership.MembershipId)
          this.membershipIds.set(membershipKey(group.id, user.id), membership.MembershipId);
      }
    });
    for (const group of groups) group.members?.sort(compareStrings);

    const principals: Principal[] = [
      ...users.map((user) => ({ type: "USER" as const, id: user.id, name: user.userName })),
      ...(request.withGroupAccess
        ? [...theirGroups].flatMap((id) => {
            const group = groupsById.get(id);
            return group === undefined ? [] : [{ type: "GROUP" as const, id, name: group.displayName }];
          })
        : []),
    ];
    if (request.permissionSetNames.length > 0 && !this.permissionSetsListed)
      await this.listPermissionSetNames();
    const assignments = await this.readAssignmentsOfPeople(principals);
    const names = new Set([...assignments.map((a) => a.permissionSetName), ...request.permissionSetNames]);
    const permissionSets = [...names].flatMap((name): IcPermissionSet[] => {
      const known = this.permissionSetsByName.get(name);
      if (known === undefined) return [];
      const details = known.details;
      return [
        {
          name,
          arn: known.arn,
          sessionDuration: details?.SessionDuration ?? "PT1H",
          ...(details?.Description ? { description: details.Description } : {}),
          ...(details?.RelayState ? { relayState: details.RelayState } : {}),
          managedPolicyArns: [],
          customerManagedPolicies: [],
          tags: {},
          provisionedAccountIds: [],
        },
      ];
    });
    return {
      users: users.map((user) => structuredClone(user)),
      groups: groups.map((group) => structuredClone(group)),
      permissionSets: permissionSets.sort((a, b) => compareStrings(a.name, b.name)),
      assignments: uniqueAssignments(assignments),
    };
  }

  /**
   * DescribeUser for each id (gone ones skipped), then, with `managers`, for the managers not among them,
   * for their names (without, a manager not known already is left out: only leavers are read then).
   */
  private async describeUsers(ids: string[], managers: boolean): Promise<IcUser[]> {
    const raw = (
      await mapConcurrently(ids, this.limits.readConcurrency, (id) => this.describeRawUser(id))
    ).filter((user): user is User => user !== undefined);
    const names = new Map(raw.map((user) => [user.UserId ?? "", user.UserName ?? ""]));
    for (const user of this.usersById.values()) names.set(user.id, user.userName);
    const managerIds = raw.flatMap((user) => {
      const manager = (
        user.Extensions?.[enterpriseExtension] as { manager?: { value?: unknown } } | undefined
      )?.manager?.value;
      return managers && typeof manager === "string" && !names.has(manager) ? [manager] : [];
    });
    for (const manager of await mapConcurrently([...new Set(managerIds)], this.limits.readConcurrency, (id) =>
      this.describeRawUser(id),
    )) {
      if (manager?.UserId !== undefined) names.set(manager.UserId, manager.UserName ?? "");
    }
    const users = raw.map((user) => userFromAws(user, (id) => names.get(id)));
    for (const user of users) this.rememberUser(user);
    return users.sort((a, b) => compareStrings(userKey(a.userName), userKey(b.userName)));
  }

  private describeRawUser(id: string): Promise<User | undefined> {
    return expectingAwsError(
      () =>
        this.identityStoreCall("DescribeUser", () =>
          this.identityStore.send(
            new DescribeUserCommand({
              IdentityStoreId: this.identityStoreId,
              UserId: id,
              Extensions: [enterpriseExtension],
            }),
          ),
        ),
      "ResourceNotFoundException",
      () => undefined,
    );
  }

  private async readMembershipsOf(userId: string): Promise<GroupMembership[]> {
    return allPages<GroupMembership>(async (nextToken) => {
      const page = await this.identityStoreCall("ListGroupMembershipsForMember", () =>
        this.identityStore.send(
          new ListGroupMembershipsForMemberCommand({
            IdentityStoreId: this.identityStoreId,
            MemberId: { UserId: userId },
            MaxResults: maxPageSize,
            NextToken: nextToken,
          }),
        ),
      );
      return { items: page.GroupMemberships, nextToken: page.NextToken };
    });
  }

  /**
   * The principals' assignments by ListAccountAssignmentsForPrincipal, naming each permission set with
   * one DescribePermissionSet. A delegated administrator is refused that call: then every (permission
   * set, account) pair is read instead, as a full read does.
   */
  private async readAssignmentsOfPeople(principals: Principal[]): Promise<Assignment[]> {
    if (principals.length === 0) return [];
    if (this.principalListingAllowed) {
      const perPrincipal: { principal: Principal; found: AccountAssignmentForPrincipal[] }[] = [];
      await expectingAwsError(
        async () => {
          for (const principal of principals)
            perPrincipal.push({ principal, found: await this.readAssignments(principal.type, principal.id) });
        },
        "AccessDeniedException",
        () => {
          this.principalListingAllowed = false;
        },
      );
      if (this.principalListingAllowed) {
        const arns = [
          ...new Set(perPrincipal.flatMap(({ found }) => found.flatMap((a) => a.PermissionSetArn ?? []))),
        ];
        const namesByArn = new Map([...this.permissionSetsByName].map(([name, known]) => [known.arn, name]));
        await mapConcurrently(
          arns.filter((arn) => !namesByArn.has(arn)),
          this.limits.readConcurrency,
          async (arn) => {
            const output = await this.ssoAdminCall("DescribePermissionSet", () =>
              this.ssoAdmin.send(
                new DescribePermissionSetCommand({ InstanceArn: this.instanceArn, PermissionSetArn: arn }),
              ),
            );
            const name = output.PermissionSet?.Name;
            if (name === undefined) return;
            namesByArn.set(arn, name);
            this.permissionSetsByName.set(name, {
              arn,
              ...(output.PermissionSet ? { details: output.PermissionSet } : {}),
            });
          },
        );
        return perPrincipal.flatMap(({ principal, found }) =>
          found.flatMap((entry): Assignment[] => {
            const permissionSetName = entry.PermissionSetArn
              ? namesByArn.get(entry.PermissionSetArn)
              : undefined;
            if (permissionSetName === undefined || entry.AccountId === undefined) return [];
            return [
              {
                principalType: principal.type,
                principalName: principal.name,
                permissionSetName,
                accountId: entry.AccountId,
              },
            ];
          }),
        );
      }
    }
    await this.listPermissionSetNames();
    const sets = await mapConcurrently(
      [...this.permissionSetsByName.values()],
      this.limits.readConcurrency,
      async (known) => ({
        arn: known.arn,
        provisionedAccountIds: await this.readProvisionedAccounts(known.arn),
      }),
    );
    const pairs = sets.flatMap((set) =>
      set.provisionedAccountIds.map((accountId) => ({ arn: set.arn, accountId })),
    );
    const namesByArn = new Map([...this.permissionSetsByName].map(([name, known]) => [known.arn, name]));
    return this.readAssignmentsByPair(principals, pairs, namesByArn);
  }

  /** The user or group behind an Identity Store id (DescribeUser / DescribeGroup); undefined when gone. */
  async describePrincipal(
    principal: { userId: string } | { groupId: string },
  ): Promise<DescribedPrincipal | undefined> {
    try {
      if ("userId" in principal) {
        const user = await this.describeRawUser(principal.userId);
        return user?.UserId === undefined
          ? undefined
          : { kind: "user", id: user.UserId, userName: user.UserName ?? "" };
      }
      const group = await this.identityStoreCall("DescribeGroup", () =>
        this.identityStore.send(
          new DescribeGroupCommand({ IdentityStoreId: this.identityStoreId, GroupId: principal.groupId }),
        ),
      );
      return { kind: "group", id: group.GroupId ?? principal.groupId, displayName: group.DisplayName ?? "" };
    } catch (error) {
      if (awsErrorName(error) === "ResourceNotFoundException") return undefined;
      if (error instanceof SyncError) throw error;
      throw new IdentityCenterReadError(`cannot read Identity Center: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  // ─── Applying ─────────────────────────────────────────────────────────────────────────────────────

  /** Applies one change; throws ChangeFailedError (with AWS's words) when it did not happen. */
  async applyChange(change: IdentityCenterChange): Promise<void> {
    try {
      await this.applyUnguarded(change);
    } catch (error) {
      if (error instanceof ChangeFailedError) throw error;
      throw new ChangeFailedError(`${change.key}: ${describeError(error)}`, change.key, { cause: error });
    }
  }

  private async applyUnguarded(change: IdentityCenterChange): Promise<void> {
    switch (change.kind) {
      case "createUser":
        return this.createUser(change);
      case "updateUser":
        return this.updateUser(change);
      case "deleteUser":
        return this.deleteUser(change.userName);
      case "createGroup":
        return this.createGroup(change);
      case "updateGroup":
        return this.updateGroup(change);
      case "addMember":
        return this.addMember(change.key, change.groupName, change.userName);
      case "removeMember":
        return this.removeMember(change.groupName, change.userName);
      case "createPermissionSet":
        return this.createPermissionSet(change);
      case "updatePermissionSet":
        return this.updatePermissionSet(change);
      case "provisionPermissionSet":
        return this.provisionPermissionSet(change);
      case "createAssignment":
        return this.createAssignment(change);
      case "deleteAssignment":
        return this.deleteAssignment(change);
      case "deleteGroup":
        return this.deleteGroup(change.displayName);
      case "deletePermissionSet":
        return this.deletePermissionSet(change.permissionSetName);
      default: {
        const unknown: never = change;
        throw new SyncError(`unknown change kind ${(unknown as IdentityCenterChange).kind}`);
      }
    }
  }

  private async createUser(change: CreateUser): Promise<void> {
    const managerIdOf = (userName: string): string | undefined => this.userIdsByKey.get(userKey(userName));
    const created = await expectingAwsError(
      () =>
        this.identityStoreCall("CreateUser", () =>
          this.identityStore.send(
            new CreateUserCommand({
              IdentityStoreId: this.identityStoreId,
              ...createUserFields(change.user, managerIdOf),
            }),
          ),
        ),
      "ConflictException",
      async (error) => {
        // The user exists already (an earlier run stopped halfway): adopt it and bring it in line.
        const id = await this.findUserId(change.user.userName);
        if (id === undefined) throw error;
        await this.sendUserUpdate(id, everyUserAttributeOperation(change.user, managerIdOf));
        return { UserId: id };
      },
    );
    this.rememberUser({ ...structuredClone(change.user), id: created.UserId ?? "" });
  }

  private async updateUser(change: UpdateUser): Promise<void> {
    const id = await this.requireUserId(change.userName);
    const before = this.usersById.get(id);
    // Exactly the plan's fields: the planner's equality (e-mail case-insensitive) is the only one.
    const operations = userUpdateOperations(
      change.fields.map((field) => field.field),
      change.user,
      (userName) => this.userIdsByKey.get(userKey(userName)),
    );
    await this.sendUserUpdate(id, operations);
    if (before) this.userIdsByKey.delete(userKey(before.userName));
    this.userIdsByKey.delete(userKey(change.userName));
    this.rememberUser({ ...structuredClone(change.user), id });
  }

  private async sendUserUpdate(id: string, operations: AttributeOperation[]): Promise<void> {
    if (operations.length === 0) return;
    await this.identityStoreCall("UpdateUser", () =>
      this.identityStore.send(
        new UpdateUserCommand({ IdentityStoreId: this.identityStoreId, UserId: id, Operations: operations }),
      ),
    );
  }

  private async deleteUser(userName: string): Promise<void> {
    const id = await this.findUserId(userName);
    if (id !== undefined) {
      // Already gone is what we wanted.
      await toleratingAwsError(
        () =>
          this.identityStoreCall("DeleteUser", () =>
            this.identityStore.send(
              new DeleteUserCommand({ IdentityStoreId: this.identityStoreId, UserId: id }),
            ),
          ),
        "ResourceNotFoundException",
      );
      this.usersById.delete(id);
      for (const key of [...this.membershipIds.keys()])
        if (key.endsWith(`/${id}`)) this.membershipIds.delete(key);
    }
    this.userIdsByKey.delete(userKey(userName));
  }

  /**
   * DeleteGroup: AWS documents no cascade, so the plan removes the group's memberships and assignments
   * first. A group already gone is what we wanted.
   */
  private async deleteGroup(displayName: string): Promise<void> {
    const id = await this.findGroupId(displayName);
    if (id !== undefined) {
      await toleratingAwsError(
        () =>
          this.identityStoreCall("DeleteGroup", () =>
            this.identityStore.send(
              new DeleteGroupCommand({ IdentityStoreId: this.identityStoreId, GroupId: id }),
            ),
          ),
        "ResourceNotFoundException",
      );
      this.groupsById.delete(id);
      for (const key of [...this.membershipIds.keys()])
        if (key.startsWith(`${id}/`)) this.membershipIds.delete(key);
    }
    this.groupIdsByName.delete(displayName);
  }

  /**
   * DeletePermissionSet. AWS refuses (ConflictException) while the permission set is still assigned; the
   * plan deletes its assignments first and waits for each deletion to finish, and AWS's words reach the
   * report when it refuses anyway (an assignment made by hand meanwhile). Already gone is what we wanted.
   */
  private async deletePermissionSet(name: string): Promise<void> {
    const arn = await this.findPermissionSetArn(name, false);
    if (arn !== undefined) {
      await toleratingAwsError(
        () =>
          this.ssoAdminWrite("DeletePermissionSet", () =>
            this.ssoAdmin.send(
              new DeletePermissionSetCommand({ InstanceArn: this.instanceArn, PermissionSetArn: arn }),
            ),
          ),
        "ResourceNotFoundException",
      );
    }
    this.permissionSetsByName.delete(name);
  }

  private async createGroup(change: CreateGroup): Promise<void> {
    const created = await expectingAwsError(
      () =>
        this.identityStoreCall("CreateGroup", () =>
          this.identityStore.send(
            new CreateGroupCommand({
              IdentityStoreId: this.identityStoreId,
              DisplayName: change.displayName,
              ...(change.description ? { Description: change.description } : {}),
            }),
          ),
        ),
      "ConflictException",
      async (error) => {
        // The group exists already (an earlier run stopped halfway): adopt it.
        const id = await this.findGroupId(change.displayName);
        if (id === undefined) throw error;
        if (change.description) {
          await this.sendGroupUpdate(id, [
            { AttributePath: "description", AttributeValue: change.description },
          ]);
        }
        return { GroupId: id };
      },
    );
    this.rememberGroup(groupOf(created.GroupId ?? "", change.displayName, change.description));
  }

  private async updateGroup(change: UpdateGroup): Promise<void> {
    const id = await this.requireGroupId(change.currentDisplayName);
    const before = this.groupsById.get(id);
    const operations: AttributeOperation[] = [];
    if (change.displayName !== change.currentDisplayName) {
      operations.push({ AttributePath: "displayName", AttributeValue: change.displayName });
    }
    if (change.description) {
      if (before?.description !== change.description) {
        operations.push({ AttributePath: "description", AttributeValue: change.description });
      }
    } else if (before === undefined || before.description !== undefined) {
      operations.push({ AttributePath: "description" });
    }
    await this.sendGroupUpdate(id, operations);
    this.groupIdsByName.delete(change.currentDisplayName);
    this.rememberGroup(groupOf(id, change.displayName, change.description, before?.members));
  }

  private async sendGroupUpdate(id: string, operations: AttributeOperation[]): Promise<void> {
    if (operations.length === 0) return;
    await this.identityStoreCall("UpdateGroup", () =>
      this.identityStore.send(
        new UpdateGroupCommand({
          IdentityStoreId: this.identityStoreId,
          GroupId: id,
          Operations: operations,
        }),
      ),
    );
  }

  /**
   * CreateGroupMembership. A ConflictException whose Reason is UNIQUENESS_CONSTRAINT_VIOLATION means the
   * user is a member already, which is what we wanted; CONCURRENT_MODIFICATION is retried with backoff;
   * a conflict without a reason means "already a member" only when GetGroupMembershipId finds the
   * membership, and is retried otherwise.
   */
  private async addMember(changeKey: string, groupName: string, userName: string): Promise<void> {
    const groupId = await this.requireGroupId(groupName);
    const userId = await this.requireUserId(userName);
    try {
      await this.caller.call(
        AwsService.identityStore,
        "CreateGroupMembership",
        async () => {
          const created = await expectingAwsError(
            () =>
              this.identityStore.send(
                new CreateGroupMembershipCommand({
                  IdentityStoreId: this.identityStoreId,
                  GroupId: groupId,
                  MemberId: { UserId: userId },
                }),
              ),
            "ConflictException",
            async (error) => {
              const reason = (error as { Reason?: unknown }).Reason;
              if (reason === "UNIQUENESS_CONSTRAINT_VIOLATION") return undefined;
              if (reason === undefined && (await this.findMembershipId(groupId, userId)) !== undefined)
                return undefined;
              throw error;
            },
          );
          if (created?.MembershipId)
            this.membershipIds.set(membershipKey(groupId, userId), created.MembershipId);
        },
        classifyWriteFailure,
      );
    } catch (error) {
      throw new ChangeFailedError(`${changeKey}: ${describeError(error)}`, changeKey, { cause: error });
    }
  }

  /** The id of the user's membership of the group, or undefined when there is none. */
  private async findMembershipId(groupId: string, userId: string): Promise<string | undefined> {
    const key = membershipKey(groupId, userId);
    const known = this.membershipIds.get(key);
    if (known !== undefined) return known;
    const found = await expectingAwsError(
      () =>
        this.identityStoreCall("GetGroupMembershipId", () =>
          this.identityStore.send(
            new GetGroupMembershipIdCommand({
              IdentityStoreId: this.identityStoreId,
              GroupId: groupId,
              MemberId: { UserId: userId },
            }),
          ),
        ),
      "ResourceNotFoundException",
      () => undefined,
    );
    if (found === undefined) return undefined;
    if (found.MembershipId !== undefined) this.membershipIds.set(key, found.MembershipId);
    return found.MembershipId;
  }

  private async removeMember(groupName: string, userName: string): Promise<void> {
    const groupId = await this.findGroupId(groupName);
    const userId = await this.findUserId(userName);
    if (groupId === undefined || userId === undefined) return;
    const key = membershipKey(groupId, userId);
    const membershipId = await this.findMembershipId(groupId, userId);
    if (membershipId === undefined) return;
    const id = membershipId;
    await toleratingAwsError(
      () =>
        this.identityStoreCall("DeleteGroupMembership", () =>
          this.identityStore.send(
            new DeleteGroupMembershipCommand({ IdentityStoreId: this.identityStoreId, MembershipId: id }),
          ),
        ),
      "ResourceNotFoundException",
    );
    this.membershipIds.delete(key);
  }

  /**
   * CreatePermissionSet, tagged managed-by=idc-sync, then its policies. A ConflictException is a
   * permission set of that name already there (an earlier run stopped halfway: read what it has and
   * finish the job) only when the listing shows one; otherwise it is a conflicting write, retried.
   */
  private async createPermissionSet(change: CreatePermissionSet): Promise<void> {
    const wanted = change.permissionSet;
    const outcome = await this.ssoAdminWrite("CreatePermissionSet", () =>
      expectingAwsError(
        async () => {
          const created = await this.ssoAdmin.send(
            new CreatePermissionSetCommand({
              InstanceArn: this.instanceArn,
              Name: wanted.name,
              SessionDuration: wanted.sessionDuration,
              ...(wanted.description ? { Description: wanted.description } : {}),
              ...(wanted.relayState ? { RelayState: wanted.relayState } : {}),
              Tags: [...tagsToAws(wanted.tags), { Key: managedByTag.key, Value: managedByTag.value }],
            }),
          );
          return { found: false, arn: created.PermissionSet?.PermissionSetArn ?? "" };
        },
        "ConflictException",
        async (error) => {
          const existing = await this.findPermissionSetArn(wanted.name, true);
          if (existing === undefined) throw error;
          return { found: true, arn: existing };
        },
      ),
    );
    const { arn } = outcome;
    if (!outcome.found) {
      const empty: PermissionSetAttributes = {
        name: wanted.name,
        sessionDuration: wanted.sessionDuration,
        managedPolicyArns: [],
        customerManagedPolicies: [],
        tags: wanted.tags,
      };
      if (wanted.description) empty.description = wanted.description;
      if (wanted.relayState) empty.relayState = wanted.relayState;
      await this.sendPermissionSetDiff(arn, wanted, permissionSetDiff(empty, wanted));
    } else {
      // Found under its name (an earlier attempt created it): send what its current state lacks.
      const found = (await this.readPermissionSetAttributes(arn)).attributes;
      await this.sendPermissionSetDiff(arn, wanted, permissionSetDiff(found, wanted));
    }
    this.permissionSetsByName.set(wanted.name, { arn, attributes: structuredClone(wanted) });
  }

  private async updatePermissionSet(change: UpdatePermissionSet): Promise<void> {
    const arn = await this.requirePermissionSetArn(change.permissionSet.name);
    await this.sendPermissionSetDiff(arn, change.permissionSet, change.diff);
    this.permissionSetsByName.set(change.permissionSet.name, {
      arn,
      attributes: structuredClone(change.permissionSet),
    });
  }

  /**
   * Sends exactly the plan's diff (`after` gives the new values); a sequence of idempotent calls, so a
   * retry converges.
   */
  private async sendPermissionSetDiff(
    arn: string,
    after: PermissionSetAttributes,
    diff: PermissionSetDiff,
  ): Promise<void> {
    const target = { InstanceArn: this.instanceArn, PermissionSetArn: arn };
    const tolerate = (operation: string, send: () => Promise<unknown>, harmless: ExpectedAwsError) =>
      toleratingAwsError(() => this.ssoAdminWrite(operation, send), harmless);
    /** An attach whose ConflictException counts as "attached already" only when `attached` reads so. */
    const attach = async (
      operation: string,
      send: () => Promise<unknown>,
      attached: () => Promise<boolean>,
    ): Promise<void> => {
      await this.ssoAdminWrite(operation, () =>
        expectingAwsError(send, "ConflictException", async (error) => {
          if (!(await attached())) throw error;
        }),
      );
    };

    if (diff.attributesChanged) {
      // AWS keeps a field the request leaves out, so a description or relay state cannot be cleared here.
      await this.ssoAdminWrite("UpdatePermissionSet", () =>
        this.ssoAdmin.send(
          new UpdatePermissionSetCommand({
            ...target,
            SessionDuration: after.sessionDuration,
            ...(after.description ? { Description: after.description } : {}),
            ...(after.relayState ? { RelayState: after.relayState } : {}),
          }),
        ),
      );
    }

    const managed = diff.managedPolicyArns;
    for (const policyArn of managed.added) {
      await attach(
        "AttachManagedPolicyToPermissionSet",
        () =>
          this.ssoAdmin.send(
            new AttachManagedPolicyToPermissionSetCommand({ ...target, ManagedPolicyArn: policyArn }),
          ),
        async () => (await this.readManagedPolicyArns(arn)).includes(policyArn),
      );
    }
    for (const policyArn of managed.removed) {
      await tolerate(
        "DetachManagedPolicyFromPermissionSet",
        () =>
          this.ssoAdmin.send(
            new DetachManagedPolicyFromPermissionSetCommand({ ...target, ManagedPolicyArn: policyArn }),
          ),
        "ResourceNotFoundException",
      );
    }

    const customer = diff.customerManagedPolicies;
    for (const reference of customer.added) {
      await attach(
        "AttachCustomerManagedPolicyReferenceToPermissionSet",
        () =>
          this.ssoAdmin.send(
            new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
              ...target,
              CustomerManagedPolicyReference: customerPolicyToAws(reference),
            }),
          ),
        async () =>
          (await this.readCustomerManagedPolicies(arn)).some(
            (entry) => customerPolicyKey(customerPolicyFromAws(entry)) === customerPolicyKey(reference),
          ),
      );
    }
    for (const reference of customer.removed) {
      await tolerate(
        "DetachCustomerManagedPolicyReferenceFromPermissionSet",
        () =>
          this.ssoAdmin.send(
            new DetachCustomerManagedPolicyReferenceFromPermissionSetCommand({
              ...target,
              CustomerManagedPolicyReference: customerPolicyToAws(reference),
            }),
          ),
        "ResourceNotFoundException",
      );
    }

    if (diff.inlinePolicy === "put" && after.inlinePolicy !== undefined) {
      const policy = after.inlinePolicy;
      await this.ssoAdminWrite("PutInlinePolicyToPermissionSet", () =>
        this.ssoAdmin.send(new PutInlinePolicyToPermissionSetCommand({ ...target, InlinePolicy: policy })),
      );
    } else if (diff.inlinePolicy === "delete") {
      await this.ssoAdminWrite("DeleteInlinePolicyFromPermissionSet", () =>
        this.ssoAdmin.send(new DeleteInlinePolicyFromPermissionSetCommand(target)),
      );
    }

    if (diff.permissionsBoundary === "put" && after.permissionsBoundary !== undefined) {
      const boundary = boundaryToAws(after.permissionsBoundary);
      await this.ssoAdminWrite("PutPermissionsBoundaryToPermissionSet", () =>
        this.ssoAdmin.send(
          new PutPermissionsBoundaryToPermissionSetCommand({ ...target, PermissionsBoundary: boundary }),
        ),
      );
    } else if (diff.permissionsBoundary === "delete") {
      await tolerate(
        "DeletePermissionsBoundaryFromPermissionSet",
        () => this.ssoAdmin.send(new DeletePermissionsBoundaryFromPermissionSetCommand(target)),
        "ResourceNotFoundException",
      );
    }

    // The managed-by marker is the adapter's own and is never removed, whatever a plan says.
    const tags = {
      set: diff.tags.set,
      removedKeys: diff.tags.removedKeys.filter((key) => key !== managedByTag.key),
    };
    if (Object.keys(tags.set).length > 0) {
      await this.ssoAdminWrite("TagResource", () =>
        this.ssoAdmin.send(
          new TagResourceCommand({
            InstanceArn: this.instanceArn,
            ResourceArn: arn,
            Tags: tagsToAws(tags.set),
          }),
        ),
      );
    }
    if (tags.removedKeys.length > 0) {
      await this.ssoAdminWrite("UntagResource", () =>
        this.ssoAdmin.send(
          new UntagResourceCommand({
            InstanceArn: this.instanceArn,
            ResourceArn: arn,
            TagKeys: tags.removedKeys,
          }),
        ),
      );
    }
  }

  /**
   * One ProvisionPermissionSet per account (TargetType AWS_ACCOUNT), each polled to SUCCEEDED: with
   * ALL_PROVISIONED_ACCOUNTS one account AWS cannot reach fails the whole request, and which accounts got
   * the new version would be unknown. At most `maxConcurrentProvisionings` run at once, and one at a time
   * per account ("IAM roles (permission sets) in the AWS account that can be updated at a time: 1").
   * Every account is tried; the change fails naming each account that did not get the new version, and
   * the next run provisions those again (they read as LATEST_PERMISSION_SET_NOT_PROVISIONED).
   */
  private async provisionPermissionSet(change: ProvisionPermissionSet): Promise<void> {
    if (change.accountIds.length === 0) return;
    const arn = await this.requirePermissionSetArn(change.permissionSetName);
    const failures: string[] = [];
    await Promise.all(
      change.accountIds.map((accountId) =>
        this.accountUpdates(accountId).run(() =>
          this.provisionings.run(async () => {
            try {
              await this.provisionToAccount(change.key, arn, accountId);
            } catch (error) {
              failures.push(
                `${accountId}: ${error instanceof ChangeFailedError ? error.message : describeError(error)}`,
              );
            }
          }),
        ),
      ),
    );
    if (failures.length > 0) {
      throw new ChangeFailedError(
        `provisioning reached ${change.accountIds.length - failures.length} of ${change.accountIds.length} accounts; ${failures.sort(compareStrings).join("; ")}`,
        change.key,
      );
    }
  }

  private async provisionToAccount(changeKey: string, arn: string, accountId: string): Promise<void> {
    const started = await this.ssoAdminWrite("ProvisionPermissionSet", () =>
      this.ssoAdmin.send(
        new ProvisionPermissionSetCommand({
          InstanceArn: this.instanceArn,
          PermissionSetArn: arn,
          TargetType: "AWS_ACCOUNT",
          TargetId: accountId,
        }),
      ),
    );
    await this.waitForCompletion(
      changeKey,
      "provisioning",
      started.PermissionSetProvisioningStatus,
      (requestId) =>
        this.ssoAdminCall("DescribePermissionSetProvisioningStatus", async () => {
          const output = await this.ssoAdmin.send(
            new DescribePermissionSetProvisioningStatusCommand({
              InstanceArn: this.instanceArn,
              ProvisionPermissionSetRequestId: requestId,
            }),
          );
          return output.PermissionSetProvisioningStatus as PermissionSetProvisioningStatus | undefined;
        }),
    );
  }

  /** The lock for updating IAM roles in one account (one at a time). */
  private accountUpdates(accountId: string): Semaphore {
    let lock = this.accountLocks.get(accountId);
    if (lock === undefined) {
      lock = new Semaphore(1);
      this.accountLocks.set(accountId, lock);
    }
    return lock;
  }

  /** The request CreateAccountAssignment and DeleteAccountAssignment share. */
  private assignmentRequest(assignment: Assignment, permissionSetArn: string, principalId: string) {
    return {
      InstanceArn: this.instanceArn,
      TargetId: assignment.accountId,
      TargetType: "AWS_ACCOUNT" as const,
      PermissionSetArn: permissionSetArn,
      PrincipalType: assignment.principalType,
      PrincipalId: principalId,
    };
  }

  /**
   * CreateAccountAssignment, polled to SUCCEEDED. A ConflictException means the assignment exists only
   * when ListAccountAssignments shows it (then there is nothing to wait for); otherwise it is a
   * conflicting write, retried with backoff.
   */
  private async createAssignment(change: CreateAssignment): Promise<void> {
    const { assignment } = change;
    const arn = await this.requirePermissionSetArn(assignment.permissionSetName);
    const principalId = await this.requirePrincipalId(assignment.principalType, assignment.principalName);
    const exists = async (): Promise<boolean> =>
      (await this.readAssignmentsInAccount(arn, assignment.accountId)).some(
        (entry) => entry.PrincipalType === assignment.principalType && entry.PrincipalId === principalId,
      );
    await this.assignmentRequests.run(async () => {
      const started = await this.ssoAdminWrite("CreateAccountAssignment", () =>
        expectingAwsError(
          async () =>
            (
              await this.ssoAdmin.send(
                new CreateAccountAssignmentCommand(this.assignmentRequest(assignment, arn, principalId)),
              )
            ).AccountAssignmentCreationStatus,
          "ConflictException",
          async (error) => {
            // A conflict is "assigned already" only when a read shows the assignment.
            if (await exists()) return "exists" as const;
            throw error;
          },
        ),
      );
      if (started === "exists") return;
      await this.waitForCompletion(change.key, "assignment creation", started, (requestId) =>
        this.ssoAdminCall("DescribeAccountAssignmentCreationStatus", async () => {
          const output = await this.ssoAdmin.send(
            new DescribeAccountAssignmentCreationStatusCommand({
              InstanceArn: this.instanceArn,
              AccountAssignmentCreationRequestId: requestId,
            }),
          );
          return output.AccountAssignmentCreationStatus;
        }),
      );
    });
  }

  private async deleteAssignment(change: DeleteAssignment): Promise<void> {
    const { assignment } = change;
    const arn = await this.findPermissionSetArn(assignment.permissionSetName, false);
    const principalId =
      assignment.principalType === "USER"
        ? await this.findUserId(assignment.principalName)
        : await this.findGroupId(assignment.principalName);
    // Without the principal or the permission set there is no assignment left to delete.
    if (arn === undefined || principalId === undefined) return;
    await this.assignmentRequests.run(async () => {
      const output = await expectingAwsError(
        () =>
          this.ssoAdminWrite("DeleteAccountAssignment", () =>
            this.ssoAdmin.send(
              new DeleteAccountAssignmentCommand(this.assignmentRequest(assignment, arn, principalId)),
            ),
          ),
        "ResourceNotFoundException",
        () => "gone" as const,
      );
      // Already gone is what we wanted.
      if (output === "gone") return;
      const started: AccountAssignmentOperationStatus | undefined = output.AccountAssignmentDeletionStatus;
      await this.waitForCompletion(change.key, "assignment deletion", started, (requestId) =>
        this.ssoAdminCall("DescribeAccountAssignmentDeletionStatus", async () => {
          const output = await this.ssoAdmin.send(
            new DescribeAccountAssignmentDeletionStatusCommand({
              InstanceArn: this.instanceArn,
              AccountAssignmentDeletionRequestId: requestId,
            }),
          );
          return output.AccountAssignmentDeletionStatus;
        }),
      );
    });
  }

  /**
   * Polls an asynchronous request until SUCCEEDED or FAILED, waiting longer each time (up to 10× the
   * first interval) and giving up after `pollDeadlineMs` of waiting. FAILED carries AWS's reason.
   */
  private async waitForCompletion(
    changeKey: string,
    what: string,
    initial: AsyncStatus | undefined,
    describe: (requestId: string) => Promise<AsyncStatus | undefined>,
  ): Promise<void> {
    let status = initial;
    const requestId = initial?.RequestId;
    let waited = 0;
    let interval = this.pollIntervalMs;
    for (;;) {
      if (status?.Status === "SUCCEEDED") return;
      if (status?.Status === "FAILED") {
        throw new ChangeFailedError(
          `${what} failed: ${status.FailureReason ?? "AWS gave no reason"}`,
          changeKey,
        );
      }
      if (requestId === undefined)
        throw new ChangeFailedError(`${what}: AWS returned no request id to follow`, changeKey);
      if (waited >= this.pollDeadlineMs) {
        throw new ChangeFailedError(
          `${what} ${requestId} still ${status?.Status ?? "unknown"} after ${waited} ms; it may finish later`,
          changeKey,
        );
      }
      await this.sleep(interval);
      waited += interval;
      interval = Math.min(interval * 2, this.pollIntervalMs * 10);
      status = await describe(requestId);
    }
  }

  // ─── Names and ids ────────────────────────────────────────────────────────────────────────────────

  private rememberUser(user: IcUser): void {
    this.userIdsByKey.set(userKey(user.userName), user.id);
    this.usersById.set(user.id, user);
  }

  private rememberGroup(group: IcGroup): void {
    this.groupIdsByName.set(group.displayName, group.id);
    this.groupsById.set(group.id, group);
  }

  /** The groups a full run listed, remembered as if listed now (a targeted read, `knownGroups`). */
  private rememberKnownGroups(known: readonly KnownGroup[]): IcGroup[] {
    this.groupIdsByName.clear();
    this.groupsById.clear();
    this.membershipIds.clear();
    return known.map((entry) => {
      const group: IcGroup = { ...entry };
      this.rememberGroup(group);
      return group;
    });
  }

  /** DescribeGroup; undefined when the group is gone. */
  private async describeGroup(groupId: string): Promise<IcGroup | undefined> {
    const found = await expectingAwsError(
      () =>
        this.identityStoreCall("DescribeGroup", () =>
          this.identityStore.send(
            new DescribeGroupCommand({ IdentityStoreId: this.identityStoreId, GroupId: groupId }),
          ),
        ),
      "ResourceNotFoundException",
      () => undefined,
    );
    if (found === undefined) return undefined;
    const group: IcGroup = { id: found.GroupId ?? groupId, displayName: found.DisplayName ?? "" };
    if (found.Description !== undefined && found.Description !== "") group.description = found.Description;
    this.rememberGroup(group);
    return group;
  }

  private async findUserId(userName: string): Promise<string | undefined> {
    const known = this.userIdsByKey.get(userKey(userName));
    if (known !== undefined) return known;
    const found = await expectingAwsError(
      () =>
        this.identityStoreCall("GetUserId", () =>
          this.identityStore.send(
            new GetUserIdCommand({
              IdentityStoreId: this.identityStoreId,
              AlternateIdentifier: {
                UniqueAttribute: { AttributePath: "userName", AttributeValue: userName },
              },
            }),
          ),
        ),
      "ResourceNotFoundException",
      () => undefined,
    );
    if (found === undefined) return undefined;
    if (found.UserId) this.userIdsByKey.set(userKey(userName), found.UserId);
    return found.UserId;
  }

  private async findGroupId(displayName: string): Promise<string | undefined> {
    const known = this.groupIdsByName.get(displayName);
    if (known !== undefined) return known;
    const found = await expectingAwsError(
      () =>
        this.identityStoreCall("GetGroupId", () =>
          this.identityStore.send(
            new GetGroupIdCommand({
              IdentityStoreId: this.identityStoreId,
              AlternateIdentifier: {
                UniqueAttribute: { AttributePath: "displayName", AttributeValue: displayName },
              },
            }),
          ),
        ),
      "ResourceNotFoundException",
      () => undefined,
    );
    if (found === undefined) return undefined;
    if (found.GroupId) this.groupIdsByName.set(displayName, found.GroupId);
    return found.GroupId;
  }

  /** The ARN of a permission set by name; lists them all once when the name is not known yet. */
  private async findPermissionSetArn(name: string, relist: boolean): Promise<string | undefined> {
    const known = this.permissionSetsByName.get(name);
    if (known !== undefined) return known.arn;
    if (!this.permissionSetsListed || relist) await this.listPermissionSetNames();
    return this.permissionSetsByName.get(name)?.arn;
  }

  private async requireUserId(userName: string): Promise<string> {
    const id = await this.findUserId(userName);
    if (id === undefined)
      throw new SyncError(`user ${userName} does not exist in the identity store`, {
        kind: FailureKind.changeFailed,
      });
    return id;
  }

  private async requireGroupId(displayName: string): Promise<string> {
    const id = await this.findGroupId(displayName);
    if (id === undefined)
      throw new SyncError(`group ${displayName} does not exist in the identity store`, {
        kind: FailureKind.changeFailed,
      });
    return id;
  }

  private async requirePermissionSetArn(name: string): Promise<string> {
    const arn = await this.findPermissionSetArn(name, false);
    if (arn === undefined)
      throw new SyncError(`permission set ${name} does not exist`, { kind: FailureKind.changeFailed });
    return arn;
  }

  private requirePrincipalId(type: PrincipalType, name: string): Promise<string> {
    return type === "USER" ? this.requireUserId(name) : this.requireGroupId(name);
  }

  private identityStoreCall<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return this.caller.call(AwsService.identityStore, operation, send);
  }

  private ssoAdminCall<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return this.caller.call(AwsService.ssoAdmin, operation, send);
  }

  /** An sso-admin write: ConflictException is retried with backoff too (`classifyWriteFailure`). */
  private ssoAdminWrite<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return this.caller.call(AwsService.ssoAdmin, operation, send, classifyWriteFailure);
  }
}

function isManagedByTag(tag: Tag): boolean {
  return tag.Key === managedByTag.key && tag.Value === managedByTag.value;
}

/** Assignments without duplicates (read both per principal and per permission set and account). */
function uniqueAssignments(assignments: Assignment[]): Assignment[] {
  const byKey = new Map<string, Assignment>();
  for (const assignment of assignments) {
    const key = [
      assignment.principalType,
      assignment.principalName,
      assignment.permissionSetName,
      assignment.accountId,
    ].join("\u0000");
    if (!byKey.has(key)) byKey.set(key, assignment);
  }
  return [...byKey.values()];
}

function membershipKey(groupId: string, userId: string): string {
  return `${groupId}/${userId}`;
}

function memberUserId(memberId: unknown): string | undefined {
  if (typeof memberId !== "object" || memberId === null) return undefined;
  const userId = (memberId as { UserId?: unknown }).UserId;
  return typeof userId === "string" ? userId : undefined;
}

function groupOf(
  id: string,
  displayName: string,
  description: string | undefined,
  members?: string[],
): IcGroup {
  const group: IcGroup = { id, displayName };
  if (description) group.description = description;
  if (members) group.members = members;
  return group;
}

/** "ConflictException: Duplicate UserName" — AWS's own words, for reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
  }
  return String(error);
}

/**
 * The emulator's data: one identity store, one Identity Center instance and optionally an
 * organization, held in AWS's own shapes so the handlers answer exactly what they stored. Seeded
 * from an `IdentityCenterState` and a `SnapshotOrganization`, dumped back as `IdentityCenterState`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { SnapshotOrganization } from "../../../src/adapters/file/directory-snapshot.js";
import type { IcPermissionSet, IcUser, IdentityCenterState, PrincipalType } from "../../../src/sync/model.js";

export const enterpriseExtension = "aws:identitystore:enterprise";

export interface StoredUser {
  UserId: string;
  UserName: string;
  DisplayName?: string;
  Name?: Record<string, unknown>;
  Emails?: Record<string, unknown>[];
  Title?: string;
  /**
   * Identity Store User `ExternalIds`: "A list of ExternalId objects that contains the identifiers issued
   * to this resource by an external identity provider" (1 to 10 items). Only a SCIM provisioner sets
   * them: CreateUser and UpdateUser take no such parameter, so only seeding puts them here.
   */
  ExternalIds?: { Issuer: string; Id: string }[];
  /** Other single-valued SCIM attributes set by UpdateUser (nickName, locale, ...). */
  other: Record<string, unknown>;
  Extensions: Record<string, Record<string, unknown>>;
  CreatedAt: number;
  UpdatedAt: number;
}

export interface StoredGroup {
  GroupId: string;
  DisplayName: string;
  Description?: string;
  CreatedAt: number;
  UpdatedAt: number;
}

export interface StoredMembership {
  MembershipId: string;
  GroupId: string;
  UserId: string;
}

export interface StoredPermissionSet {
  arn: string;
  name: string;
  description?: string;
  sessionDuration: string;
  relayState?: string;
  createdDate: number;
  managedPolicyArns: string[];
  customerManaged: { Name: string; Path: string }[];
  inlinePolicy?: string;
  boundary?: { ManagedPolicyArn?: string; CustomerManagedPolicyReference?: { Name: string; Path: string } };
  tags: Map<string, string>;
  provisionedAccountIds: Set<string>;
  /**
   * Provisioned accounts whose IAM role still has an older version: ListAccountsForProvisionedPermissionSet
   * reports them as LATEST_PERMISSION_SET_NOT_PROVISIONED until a provisioning reaches them.
   */
  outdatedAccountIds: Set<string>;
}

export interface StoredAssignment {
  accountId: string;
  permissionSetArn: string;
  principalType: PrincipalType;
  principalId: string;
}

export interface StoredOrganizationalUnit {
  id: string;
  name: string;
  parentId: string;
}

export interface StoredAccount {
  id: string;
  name: string;
  email: string;
  status: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE";
  parentId: string;
  tags: Map<string, string>;
}

export interface StoredOrganization {
  id: string;
  rootId: string;
  organizationalUnits: Map<string, StoredOrganizationalUnit>;
  accounts: Map<string, StoredAccount>;
}

export interface StoreIdentity {
  instanceArn: string;
  identityStoreId: string;
}

export function assignmentKey(assignment: StoredAssignment): string {
  return `${assignment.accountId}|${assignment.permissionSetArn}|${assignment.principalType}|${assignment.principalId}`;
}

export class EmulatorStore {
  readonly users = new Map<string, StoredUser>();
  readonly groups = new Map<string, StoredGroup>();
  readonly memberships = new Map<string, StoredMembership>();
  readonly permissionSets = new Map<string, StoredPermissionSet>();
  readonly assignments = new Map<string, StoredAssignment>();
  organization: StoredOrganization | undefined;
  private readonly idPrefix: string;

  constructor(readonly identity: StoreIdentity) {
    this.idPrefix = randomBytes(5).toString("hex");
  }

  /** Identity Store ids look like "9067a1b2c3-1b2c3d4e-...". */
  newId(): string {
    return `${this.idPrefix}-${randomUUID()}`;
  }

  newPermissionSetArn(): string {
    const [prefix = "", instanceId = ""] = this.identity.instanceArn.split(":::instance/");
    // A permission set's ARN is in its instance's partition (PermissionSetArn: "arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/...").
    return `${prefix}:::permissionSet/${instanceId}/ps-${randomBytes(8).toString("hex")}`;
  }

  userByName(userName: string): StoredUser | undefined {
    const key = userName.toLowerCase();
    for (const user of this.users.values()) if (user.UserName.toLowerCase() === key) return user;
    return undefined;
  }

  groupByName(displayName: string): StoredGroup | undefined {
    for (const group of this.groups.values()) if (group.DisplayName === displayName) return group;
    return undefined;
  }

  permissionSetByName(name: string): StoredPermissionSet | undefined {
    for (const permissionSet of this.permissionSets.values())
      if (permissionSet.name === name) return permissionSet;
    return undefined;
  }

  principalName(type: PrincipalType, id: string): string | undefined {
    return type === "USER" ? this.users.get(id)?.UserName : this.groups.get(id)?.DisplayName;
  }

  // ─── Seeding and dumping ──────────────────────────────────────────────────────────────────────────

  seedIdentityCenter(state: IdentityCenterState): void {
    const now = Math.floor(Date.now() / 1000);
    for (const user of state.users) {
      this.users.set(user.id, {
        UserId: user.id,
        UserName: user.userName,
        DisplayName: user.displayName,
        Name: { GivenName: user.givenName, FamilyName: user.familyName },
        Emails: [{ Value: user.email, Type: "work", Primary: true }],
        ...(user.title !== undefined ? { Title: user.title } : {}),
        ...(user.externalIds !== undefined && user.externalIds.length > 0
          ? {
              ExternalIds: user.externalIds.map((external) => ({ Issuer: external.issuer, Id: external.id })),
            }
          : {}),
        other: {},
        Extensions: {},
        CreatedAt: now,
        UpdatedAt: now,
      });
    }
    // Managers refer to users by name in the model, by id on the wire: second pass once all exist.
    for (const user of state.users) {
      if (!user.enterprise) continue;
      const { manager, ...text } = user.enterprise;
      const extension: Record<string, unknown> = { ...text };
      const managerId = manager === undefined ? undefined : this.userByName(manager)?.UserId;
      if (managerId !== undefined) extension.manager = { value: managerId };
      this.users.get(user.id)!.Extensions[enterpriseExtension] = extension;
    }
    for (const group of state.groups) {
      this.groups.set(group.id, {
        GroupId: group.id,
        DisplayName: group.displayName,
        ...(group.description !== undefined ? { Description: group.description } : {}),
        CreatedAt: now,
        UpdatedAt: now,
      });
      for (const member of group.members ?? []) {
        const user = this.userByName(member);
        if (!user) throw new Error(`seed: group ${group.displayName} lists ${member}, who is not a user`);
        const membershipId = this.newId();
        this.memberships.set(membershipId, {
          MembershipId: membershipId,
          GroupId: group.id,
          UserId: user.UserId,
        });
      }
    }
    for (const permissionSet of state.permissionSets) {
      this.permissionSets.set(permissionSet.arn, {
        arn: permissionSet.arn,
        name: permissionSet.name,
        ...(permissionSet.description !== undefined ? { description: permissionSet.description } : {}),
        sessionDuration: permissionSet.sessionDuration,
        ...(permissionSet.relayState !== undefined ? { relayState: permissionSet.relayState } : {}),
        createdDate: now,
        managedPolicyArns: [...permissionSet.managedPolicyArns],
        customerManaged: permissionSet.customerManagedPolicies.map((policy) => ({
          Name: policy.name,
          Path: policy.path,
        })),
        ...(permissionSet.inlinePolicy !== undefined ? { inlinePolicy: permissionSet.inlinePolicy } : {}),
        ...(permissionSet.permissionsBoundary
          ? {
              boundary:
                permissionSet.permissionsBoundary.kind === "managed"
                  ? { ManagedPolicyArn: permissionSet.permissionsBoundary.managedPolicyArn }
                  : {
                      CustomerManagedPolicyReference: {
                        Name: permissionSet.permissionsBoundary.policy.name,
                        Path: permissionSet.permissionsBoundary.policy.path,
                      },
                    },
            }
          : {}),
        tags: new Map([
          ...Object.entries(permissionSet.tags),
          ...(permissionSet.managedByTag === true ? [["managed-by", "idc-sync"] as [string, string]] : []),
        ]),
        provisionedAccountIds: new Set(permissionSet.provisionedAccountIds),
        outdatedAccountIds: new Set(permissionSet.outdatedAccountIds ?? []),
      });
    }
    for (const assignment of state.assignments) {
      // State files may omit unmanaged permission sets; an assignment naming one still needs it to exist.
      const permissionSet =
        this.permissionSetByName(assignment.permissionSetName) ??
        this.addBarePermissionSet(assignment.permissionSetName);
      const principalId =
        assignment.principalType === "USER"
          ? this.userByName(assignment.principalName)?.UserId
          : this.groupByName(assignment.principalName)?.GroupId;
      if (principalId === undefined) {
        throw new Error(
          `seed: assignment of ${assignment.permissionSetName} to ${assignment.principalName} names an unknown principal`,
        );
      }
      const stored: StoredAssignment = {
        accountId: assignment.accountId,
        permissionSetArn: permissionSet.arn,
        principalType: assignment.principalType,
        principalId,
      };
      this.assignments.set(assignmentKey(stored), stored);
      permissionSet.provisionedAccountIds.add(assignment.accountId);
    }
  }

  private addBarePermissionSet(name: string): StoredPermissionSet {
    const created: StoredPermissionSet = {
      arn: this.newPermissionSetArn(),
      name,
      sessionDuration: "PT1H",
      createdDate: Math.floor(Date.now() / 1000),
      managedPolicyArns: [],
      customerManaged: [],
      tags: new Map(),
      provisionedAccountIds: new Set(),
      outdatedAccountIds: new Set(),
    };
    this.permissionSets.set(created.arn, created);
    return created;
  }

  seedOrganization(organization: SnapshotOrganization): void {
    const stored: StoredOrganization = {
      id: `o-${randomBytes(5).toString("hex")}`,
      rootId: organization.rootId,
      organizationalUnits: new Map(organization.organizationalUnits.map((ou) => [ou.id, { ...ou }])),
      accounts: new Map(
        organization.accounts.map((account) => [
          account.id,
          {
            id: account.id,
            name: account.name,
            email: account.email ?? `aws+${account.id}@example.com`,
            status: account.status,
            parentId: account.parentId,
            tags: new Map(Object.entries(account.tags)),
          },
        ]),
      ),
    };
    this.organization = stored;
  }

  /**
   * Everything the emulator holds, in the model's terms: all users, all groups with their members,
   * all permission sets (tags as stored, the managed-by marker included and also flagged as
   * `managedByTag`) and all assignments whose
   * principal still exists. Memberships and assignments left behind by deleted principals are in
   * `leftovers`, since the model cannot name them.
   */
  dump(): IdentityCenterState {
    const users: IcUser[] = [...this.users.values()].map((user) => {
      const email = user.Emails?.find((entry) => entry.Primary)?.Value ?? user.Emails?.[0]?.Value;
      const result: IcUser = {
        id: user.UserId,
        userName: user.UserName,
        displayName: user.DisplayName ?? "",
        givenName: String(user.Name?.GivenName ?? ""),
        familyName: String(user.Name?.FamilyName ?? ""),
        email: typeof email === "string" ? email : "",
      };
      if (user.Title !== undefined) result.title = user.Title;
      if (user.ExternalIds !== undefined) {
        result.externalIds = user.ExternalIds.map((external) => ({
          issuer: external.Issuer,
          id: external.Id,
        }));
      }
      const extension = user.Extensions[enterpriseExtension];
      if (extension) {
        const { manager, ...text } = extension;
        const enterprise: Record<string, string> = {};
        for (const [key, value] of Object.entries(text))
          if (typeof value === "string") enterprise[key] = value;
        const managerId = (manager as { value?: string } | undefined)?.value;
        const managerName = managerId === undefined ? undefined : this.users.get(managerId)?.UserName;
        if (managerName !== undefined) enterprise.manager = managerName;
        result.enterprise = enterprise;
      }
      return result;
    });
    const groups = [...this.groups.values()].map((group) => ({
      id: group.GroupId,
      displayName: group.DisplayName,
      ...(group.Description !== undefined ? { description: group.Description } : {}),
      members: [...this.memberships.values()]
        .filter((membership) => membership.GroupId === group.GroupId)
        .flatMap((membership) => {
          const user = this.users.get(membership.UserId);
          return user ? [user.UserName] : [];
        })
        .sort(),
    }));
    const permissionSets: IcPermissionSet[] = [...this.permissionSets.values()].map((permissionSet) => {
      const result: IcPermissionSet = {
        arn: permissionSet.arn,
        name: permissionSet.name,
        sessionDuration: permissionSet.sessionDuration,
        managedPolicyArns: [...permissionSet.managedPolicyArns].sort(),
        customerManagedPolicies: permissionSet.customerManaged
          .map((policy) => ({ name: policy.Name, path: policy.Path }))
          .sort((a, b) => `${a.path}${a.name}`.localeCompare(`${b.path}${b.name}`)),
        tags: Object.fromEntries([...permissionSet.tags].sort(([a], [b]) => a.localeCompare(b))),
        provisionedAccountIds: [...permissionSet.provisionedAccountIds].sort(),
      };
      if (permissionSet.outdatedAccountIds.size > 0)
        result.outdatedAccountIds = [...permissionSet.outdatedAccountIds].sort();
      if (permissionSet.tags.get("managed-by") === "idc-sync") result.managedByTag = true;
      if (permissionSet.description !== undefined) result.description = permissionSet.description;
      if (permissionSet.relayState !== undefined) result.relayState = permissionSet.relayState;
      if (permissionSet.inlinePolicy !== undefined) result.inlinePolicy = permissionSet.inlinePolicy;
      const boundary = permissionSet.boundary;
      if (boundary?.ManagedPolicyArn) {
        result.permissionsBoundary = { kind: "managed", managedPolicyArn: boundary.ManagedPolicyArn };
      } else if (boundary?.CustomerManagedPolicyReference) {
        const reference = boundary.CustomerManagedPolicyReference;
        result.permissionsBoundary = {
          kind: "customerManaged",
          policy: { name: reference.Name, path: reference.Path },
        };
      }
      return result;
    });
    const assignments = [...this.assignments.values()].flatMap((assignment) => {
      const principalName = this.principalName(assignment.principalType, assignment.principalId);
      const permissionSetName = this.permissionSets.get(assignment.permissionSetArn)?.name;
      if (principalName === undefined || permissionSetName === undefined) return [];
      return [
        {
          principalType: assignment.principalType,
          principalName,
          permissionSetName,
          accountId: assignment.accountId,
        },
      ];
    });
    return { users, groups, permissionSets, assignments };
  }

  /** Memberships and assignments whose principal was deleted: AWS leaves them behind (DESIGN.md §5). */
  leftovers(): { memberships: StoredMembership[]; assignments: StoredAssignment[] } {
    return {
      memberships: [...this.memberships.values()].filter(
        (membership) => !this.users.has(membership.UserId) || !this.groups.has(membership.GroupId),
      ),
      assignments: [...this.assignments.values()].filter(
        (assignment) => this.principalName(assignment.principalType, assignment.principalId) === undefined,
      ),
    };
  }
}

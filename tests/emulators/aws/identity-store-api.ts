/**
 * The identitystore operations idc-sync calls, as the Identity Store API reference describes them:
 * required fields, userName (case-insensitive) and displayName uniqueness, ResourceNotFoundException
 * for unknown ids, pages of at most 100. DeleteUser and DeleteGroup leave memberships and assignments
 * behind: AWS documents no cascade (DESIGN.md §5), so the tool has to clean up first.
 */
import {
  attributePathConstraint,
  constrained,
  emailsPerUser,
  identityStoreIdConstraint,
  optionalConstrained,
  userNameConstraint,
  userTextConstraint,
} from "./api-constraints.js";
import {
  AwsApiError,
  epochSeconds,
  type Input,
  optionalString,
  paginate,
  requireObject,
  requireString,
  validation,
} from "./protocol.js";
import { type EmulatorStore, enterpriseExtension, type StoredGroup, type StoredUser } from "./store.js";

export type Handler = (input: Input) => unknown;

const pageRules = (scope: string) => ({ max: 100, default: 100, scope });

/** UpdateUser attribute paths and where they live on the stored user. */
const userAttributePaths: Record<string, readonly string[]> = {
  userName: ["UserName"],
  displayName: ["DisplayName"],
  title: ["Title"],
  "name.givenName": ["Name", "GivenName"],
  "name.familyName": ["Name", "FamilyName"],
  "name.formatted": ["Name", "Formatted"],
  "name.middleName": ["Name", "MiddleName"],
  emails: ["Emails"],
  nickName: ["other", "NickName"],
  userType: ["other", "UserType"],
  preferredLanguage: ["other", "PreferredLanguage"],
  locale: ["other", "Locale"],
  timezone: ["other", "Timezone"],
  profileUrl: ["other", "ProfileUrl"],
  [enterpriseExtension]: ["Extensions", enterpriseExtension],
};
const requiredUserPaths = new Set(["userName", "displayName", "name.givenName", "name.familyName"]);

/** The constraint of a single-valued string attribute UpdateUser can set (CreateUser's shapes). */
const userPathConstraints: Record<string, typeof userTextConstraint> = {
  userName: userNameConstraint,
  displayName: userTextConstraint,
  title: userTextConstraint,
  "name.givenName": userTextConstraint,
  "name.familyName": userTextConstraint,
  "name.formatted": userTextConstraint,
  "name.middleName": userTextConstraint,
};

/**
 * CreateUser's `Emails`, as the SDK sends them (members `Value`, `Type`, `Primary`: the Email shape):
 * at most one ("Array Members: Fixed number of 1 item"), each string within `SensitiveStringType`.
 */
function checkEmails(emails: unknown): Record<string, unknown>[] | undefined {
  if (emails === undefined || emails === null) return undefined;
  if (!Array.isArray(emails) || emails.length < 1 || emails.length > emailsPerUser)
    throw validation(
      `1 validation error detected: Value at 'emails' failed to satisfy constraint: Member must have length less than or equal to ${emailsPerUser}`,
    );
  return emails.map((email: Input, index) => ({
    ...(email.Value !== undefined
      ? { Value: constrained(email.Value, `emails.${index + 1}.member.value`, userTextConstraint) }
      : {}),
    ...(email.Type !== undefined
      ? { Type: constrained(email.Type, `emails.${index + 1}.member.type`, userTextConstraint) }
      : {}),
    ...(typeof email.Primary === "boolean" ? { Primary: email.Primary } : {}),
  }));
}

/** The sub-attributes of one email in UpdateUser's `emails` value, SCIM-named (RFC 7643 §4.1.2). */
const emailSubAttributes = new Set(["value", "type", "primary"]);

/**
 * UpdateUser's `emails` value: a Document, so the SDK sends whatever keys it is given. The API reference
 * gives no example; AWS's own answer on re:Post ("update user in identity store", QU6QhgdzQUQ_6yLMXxRz_Pxg)
 * replaces them with `"AttributePath": "emails", "AttributeValue": [{"value": ..., "type": "work",
 * "primary": true}]`, as the Terraform provider does (internal/service/identitystore/user.go: "primary",
 * "type", "value"): the SCIM names of the attribute paths (`name.givenName`), not the SDK's member names.
 * Anything else is refused (the stricter reading: a `Value` key would otherwise be dropped or stored
 * under a name nothing reads), as is a partial update ("Unsupported update operation on multi-value
 * attribute emails, please provide full replacement", the error users report for `emails[0].value`).
 * Stored in the Email shape, which is how DescribeUser and ListUsers hand it back.
 */
function emailsFromDocument(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value))
    throw validation(
      "Unsupported update operation on multi-value attribute emails, please provide full replacement of Multi-Value attribute types",
    );
  if (value.length < 1 || value.length > emailsPerUser)
    throw validation(`emails holds 1 to ${emailsPerUser} items, got ${value.length}`);
  return value.map((email: unknown, index) => {
    if (typeof email !== "object" || email === null || Array.isArray(email))
      throw validation(`emails[${index}] must be an object`);
    for (const key of Object.keys(email)) {
      if (!emailSubAttributes.has(key))
        throw validation(
          `Invalid sub-attribute '${key}' of emails[${index}]; expected one of ${[...emailSubAttributes].join(", ")}`,
        );
    }
    const entry = email as Input;
    if (entry.primary !== undefined && typeof entry.primary !== "boolean")
      throw validation(`emails[${index}].primary must be a boolean`);
    return {
      ...(entry.value !== undefined
        ? { Value: constrained(entry.value, `emails[${index}].value`, userTextConstraint) }
        : {}),
      ...(entry.type !== undefined
        ? { Type: constrained(entry.type, `emails[${index}].type`, userTextConstraint) }
        : {}),
      ...(entry.primary !== undefined ? { Primary: entry.primary } : {}),
    };
  });
}

function notFound(type: "USER" | "GROUP" | "GROUP_MEMBERSHIP" | "IDENTITY_STORE", id: string): AwsApiError {
  const what = {
    USER: "User",
    GROUP: "Group",
    GROUP_MEMBERSHIP: "GroupMembership",
    IDENTITY_STORE: "IdentityStore",
  }[type];
  return new AwsApiError("ResourceNotFoundException", `${what} not found.`, 400, {
    ResourceType: type,
    ResourceId: id,
  });
}

function conflict(message: string): AwsApiError {
  return new AwsApiError("ConflictException", message, 400, { Reason: "UNIQUENESS_CONSTRAINT_VIOLATION" });
}

function userOut(store: EmulatorStore, user: StoredUser, extensions: unknown): Record<string, unknown> {
  const wanted = Array.isArray(extensions) ? extensions : [];
  for (const name of wanted) {
    if (name !== enterpriseExtension) throw validation(`Unsupported extension: ${String(name)}`);
  }
  const out: Record<string, unknown> = {
    IdentityStoreId: store.identity.identityStoreId,
    UserId: user.UserId,
    UserName: user.UserName,
    DisplayName: user.DisplayName,
    Name: user.Name,
    Emails: user.Emails,
    Title: user.Title,
    ...(user.ExternalIds !== undefined ? { ExternalIds: user.ExternalIds } : {}),
    ...user.other,
    UserStatus: "ENABLED",
    CreatedAt: user.CreatedAt,
    UpdatedAt: user.UpdatedAt,
  };
  // Extensions come back only when the request names them.
  const selected = Object.fromEntries(
    Object.entries(user.Extensions).filter(([name]) => wanted.includes(name)),
  );
  if (Object.keys(selected).length > 0) out.Extensions = selected;
  return out;
}

function groupOut(store: EmulatorStore, group: StoredGroup): Record<string, unknown> {
  return {
    IdentityStoreId: store.identity.identityStoreId,
    GroupId: group.GroupId,
    DisplayName: group.DisplayName,
    Description: group.Description,
    CreatedAt: group.CreatedAt,
    UpdatedAt: group.UpdatedAt,
  };
}

function memberUserId(input: Input): string {
  const memberId = requireObject(input, "MemberId");
  const userId = memberId.UserId;
  if (typeof userId !== "string" || userId === "") throw validation("MemberId must hold a UserId");
  return userId;
}

function uniqueAttribute(input: Input): { path: string; value: unknown } {
  const alternate = requireObject(input, "AlternateIdentifier");
  const unique = alternate.UniqueAttribute as Input | undefined;
  if (!unique || typeof unique.AttributePath !== "string") {
    throw validation("AlternateIdentifier must hold a UniqueAttribute with an AttributePath");
  }
  return { path: unique.AttributePath, value: unique.AttributeValue };
}

function checkExtensions(extensions: unknown): Record<string, Record<string, unknown>> {
  if (extensions === undefined || extensions === null) return {};
  if (typeof extensions !== "object") throw validation("Extensions must be a map");
  for (const [name, value] of Object.entries(extensions)) {
    if (name !== enterpriseExtension) throw validation(`Unsupported extension: ${name}`);
    if (typeof value !== "object" || value === null) throw validation(`Extension ${name} must be an object`);
  }
  return structuredClone(extensions as Record<string, Record<string, unknown>>);
}

function checkManager(store: EmulatorStore, extension: Record<string, unknown> | undefined): void {
  const managerId = (extension?.manager as { value?: unknown } | undefined)?.value;
  if (managerId !== undefined && (typeof managerId !== "string" || !store.users.has(managerId))) {
    throw validation(`manager ${String(managerId)} is not a user of this identity store`);
  }
}

export function identityStoreHandlers(store: EmulatorStore): Record<string, Handler> {
  const checkStore = (input: Input): void => {
    const id = constrained(
      requireString(input, "IdentityStoreId"),
      "identityStoreId",
      identityStoreIdConstraint,
    );
    if (id !== store.identity.identityStoreId) throw notFound("IDENTITY_STORE", id);
  };
  const user = (id: string): StoredUser => {
    const found = store.users.get(id);
    if (!found) throw notFound("USER", id);
    return found;
  };
  const group = (id: string): StoredGroup => {
    const found = store.groups.get(id);
    if (!found) throw notFound("GROUP", id);
    return found;
  };

  return {
    CreateUser(input) {
      checkStore(input);
      const userName = constrained(requireString(input, "UserName"), "userName", userNameConstraint);
      const displayName = constrained(requireString(input, "DisplayName"), "displayName", userTextConstraint);
      const name = requireObject(input, "Name");
      if (typeof name.GivenName !== "string" || name.GivenName === "")
        throw validation("Name.GivenName is required");
      if (typeof name.FamilyName !== "string" || name.FamilyName === "")
        throw validation("Name.FamilyName is required");
      constrained(name.GivenName, "name.givenName", userTextConstraint);
      constrained(name.FamilyName, "name.familyName", userTextConstraint);
      const emails = checkEmails(input.Emails);
      const title = optionalConstrained(input.Title, "title", userTextConstraint);
      if (store.userByName(userName)) throw conflict("Duplicate UserName");
      const extensions = checkExtensions(input.Extensions);
      checkManager(store, extensions[enterpriseExtension]);
      const now = epochSeconds();
      const created: StoredUser = {
        UserId: store.newId(),
        UserName: userName,
        DisplayName: displayName,
        Name: structuredClone(name),
        ...(emails !== undefined ? { Emails: emails } : {}),
        ...(title !== undefined ? { Title: title } : {}),
        other: {},
        Extensions: extensions,
        CreatedAt: now,
        UpdatedAt: now,
      };
      store.users.set(created.UserId, created);
      return { IdentityStoreId: store.identity.identityStoreId, UserId: created.UserId };
    },

    DescribeUser(input) {
      checkStore(input);
      return userOut(store, user(requireString(input, "UserId")), input.Extensions);
    },

    ListUsers(input) {
      checkStore(input);
      if (input.Filters !== undefined) throw validation("Filters are deprecated; use GetUserId");
      const all = [...store.users.values()];
      const { page, nextToken } = paginate(all, input, pageRules("ListUsers"));
      return { Users: page.map((entry) => userOut(store, entry, input.Extensions)), NextToken: nextToken };
    },

    GetUserId(input) {
      checkStore(input);
      const { path, value } = uniqueAttribute(input);
      if (path !== "userName" && path !== "emails.value")
        throw validation(`Unsupported unique attribute ${path}`);
      if (typeof value !== "string") throw validation("AttributeValue must be a string");
      const found =
        path === "userName"
          ? store.userByName(value)
          : [...store.users.values()].find((entry) => entry.Emails?.some((email) => email.Value === value));
      if (!found) throw notFound("USER", value);
      return { IdentityStoreId: store.identity.identityStoreId, UserId: found.UserId };
    },

    UpdateUser(input) {
      checkStore(input);
      const target = user(requireString(input, "UserId"));
      const operations = input.Operations;
      if (!Array.isArray(operations) || operations.length === 0 || operations.length > 100) {
        throw validation("Operations must hold 1 to 100 items");
      }
      const updated = structuredClone(target);
      for (const operation of operations as Input[]) {
        const path = constrained(operation.AttributePath, "attributePath", attributePathConstraint);
        // Paths are the SCIM attribute names, as written in the API reference (`name.givenName`): the
        // stricter reading is that `DisplayName` or `Emails` names nothing.
        if (!(path in userAttributePaths)) {
          throw validation(`Invalid or unsupported AttributePath ${String(path)}`);
        }
        let value = operation.AttributeValue;
        const removing = value === undefined || value === null;
        if (removing && requiredUserPaths.has(path))
          throw validation(`${path} is required and cannot be removed`);
        const constraint = userPathConstraints[path];
        if (constraint !== undefined && !removing) constrained(value, path, constraint);
        if (path === "emails" && !removing) value = emailsFromDocument(value);
        if (path === "userName") {
          const other = store.userByName(String(value));
          if (other && other.UserId !== target.UserId) throw conflict("Duplicate UserName");
        }
        if (path === enterpriseExtension && !removing) {
          if (typeof value !== "object" || Array.isArray(value))
            throw validation(`${path} must be an object`);
          checkManager(store, value as Record<string, unknown>);
        }
        setPath(
          updated as unknown as Record<string, unknown>,
          userAttributePaths[path]!,
          removing ? undefined : structuredClone(value),
        );
      }
      updated.UpdatedAt = epochSeconds();
      store.users.set(updated.UserId, updated);
      return {};
    },

    DeleteUser(input) {
      checkStore(input);
      const target = user(requireString(input, "UserId"));
      // No cascade: memberships and account assignments of the user stay behind.
      store.users.delete(target.UserId);
      return {};
    },

    CreateGroup(input) {
      checkStore(input);
      const displayName = requireString(input, "DisplayName");
      if (store.groupByName(displayName)) throw conflict("Duplicate GroupDisplayName");
      const now = epochSeconds();
      const description = optionalString(input, "Description");
      const created: StoredGroup = {
        GroupId: store.newId(),
        DisplayName: displayName,
        ...(description !== undefined ? { Description: description } : {}),
        CreatedAt: now,
        UpdatedAt: now,
      };
      store.groups.set(created.GroupId, created);
      return { IdentityStoreId: store.identity.identityStoreId, GroupId: created.GroupId };
    },

    DescribeGroup(input) {
      checkStore(input);
      return groupOut(store, group(requireString(input, "GroupId")));
    },

    ListGroups(input) {
      checkStore(input);
      if (input.Filters !== undefined) throw validation("Filters are deprecated; use GetGroupId");
      const { page, nextToken } = paginate([...store.groups.values()], input, pageRules("ListGroups"));
      return { Groups: page.map((entry) => groupOut(store, entry)), NextToken: nextToken };
    },

    GetGroupId(input) {
      checkStore(input);
      const { path, value } = uniqueAttribute(input);
      if (path !== "displayName") throw validation(`Unsupported unique attribute ${path}`);
      const found = typeof value === "string" ? store.groupByName(value) : undefined;
      if (!found) throw notFound("GROUP", String(value));
      return { IdentityStoreId: store.identity.identityStoreId, GroupId: found.GroupId };
    },

    UpdateGroup(input) {
      checkStore(input);
      const target = group(requireString(input, "GroupId"));
      const operations = input.Operations;
      if (!Array.isArray(operations) || operations.length === 0 || operations.length > 100) {
        throw validation("Operations must hold 1 to 100 items");
      }
      const updated = { ...target };
      for (const operation of operations as Input[]) {
        const value = operation.AttributeValue;
        const removing = value === undefined || value === null;
        if (operation.AttributePath === "displayName") {
          if (removing || typeof value !== "string" || value === "")
            throw validation("displayName is required");
          const other = store.groupByName(value);
          if (other && other.GroupId !== target.GroupId) throw conflict("Duplicate GroupDisplayName");
          updated.DisplayName = value;
        } else if (operation.AttributePath === "description") {
          if (removing) delete updated.Description;
          else if (typeof value === "string") updated.Description = value;
          else throw validation("description must be a string");
        } else {
          throw validation(`Invalid or unsupported AttributePath ${String(operation.AttributePath)}`);
        }
      }
      updated.UpdatedAt = epochSeconds();
      store.groups.set(updated.GroupId, updated);
      return {};
    },

    DeleteGroup(input) {
      checkStore(input);
      const target = group(requireString(input, "GroupId"));
      // Identity Store API reference, DeleteGroup: "Delete a group within an identity store given
      // GroupId", with no word of its memberships or assignments; the IAM Identity Center user guide
      // (howtodeletepermissionset): "You should remove permission sets and applications assignments from
      // users or groups you want to delete before deleting them. Otherwise, you'll have unassigned and
      // unused permission sets". So: no cascade, and no refusal either; what the group had stays behind.
      store.groups.delete(target.GroupId);
      return {};
    },

    CreateGroupMembership(input) {
      checkStore(input);
      const groupId = group(requireString(input, "GroupId")).GroupId;
      const userId = user(memberUserId(input)).UserId;
      for (const membership of store.memberships.values()) {
        if (membership.GroupId === groupId && membership.UserId === userId) {
          throw new AwsApiError("ConflictException", "Member already exists in group", 400, {
            Reason: "UNIQUENESS_CONSTRAINT_VIOLATION",
          });
        }
      }
      const membershipId = store.newId();
      store.memberships.set(membershipId, { MembershipId: membershipId, GroupId: groupId, UserId: userId });
      return { IdentityStoreId: store.identity.identityStoreId, MembershipId: membershipId };
    },

    ListGroupMemberships(input) {
      checkStore(input);
      const groupId = group(requireString(input, "GroupId")).GroupId;
      const all = [...store.memberships.values()].filter((membership) => membership.GroupId === groupId);
      const { page, nextToken } = paginate(all, input, pageRules(`ListGroupMemberships:${groupId}`));
      return {
        GroupMemberships: page.map((membership) => ({
          IdentityStoreId: store.identity.identityStoreId,
          MembershipId: membership.MembershipId,
          GroupId: membership.GroupId,
          MemberId: { UserId: membership.UserId },
        })),
        NextToken: nextToken,
      };
    },

    /**
     * ListGroupMembershipsForMember (Identity Store API reference): "For the specified member in the
     * specified identity store, returns the list of all GroupMembership objects and returns results in
     * paginated form"; MemberId is a union holding a UserId, MaxResults "Minimum value of 1. Maximum
     * value of 100". An unknown user has no memberships: the page does not say it is an error, so the
     * stricter reading would be to refuse it; the emulator answers ResourceNotFoundException like the
     * other calls that name a user.
     */
    ListGroupMembershipsForMember(input) {
      checkStore(input);
      const userId = user(memberUserId(input)).UserId;
      const all = [...store.memberships.values()].filter((membership) => membership.UserId === userId);
      const { page, nextToken } = paginate(all, input, pageRules(`ListGroupMembershipsForMember:${userId}`));
      return {
        GroupMemberships: page.map((membership) => ({
          IdentityStoreId: store.identity.identityStoreId,
          MembershipId: membership.MembershipId,
          GroupId: membership.GroupId,
          MemberId: { UserId: membership.UserId },
        })),
        NextToken: nextToken,
      };
    },

    GetGroupMembershipId(input) {
      checkStore(input);
      const groupId = requireString(input, "GroupId");
      const userId = memberUserId(input);
      for (const membership of store.memberships.values()) {
        if (membership.GroupId === groupId && membership.UserId === userId) {
          return { IdentityStoreId: store.identity.identityStoreId, MembershipId: membership.MembershipId };
        }
      }
      throw notFound("GROUP_MEMBERSHIP", `${groupId}/${userId}`);
    },

    DeleteGroupMembership(input) {
      checkStore(input);
      const membershipId = requireString(input, "MembershipId");
      if (!store.memberships.delete(membershipId)) throw notFound("GROUP_MEMBERSHIP", membershipId);
      return {};
    },
  };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    if (typeof child !== "object" || child === null) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

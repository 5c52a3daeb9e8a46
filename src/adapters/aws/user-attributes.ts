/**
 * Translation between Identity Store user shapes and `UserAttributes`. The enterprise extension's
 * manager is a user id on the wire and a userName in the model; callers pass the translation.
 */
import type { AttributeOperation, CreateUserRequest, User } from "@aws-sdk/client-identitystore";
import type { EnterpriseAttributes, IcUser, UserAttributes } from "../../sync/model.js";

/** The only extension the Identity Store supports; ListUsers returns it only when asked for by name. */
export const enterpriseExtension = "aws:identitystore:enterprise";

/**
 * The AttributePath that replaces the whole enterprise extension in UpdateUser. Replacing it whole
 * (like the multi-valued `emails`) avoids depending on sub-path syntax inside an extension name
 * that contains colons.
 */
export const enterpriseAttributePath = enterpriseExtension;

const enterpriseTextFields = [
  "employeeNumber",
  "costCenter",
  "organization",
  "division",
  "department",
] as const;

type DocumentMap = Record<string, unknown>;

/** An Identity Store user as the model sees it; `userNameOf` turns the manager's user id into a userName. */
export function userFromAws(user: User, userNameOf: (userId: string) => string | undefined): IcUser {
  const emails = user.Emails ?? [];
  const email = emails.find((entry) => entry.Primary)?.Value ?? emails[0]?.Value ?? "";
  const result: IcUser = {
    id: user.UserId ?? "",
    userName: user.UserName ?? "",
    displayName: user.DisplayName ?? "",
    givenName: user.Name?.GivenName ?? "",
    familyName: user.Name?.FamilyName ?? "",
    email,
  };
  if (user.Title !== undefined && user.Title !== "") result.title = user.Title;
  // Only a SCIM provisioner sets ExternalIds ("identifiers issued to this resource by an external
  // identity provider", Identity Store User); CreateUser and UpdateUser cannot.
  const externalIds = (user.ExternalIds ?? []).flatMap((external) =>
    external.Issuer && external.Id ? [{ issuer: external.Issuer, id: external.Id }] : [],
  );
  if (externalIds.length > 0) result.externalIds = externalIds;
  const enterprise = enterpriseFromAws(user.Extensions?.[enterpriseExtension], userNameOf);
  if (enterprise) result.enterprise = enterprise;
  return result;
}

function enterpriseFromAws(
  value: unknown,
  userNameOf: (userId: string) => string | undefined,
): EnterpriseAttributes | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const source = value as DocumentMap;
  const enterprise: EnterpriseAttributes = {};
  for (const field of enterpriseTextFields) {
    const text = source[field];
    if (typeof text === "string" && text !== "") enterprise[field] = text;
  }
  const manager = source.manager;
  const managerId =
    typeof manager === "object" && manager !== null ? (manager as DocumentMap).value : undefined;
  if (typeof managerId === "string") {
    const managerName = userNameOf(managerId);
    // A manager id that names no user (deleted since) is not a manager any more.
    if (managerName !== undefined) enterprise.manager = managerName;
  }
  return Object.keys(enterprise).length > 0 ? enterprise : undefined;
}

/** The enterprise extension document to send, or undefined when there is nothing in it. */
export function enterpriseToAws(
  enterprise: EnterpriseAttributes | undefined,
  managerIdOf: (userName: string) => string | undefined,
): DocumentMap | undefined {
  if (!enterprise) return undefined;
  const document: DocumentMap = {};
  for (const field of enterpriseTextFields) {
    const text = enterprise[field];
    if (text !== undefined && text !== "") document[field] = text;
  }
  if (enterprise.manager !== undefined) {
    const managerId = managerIdOf(enterprise.manager);
    if (managerId !== undefined) document.manager = { value: managerId };
  }
  return Object.keys(document).length > 0 ? document : undefined;
}

/** The fields of a CreateUser request (everything but the identity store id). */
export function createUserFields(
  user: UserAttributes,
  managerIdOf: (userName: string) => string | undefined,
): Omit<CreateUserRequest, "IdentityStoreId"> {
  const fields: Omit<CreateUserRequest, "IdentityStoreId"> = {
    UserName: user.userName,
    DisplayName: user.displayName,
    Name: { GivenName: user.givenName, FamilyName: user.familyName },
    Emails: [{ Value: user.email, Type: "work", Primary: true }],
  };
  if (user.title !== undefined && user.title !== "") fields.Title = user.title;
  const enterprise = enterpriseToAws(user.enterprise, managerIdOf);
  if (enterprise) fields.Extensions = { [enterpriseExtension]: enterprise as never };
  return fields;
}

/** The attributes a plan's user update can name, in the order their operations are sent. */
const userFields = [
  "userName",
  "displayName",
  "givenName",
  "familyName",
  "email",
  "title",
  "enterprise",
] as const;
export type UserField = (typeof userFields)[number];

/**
 * UpdateUser operations setting exactly `fields` to their values in `after` (a plan's field changes:
 * the planner's equality decided what changed, so nothing is compared here). An operation without an
 * AttributeValue removes the attribute.
 */
export function userUpdateOperations(
  fields: Iterable<string>,
  after: UserAttributes,
  managerIdOf: (userName: string) => string | undefined,
): AttributeOperation[] {
  const changed = new Set(fields);
  const operations: AttributeOperation[] = [];
  for (const field of userFields) {
    if (changed.has(field)) operations.push(userFieldOperation(field, after, managerIdOf));
  }
  return operations;
}

/** UpdateUser operations replacing every managed attribute (a user found under a name, not read yet). */
export function everyUserAttributeOperation(
  after: UserAttributes,
  managerIdOf: (userName: string) => string | undefined,
): AttributeOperation[] {
  const operations = userFields.map((field) => userFieldOperation(field, after, managerIdOf));
  // Removing needs a known previous value: removing an attribute that may not exist is not asked for.
  return operations.filter((operation) => operation.AttributeValue !== undefined);
}

function userFieldOperation(
  field: UserField,
  after: UserAttributes,
  managerIdOf: (userName: string) => string | undefined,
): AttributeOperation {
  switch (field) {
    case "userName":
    case "displayName":
      return { AttributePath: field, AttributeValue: after[field] as never };
    case "givenName":
    case "familyName":
      return { AttributePath: `name.${field}`, AttributeValue: after[field] as never };
    case "email":
      // Multi-valued attributes can only be replaced whole. The value is a Document, not the SDK's Email
      // shape: its keys are the SCIM sub-attribute names, as the attribute paths are (`name.givenName`).
      // AWS's own re:Post answer on updating a user's emails and the Terraform provider both send
      // `value`, `type`, `primary`; the SDK's `Value`/`Type`/`Primary` would name nothing there.
      return {
        AttributePath: "emails",
        AttributeValue: [{ value: after.email, type: "work", primary: true }],
      };
    case "title": {
      const title = nonEmpty(after.title);
      return title === undefined
        ? { AttributePath: "title" }
        : { AttributePath: "title", AttributeValue: title };
    }
    case "enterprise": {
      const document = enterpriseToAws(after.enterprise, managerIdOf);
      return document === undefined
        ? { AttributePath: enterpriseAttributePath }
        : { AttributePath: enterpriseAttributePath, AttributeValue: document as never };
    }
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === "" ? undefined : text;
}

/**
 * What a Directory API list page must look like before anything on it is believed. A 200 whose body is
 * an HTML page (a proxy's login page), empty, a JSON string, or an object of another kind is not a page
 * of users that happens to be the last one: it is a failed read, retried like a 503 and, if it persists,
 * fatal to the whole read. The response templates (Admin SDK Directory API reference, "JSON response
 * template for List Users operation") carry `kind` ("admin#directory#users", "admin#directory#members",
 * "admin#directory#groups", "admin#directory#orgUnits"), the list, which Google leaves out when it is empty, and `nextPageToken`.
 */
import type { admin_directory_v1 } from "@googleapis/admin";
import { MalformedResponseError } from "../errors.js";

export interface Page<T> {
  items: T[];
  /** Undefined on the last page. */
  nextPageToken: string | undefined;
}

export function usersPage(data: unknown, what: string): Page<admin_directory_v1.Schema$User> {
  const page = listPage(data, what, "admin#directory#users", "users");
  for (const user of page.items) {
    if (typeof user.id !== "string" || typeof user.primaryEmail !== "string") {
      throw new MalformedResponseError(`${what}: a user on the page has no id or primary email`);
    }
  }
  return page as Page<admin_directory_v1.Schema$User>;
}

export function membersPage(data: unknown, what: string): Page<admin_directory_v1.Schema$Member> {
  const page = listPage(data, what, "admin#directory#members", "members");
  for (const member of page.items) {
    if (typeof member.type !== "string") {
      throw new MalformedResponseError(`${what}: a member on the page has no type`);
    }
    // Only the "all users" member (CUSTOMER) comes without an address (Member resource reference).
    if (member.type !== "CUSTOMER" && (typeof member.email !== "string" || member.email === "")) {
      throw new MalformedResponseError(
        `${what}: a ${member.type.slice(0, 20)} member on the page has no email`,
      );
    }
  }
  return page as Page<admin_directory_v1.Schema$Member>;
}

export function groupsPage(data: unknown, what: string): Page<admin_directory_v1.Schema$Group> {
  const page = listPage(data, what, "admin#directory#groups", "groups");
  for (const group of page.items) {
    if (typeof group.email !== "string" || group.email === "") {
      throw new MalformedResponseError(`${what}: a group on the page has no email`);
    }
  }
  return page as Page<admin_directory_v1.Schema$Group>;
}

export function orgUnitsPage(data: unknown, what: string): Page<admin_directory_v1.Schema$OrgUnit> {
  const page = listPage(data, what, "admin#directory#orgUnits", "organizationUnits");
  for (const unit of page.items) {
    if (typeof unit.orgUnitPath !== "string" || unit.orgUnitPath === "") {
      throw new MalformedResponseError(`${what}: an org unit on the page has no path`);
    }
  }
  return page as Page<admin_directory_v1.Schema$OrgUnit>;
}

function listPage(data: unknown, what: string, kind: string, listKey: string): Page<Record<string, unknown>> {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new MalformedResponseError(`${what}: the answer was ${describeBody(data)}, not a "${kind}" page`);
  }
  const body = data as Record<string, unknown>;
  if (body.kind !== kind) {
    const found = typeof body.kind === "string" ? `kind "${body.kind.slice(0, 60)}"` : "no kind";
    throw new MalformedResponseError(`${what}: the answer has ${found}, not "${kind}"`);
  }
  const list = body[listKey];
  if (list !== undefined && !Array.isArray(list)) {
    throw new MalformedResponseError(`${what}: "${listKey}" is not a list`);
  }
  const items = (list ?? []) as unknown[];
  if (!items.every((item) => typeof item === "object" && item !== null && !Array.isArray(item))) {
    throw new MalformedResponseError(`${what}: "${listKey}" holds something other than objects`);
  }
  const token = body.nextPageToken;
  if (token !== undefined && token !== null && typeof token !== "string") {
    throw new MalformedResponseError(`${what}: nextPageToken is not a string`);
  }
  return {
    items: items as Record<string, unknown>[],
    nextPageToken: typeof token === "string" && token !== "" ? token : undefined,
  };
}

/** What came instead of a page, without quoting it: a body is never echoed into logs or alerts. */
function describeBody(data: unknown): string {
  if (data === undefined || data === null || data === "") return "empty";
  if (typeof data === "string") {
    const html = /^\s*</.test(data) ? "an HTML or XML document" : "text";
    return `${html} (${data.length} characters)`;
  }
  if (Array.isArray(data)) return "a JSON list";
  return `a JSON ${typeof data}`;
}

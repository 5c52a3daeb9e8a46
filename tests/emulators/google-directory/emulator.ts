/**
 * A local Google Admin SDK Directory API (directory_v1) for tests, the demo and the benchmark. It serves
 * a directory snapshot (the same file the `file:` source reads) on the paths the @googleapis/admin
 * client calls, with Google's paging, page-size caps, derived membership, error shapes and a required
 * bearer token, plus fault injection and per-path request counts.
 */
import { createPublicKey, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type DirectorySnapshot,
  expandGroup,
  orgUnitsOf,
  type SnapshotGroup,
  type SnapshotUser,
  snapshotIdFor,
  snapshotUserToDirectoryUser,
} from "../../../src/adapters/file/directory-snapshot.js";
import { GooglePush, type GooglePushOptions } from "./changes.js";
import { EmulatorFaults, type GoogleErrorSpec, invalidCredentials, malformedBodies } from "./faults.js";

export interface GoogleDirectoryEmulatorOptions {
  snapshot: DirectorySnapshot;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Host to listen on. Default 127.0.0.1. */
  host?: string;
  /** The bearer token every request must carry. Default "emulator-token". */
  accessToken?: string;
  /** Added to every answer. Default 0. */
  latencyMs?: number;
  /** The customer id that, besides `my_customer`, names this directory's customer. Default "C0emul8r". */
  customerId?: string;
  /**
   * Serves `POST /token`, the OAuth JWT-bearer grant a service account with domain-wide delegation
   * uses, for this service account: the assertion must be signed by `publicKeyPem`, name a subject in
   * `admins` and ask only for `scopes` (what the Admin console granted). Answers the access token.
   */
  delegation?: EmulatedDelegation;
  /** Push channels, the Reports activity log and the change hooks (push.ts, reports.ts, changes.ts). */
  push?: GooglePushOptions;
}

export interface EmulatedDelegation {
  clientEmail: string;
  publicKeyPem: string;
  /** The scopes granted to the client id in the Admin console. */
  scopes: string[];
  /** Admins the service account may act as. */
  admins: string[];
}

export interface GoogleDirectoryEmulator {
  /** The `rootUrl` to give the client, ending in "/". */
  url: string;
  /** The bearer token the emulator expects. */
  accessToken: string;
  /** The customer id it answers to besides `my_customer`. */
  customerId: string;
  close(): Promise<void>;
  /** Requests received per decoded path, faulted and refused ones included. */
  requestCounts(): Record<string, number>;
  /** The most requests the emulator was answering at once since start or `resetCounts()`. */
  peakConcurrency(): number;
  resetCounts(): void;
  faults: EmulatorFaults;
  /** Serves another snapshot from now on (people joined, left, were renamed). */
  setSnapshot(snapshot: DirectorySnapshot): void;
  /** Watch channels, activities and the change hooks that produce notifications (changes.ts). */
  push: GooglePush;
}

/** Page sizes of the real API: default and largest. */
export const emulatorPageSizes = {
  users: { default: 100, max: 500 },
  members: { default: 200, max: 200 },
  /** groups.list: "maxResults ... Max allowed value is 200." */
  groups: { default: 200, max: 200 },
} as const;

const apiPrefix = "/admin/directory/v1/";

/** Starts the emulator; `close()` it when done. */
export async function startGoogleDirectoryEmulator(
  options: GoogleDirectoryEmulatorOptions,
): Promise<GoogleDirectoryEmulator> {
  const accessToken = options.accessToken ?? "emulator-token";
  const customerId = options.customerId ?? "C0emul8r";
  const latencyMs = options.latencyMs ?? 0;
  const faults = new EmulatorFaults();
  const stalled = new Set<ServerResponse>();
  const counts = new Map<string, number>();
  let inFlight = 0;
  let peak = 0;
  let data = indexSnapshot(options.snapshot);
  let rootUrl = "";
  const push = new GooglePush(
    {
      get: () => data.snapshot,
      set: (snapshot) => {
        data = indexSnapshot(snapshot);
      },
      rootUrl: () => rootUrl,
      customerId,
    },
    options.push,
  );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://emulator");
    const path = safeDecode(url.pathname);
    counts.set(path, (counts.get(path) ?? 0) + 1);

    const { delayMs, outcome } = faults.take({ path, page: pageOf(url.searchParams.get("pageToken")) });
    const wait = latencyMs + delayMs;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (outcome?.kind === "reset") {
      req.socket.destroy();
      return;
    }
    if (outcome?.kind === "error") return sendError(res, outcome.error);
    if (outcome?.kind === "malformed") {
      const { contentType, body } = malformedBodies[outcome.body];
      res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (outcome?.kind === "stall") {
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8", "content-length": 4096 });
      res.write('{"kind":');
      stalled.add(res);
      return;
    }

    if (path === "/token" && req.method === "POST") {
      const answer = grantToken(options.delegation, accessToken, new URLSearchParams(await readBody(req)));
      return sendJson(res, answer.status, answer.body);
    }

    if (req.headers.authorization !== `Bearer ${accessToken}`) {
      return sendError(res, {
        ...invalidCredentials,
        message: req.headers.authorization ? "Invalid Credentials" : "Login Required.",
        reason: req.headers.authorization ? "authError" : "required",
      });
    }
    const pushed = await push.route(req, path, url.searchParams);
    if (pushed) {
      if ("error" in pushed) return sendError(res, pushed.error);
      if (pushed.body === undefined) {
        res.writeHead(pushed.status);
        return void res.end();
      }
      return sendJson(res, pushed.status, pushed.body);
    }
    if (req.method !== "GET") {
      return sendError(res, {
        status: 405,
        reason: "badRequest",
        message: "Method not allowed here",
        domain: "global",
      });
    }
    const result = route(data, customerId, path, url.searchParams, push);
    if ("error" in result) return sendError(res, result.error);
    if (outcome?.kind === "emptyPage") return sendJson(res, 200, withoutItems(result.body));
    return sendJson(res, 200, result.body);
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) {
          sendError(res, { status: 500, reason: "internalError", message: String(error), domain: "global" });
        }
      })
      .finally(() => {
        inFlight -= 1;
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  rootUrl = `http://${host}:${address.port}/`;

  return {
    url: rootUrl,
    accessToken,
    customerId,
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of stalled) response.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    requestCounts: () => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
    peakConcurrency: () => peak,
    resetCounts: () => {
      counts.clear();
      peak = inFlight;
    },
    setSnapshot: (snapshot) => {
      data = indexSnapshot(snapshot);
    },
    push,
  };
}

// ─── OAuth token endpoint (domain-wide delegation) ─────────────────────────────────────────────────

function grantToken(
  delegation: EmulatedDelegation | undefined,
  accessToken: string,
  form: URLSearchParams,
): { status: number; body: Record<string, unknown> } {
  const refuse = (status: number, error: string, description: string) => ({
    status,
    body: { error, error_description: description },
  });
  if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    return refuse(400, "unsupported_grant_type", "Invalid grant_type");
  }
  const [header, payload, signature] = (form.get("assertion") ?? "").split(".");
  if (!header || !payload || !signature) return refuse(400, "invalid_request", "Invalid JWT");
  let claims: { iss?: string; sub?: string; scope?: string; exp?: number };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return refuse(400, "invalid_request", "Invalid JWT");
  }
  if (!delegation || claims.iss !== delegation.clientEmail) {
    return refuse(401, "invalid_client", "The OAuth client was not found.");
  }
  const signed = verify(
    "RSA-SHA256",
    Buffer.from(`${header}.${payload}`),
    createPublicKey(delegation.publicKeyPem),
    Buffer.from(signature, "base64url"),
  );
  if (!signed) return refuse(400, "invalid_grant", "Invalid JWT Signature.");
  if (
    !claims.sub ||
    !delegation.admins.map((admin) => admin.toLowerCase()).includes(claims.sub.toLowerCase())
  ) {
    return refuse(400, "invalid_grant", "Invalid email or User ID");
  }
  const requested = (claims.scope ?? "").split(" ").filter(Boolean);
  if (requested.length === 0 || !requested.every((scope) => delegation.scopes.includes(scope))) {
    return refuse(
      401,
      "unauthorized_client",
      "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.",
    );
  }
  return { status: 200, body: { access_token: accessToken, expires_in: 3599, token_type: "Bearer" } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

// ─── Data ───────────────────────────────────────────────────────────────────────────────────────────

interface IndexedDirectory {
  snapshot: DirectorySnapshot;
  users: SnapshotUser[];
  usersByEmail: Map<string, SnapshotUser>;
  groupsByKey: Map<string, SnapshotGroup>;
  groupEmails: Set<string>;
  orgUnits: Array<{ path: string; name: string }>;
}

function indexSnapshot(snapshot: DirectorySnapshot): IndexedDirectory {
  const groupsByKey = new Map<string, SnapshotGroup>();
  for (const group of snapshot.groups) {
    groupsByKey.set(group.email, group);
    groupsByKey.set(group.id ?? snapshotIdFor(group.email), group);
  }
  // Google always has the parents of an org unit; a snapshot may list only the leaves.
  const units = new Map(orgUnitsOf(snapshot).map((unit) => [unit.path, unit.name]));
  for (const path of [...units.keys()]) {
    const parts = path.split("/").filter(Boolean);
    for (let depth = 1; depth < parts.length; depth += 1) {
      const parent = `/${parts.slice(0, depth).join("/")}`;
      if (!units.has(parent)) units.set(parent, parts[depth - 1]!);
    }
  }
  return {
    snapshot,
    users: snapshot.users,
    usersByEmail: new Map(snapshot.users.map((user) => [user.primaryEmail, user])),
    groupsByKey,
    groupEmails: new Set(snapshot.groups.map((group) => group.email)),
    orgUnits: [...units].map(([path, name]) => ({ path, name })).sort((a, b) => a.path.localeCompare(b.path)),
  };
}

type RouteResult = { body: unknown } | { error: GoogleErrorSpec };

function route(
  data: IndexedDirectory,
  customerId: string,
  path: string,
  query: URLSearchParams,
  push: GooglePush,
): RouteResult {
  if (!path.startsWith(apiPrefix)) return notFound("Not Found");
  const parts = path.slice(apiPrefix.length).split("/");
  if (parts.length === 1 && parts[0] === "users") return listUsers(data, customerId, query);
  if (parts.length === 2 && parts[0] === "users") return getUser(data, customerId, parts[1]!, push);
  if (parts[0] === "groups" && parts.length === 1) return listGroups(data, customerId, query);
  if (parts[0] === "groups" && parts.length === 2) return getGroup(data, parts[1]!);
  if (parts[0] === "groups" && parts.length === 3 && parts[2] === "members") {
    return listMembers(data, customerId, parts[1]!, query, path);
  }
  if (parts[0] === "customer" && parts.length === 3 && parts[2] === "orgunits") {
    return listOrgUnits(data, customerId, parts[1]!, query);
  }
  return notFound("Not Found");
}

function listUsers(data: IndexedDirectory, customerId: string, query: URLSearchParams): RouteResult {
  const customer = query.get("customer");
  const domain = query.get("domain")?.toLowerCase();
  if (!customer && !domain) return badRequest("Bad Request");
  if (customer && customer !== "my_customer" && customer !== customerId) return badRequest("Bad Request");
  const projection = query.get("projection") ?? "basic";
  if (!["basic", "full", "custom"].includes(projection))
    return invalid(`Invalid value for: ${projection} is not a valid value`);
  const filter = parseUserQuery(query.get("query"));
  if ("error" in filter) return filter;
  const users = data.users.filter(
    (user) => (!domain || user.primaryEmail.endsWith(`@${domain}`)) && filter.accept(user),
  );
  const listing = `users|${customer ?? ""}|${domain ?? ""}|${query.get("query") ?? ""}`;
  const page = paginate(users, query, listing, emulatorPageSizes.users);
  if ("error" in page) return page;
  return {
    body: withPage(
      { kind: "admin#directory#users", etag: etag(listing, page.offset) },
      "users",
      page.items.map((user) => userResource(user, customerId)),
      page.nextPageToken,
    ),
  };
}

/**
 * `users.get`: "GET https://admin.googleapis.com/admin/directory/v1/users/{userKey}", where userKey "can be
 * the user's primary email address, alias email address, or unique user ID"
 * (https://developers.google.com/workspace/admin/directory/reference/rest/v1/users/get).
 */
function getUser(data: IndexedDirectory, customerId: string, key: string, push: GooglePush): RouteResult {
  const wanted = key.toLowerCase();
  const user = data.users.find(
    (candidate) =>
      candidate.primaryEmail === wanted ||
      candidate.aliases.includes(wanted) ||
      snapshotUserToDirectoryUser(candidate).id === key,
  );
  if (!user) return notFound("Resource Not Found: userKey");
  const resource = userResource(user, customerId);
  return { body: { ...resource, isAdmin: push.isAdmin(user.primaryEmail) } };
}

/**
 * `groups.list`: "GET https://admin.googleapis.com/admin/directory/v1/groups", "Retrieves all groups of a
 * domain or of a user given a userKey (paginated)"; `customer` or `domain` is required ("to fetch all
 * groups for a customer, use this field instead of domain"), `maxResults` "Max allowed value is 200"
 * (https://developers.google.com/workspace/admin/directory/reference/rest/v1/groups/list). Sorted by
 * email, as `orderBy=email` would; the real order without it is unspecified.
 */
function listGroups(data: IndexedDirectory, customerId: string, query: URLSearchParams): RouteResult {
  const customer = query.get("customer");
  const domain = query.get("domain")?.toLowerCase();
  if (!customer && !domain && !query.get("userKey")) return badRequest("Bad Request");
  if (customer && customer !== "my_customer" && customer !== customerId) return badRequest("Bad Request");
  const groups = data.snapshot.groups
    .filter((group) => !domain || group.email.endsWith(`@${domain}`))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  const listing = `groups|${customer ?? ""}|${domain ?? ""}`;
  const page = paginate(groups, query, listing, emulatorPageSizes.groups);
  if ("error" in page) return page;
  return {
    body: withPage(
      { kind: "admin#directory#groups", etag: etag(listing, page.offset) },
      "groups",
      page.items.map((group) => ({
        kind: "admin#directory#group",
        id: group.id ?? snapshotIdFor(group.email),
        etag: etag(group.email, 0),
        email: group.email,
        name: group.name,
        directMembersCount: String(group.members.length),
        description: group.description ?? "",
        adminCreated: true,
      })),
      page.nextPageToken,
    ),
  };
}

function getGroup(data: IndexedDirectory, key: string): RouteResult {
  const group = data.groupsByKey.get(key.toLowerCase()) ?? data.groupsByKey.get(key);
  if (!group) return notFound("Resource Not Found: groupKey");
  return {
    body: {
      kind: "admin#directory#group",
      id: group.id ?? snapshotIdFor(group.email),
      etag: etag(group.email, 0),
      email: group.email,
      name: group.name,
      directMembersCount: String(group.members.length),
      description: group.description ?? "",
      adminCreated: true,
    },
  };
}

/**
 * members.list. Derived (`includeDerivedMembership=true`): every user reached through nested groups.
 * Direct: the group's own members, groups included.
 *
 * The "all users in the organization" member: the Member resource reference
 * (https://developers.google.com/workspace/admin/directory/reference/rest/v1/members) gives its type as
 * "CUSTOMER: The member represents all users in a domain. An email address is not returned and the ID
 * returned is the customer ID." So it is one member with the customer id, `role` and `type`, and no
 * `email` (nor `status`, as in answers quoted from the real API in bitwarden/directory-connector#56).
 * Whether `includeDerivedMembership` expands it into users the docs do not say; the emulator takes the
 * stricter reading, that it does not: a derived listing carries the one CUSTOMER member, once, when the
 * group or any group nested in it has it.
 */
function listMembers(
  data: IndexedDirectory,
  customerId: string,
  key: string,
  query: URLSearchParams,
  path: string,
): RouteResult {
  const group = data.groupsByKey.get(key.toLowerCase()) ?? data.groupsByKey.get(key);
  if (!group) return notFound("Resource Not Found: groupKey");
  const derived = query.get("includeDerivedMembership") === "true";
  const expanded = derived
    ? expandGroup(data.snapshot, group.email)
    : { memberEmails: [...group.members].sort(), allUsers: group.allUsers === true };
  const members = [
    ...(expanded.allUsers ? [customerMemberResource(customerId)] : []),
    ...expanded.memberEmails.map((address) => memberResource(data, address)),
  ];
  const listing = `${path}|${derived}`;
  const page = paginate(members, query, listing, emulatorPageSizes.members);
  if ("error" in page) return page;
  return {
    body: withPage(
      { kind: "admin#directory#members", etag: etag(listing, page.offset) },
      "members",
      page.items,
      page.nextPageToken,
    ),
  };
}

function listOrgUnits(
  data: IndexedDirectory,
  customerId: string,
  customer: string,
  query: URLSearchParams,
): RouteResult {
  if (customer !== "my_customer" && customer !== customerId) return badRequest("Bad Request");
  const type = query.get("type") ?? "children";
  if (!["all", "children", "allIncludingParent"].includes(type)) return invalid(`Invalid value for: type`);
  const base = query.get("orgUnitPath") ?? "/";
  const under = (path: string): boolean => base === "/" || path.startsWith(`${base}/`);
  const depth = (path: string): number => path.split("/").filter(Boolean).length;
  const baseDepth = base === "/" ? 0 : depth(base);
  if (base !== "/" && !data.orgUnits.some((unit) => unit.path === base))
    return notFound("Org unit not found");
  const units = data.orgUnits.filter((unit) => {
    if (type === "allIncludingParent" && unit.path === base) return true;
    if (!under(unit.path)) return false;
    return type !== "children" || depth(unit.path) === baseDepth + 1;
  });
  return {
    body: withPage(
      { kind: "admin#directory#orgUnits", etag: etag(`orgunits|${base}|${type}`, 0) },
      "organizationUnits",
      units.map((unit) => {
        const parentPath = unit.path.slice(0, unit.path.lastIndexOf("/")) || "/";
        return {
          kind: "admin#directory#orgUnit",
          etag: etag(unit.path, 0),
          name: unit.name,
          description: "",
          orgUnitPath: unit.path,
          orgUnitId: `id:${snapshotIdFor(unit.path)}`,
          parentOrgUnitPath: parentPath,
          parentOrgUnitId: `id:${snapshotIdFor(parentPath)}`,
          blockInheritance: false,
        };
      }),
      undefined,
    ),
  };
}

// ─── Resources ──────────────────────────────────────────────────────────────────────────────────────

/** Google keeps system aliases (the customer's test domain) apart from the ones an admin added. */
const nonEditableAliasPattern = /\.test-google-a\.com$/;

function userResource(user: SnapshotUser, customerId: string): Record<string, unknown> {
  const model = snapshotUserToDirectoryUser(user);
  const aliases = model.aliases.filter((alias) => !nonEditableAliasPattern.test(alias));
  const nonEditableAliases = model.aliases.filter((alias) => nonEditableAliasPattern.test(alias));
  const organization = {
    ...(model.title ? { title: model.title } : {}),
    ...(model.department ? { department: model.department } : {}),
    ...(model.costCenter ? { costCenter: model.costCenter } : {}),
  };
  return {
    kind: "admin#directory#user",
    id: model.id,
    etag: etag(model.primaryEmail, 0),
    primaryEmail: model.primaryEmail,
    name: {
      givenName: model.givenName,
      familyName: model.familyName,
      fullName: `${model.givenName} ${model.familyName}`,
    },
    isAdmin: false,
    isDelegatedAdmin: false,
    lastLoginTime: "1970-01-01T00:00:00.000Z",
    creationTime: "2024-01-01T00:00:00.000Z",
    agreedToTerms: true,
    suspended: model.suspended,
    ...(model.suspended ? { suspensionReason: "ADMIN" } : {}),
    archived: model.archived,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [
      { address: model.primaryEmail, primary: true },
      ...model.aliases.map((address) => ({ address })),
    ],
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(nonEditableAliases.length > 0 ? { nonEditableAliases } : {}),
    ...(Object.keys(organization).length > 0
      ? { organizations: [{ ...organization, primary: true, customType: "" }] }
      : {}),
    ...(model.employeeId ? { externalIds: [{ value: model.employeeId, type: "organization" }] } : {}),
    ...(model.manager ? { relations: [{ value: model.manager, type: "manager" }] } : {}),
    customerId,
    orgUnitPath: model.orgUnitPath,
    isMailboxSetup: true,
    includeInGlobalAddressList: true,
  };
}

/**
 * One member. `type` is USER or GROUP: the reference lists EXTERNAL ("a user or group from outside the
 * domain") as "(Not currently used)", so an address outside the customer comes back as a USER.
 * `status` is "Status of member (Immutable)" with no values listed: users of the customer carry
 * ACTIVE or SUSPENDED (their account's state) and groups ACTIVE, while an address that is not a user
 * of the customer carries none, as Google stopped sending it for external members
 * (hlavki/g-suite-identity-sync#21: "Google stopped sending of status attribute for external user
 * membership"); a reader must not take a missing status for a suspended member, nor for an active one.
 */
function memberResource(data: IndexedDirectory, address: string): Record<string, unknown> {
  const isGroup = data.groupEmails.has(address);
  const user = data.usersByEmail.get(address);
  const group = isGroup ? data.groupsByKey.get(address) : undefined;
  const status = isGroup ? "ACTIVE" : user ? (user.suspended ? "SUSPENDED" : "ACTIVE") : undefined;
  return {
    kind: "admin#directory#member",
    etag: etag(address, 1),
    id: group?.id ?? (user ? snapshotUserToDirectoryUser(user).id : snapshotIdFor(address)),
    email: address,
    role: "MEMBER",
    type: isGroup ? "GROUP" : "USER",
    ...(status === undefined ? {} : { status }),
  };
}

/** The "all users in the organization" member (see `listMembers`): the customer id, no email. */
function customerMemberResource(customerId: string): Record<string, unknown> {
  return {
    kind: "admin#directory#member",
    etag: etag(`customer:${customerId}`, 1),
    id: customerId,
    role: "MEMBER",
    type: "CUSTOMER",
  };
}

// ─── Query, paging, answers ─────────────────────────────────────────────────────────────────────────

interface UserFilter {
  accept(user: SnapshotUser): boolean;
}

/** The `query` forms the emulator understands: `isSuspended=`, `isArchived=`, `orgUnitPath=`, ANDed. */
function parseUserQuery(text: string | null): UserFilter | { error: GoogleErrorSpec } {
  if (!text?.trim()) return { accept: () => true };
  const tests: Array<(user: SnapshotUser) => boolean> = [];
  for (const clause of text.trim().split(/\s+/)) {
    const match = /^(isSuspended|isArchived|orgUnitPath)=(?:'([^']*)'|(\S+))$/.exec(clause);
    if (!match) return invalid(`Invalid Input: ${text}`);
    const [, field, quoted, bare] = match;
    const value = quoted ?? bare ?? "";
    if (field === "orgUnitPath") {
      tests.push(
        (user) => user.orgUnitPath === value || user.orgUnitPath.startsWith(`${value.replace(/\/$/, "")}/`),
      );
    } else {
      if (value !== "true" && value !== "false") return invalid(`Invalid Input: ${text}`);
      const wanted = value === "true";
      tests.push((user) => (field === "isSuspended" ? user.suspended : user.archived) === wanted);
    }
  }
  return { accept: (user) => tests.every((test) => test(user)) };
}

interface PageToken {
  listing: string;
  offset: number;
  page: number;
}

function paginate<T>(
  items: T[],
  query: URLSearchParams,
  listing: string,
  sizes: { default: number; max: number },
): { items: T[]; offset: number; nextPageToken?: string } | { error: GoogleErrorSpec } {
  const rawMax = query.get("maxResults");
  let size: number = sizes.default;
  if (rawMax !== null) {
    const parsed = Number(rawMax);
    if (!Number.isInteger(parsed) || parsed < 1)
      return invalid(`Invalid value '${rawMax}'. Values must be within the range: [1, ${sizes.max}]`);
    size = Math.min(parsed, sizes.max);
  }
  let offset = 0;
  let page = 0;
  const rawToken = query.get("pageToken");
  if (rawToken) {
    const token = decodeToken(rawToken);
    if (!token || token.listing !== listing) return invalid("Invalid page token");
    offset = token.offset;
    page = token.page;
  }
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    offset,
    ...(end < items.length ? { nextPageToken: encodeToken({ listing, offset: end, page: page + 1 }) } : {}),
  };
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([token.listing, token.offset, token.page])).toString("base64url");
}

function decodeToken(raw: string): PageToken | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [listing, offset, page] = value as unknown[];
    if (typeof listing !== "string" || !Number.isInteger(offset) || !Number.isInteger(page)) return undefined;
    return { listing, offset: offset as number, page: page as number };
  } catch {
    return undefined;
  }
}

function pageOf(rawToken: string | null): number | undefined {
  if (!rawToken) return 0;
  return decodeToken(rawToken)?.page;
}

function withPage(
  head: Record<string, unknown>,
  key: string,
  items: unknown[],
  nextPageToken: string | undefined,
): Record<string, unknown> {
  // Google leaves the list out of an empty answer.
  return {
    ...head,
    ...(items.length > 0 ? { [key]: items } : {}),
    ...(nextPageToken ? { nextPageToken } : {}),
  };
}

const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  502: "UNAVAILABLE",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

/** `{ error: { code, message, errors: [{ domain, reason, message }], status } }`, as Google answers. */
export function googleErrorBody(error: GoogleErrorSpec): Record<string, unknown> {
  return {
    error: {
      code: error.status,
      message: error.message,
      errors: [{ message: error.message, domain: error.domain, reason: error.reason }],
      status: statusNames[error.status] ?? "UNKNOWN",
    },
  };
}

/** A list page with its items left out, as Google sends an empty page; kind and token are kept. */
function withoutItems(body: unknown): unknown {
  const { users: _users, members: _members, ...rest } = body as Record<string, unknown>;
  return rest;
}

function sendError(res: ServerResponse, error: GoogleErrorSpec): void {
  const headers: Record<string, string> = {};
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="https://accounts.google.com/"';
  if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
  sendJson(res, error.status, googleErrorBody(error), headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function notFound(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 404, reason: "notFound", message, domain: "global" } };
}

function badRequest(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "badRequest", message, domain: "global" } };
}

function invalid(message: string): { error: GoogleErrorSpec } {
  return { error: { status: 400, reason: "invalid", message, domain: "global" } };
}

function etag(seed: string, offset: number): string {
  return `"${snapshotIdFor(`${seed}#${offset}`)}"`;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

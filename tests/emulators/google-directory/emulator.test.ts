import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directorySnapshotSchema } from "../../../src/adapters/file/directory-snapshot.js";
import { syntheticDirectory } from "../../fixtures/google/synthetic-directory.js";
import { type GoogleDirectoryEmulator, startGoogleDirectoryEmulator } from "./emulator.js";

let emulator: GoogleDirectoryEmulator;
beforeAll(async () => {
  const snapshot = syntheticDirectory({
    users: 620,
    groups: [
      { email: "big@example.com", size: 230 },
      { email: "outer@example.com", size: 2, nested: ["big@example.com"] },
    ],
  });
  emulator = await startGoogleDirectoryEmulator({ snapshot, accessToken: "t0k3n" });
});
afterAll(() => emulator.close());

async function get(
  path: string,
  token = "t0k3n",
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, emulator.url), {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function pageSizes(path: string): Promise<number[]> {
  const sizes: number[] = [];
  let token: unknown;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const page = await get(`${path}${token ? `${separator}pageToken=${token}` : ""}`);
    const items = (page.body.users ?? page.body.members ?? []) as unknown[];
    sizes.push(items.length);
    token = page.body.nextPageToken;
  } while (token);
  return sizes;
}

describe("the Google Directory emulator", () => {
  it("pages users 100 at a time by default and caps maxResults at 500", async () => {
    expect(await pageSizes("admin/directory/v1/users?customer=my_customer")).toEqual([
      100, 100, 100, 100, 100, 100, 20,
    ]);
    expect(await pageSizes("admin/directory/v1/users?customer=my_customer&maxResults=900")).toEqual([
      500, 120,
    ]);
  });

  it("caps member pages at 200 and expands nested groups only when asked", async () => {
    expect(await pageSizes("admin/directory/v1/groups/big@example.com/members?maxResults=500")).toEqual([
      200, 30,
    ]);
    const direct = await get("admin/directory/v1/groups/outer@example.com/members");
    const derived = await pageSizes(
      "admin/directory/v1/groups/outer@example.com/members?includeDerivedMembership=true",
    );

    expect((direct.body.members as Array<{ type: string }>).map((member) => member.type)).toEqual([
      "GROUP",
      "USER",
      "USER",
    ]);
    expect(derived).toEqual([200, 30]);
  });

  it("refuses a page token from another listing", async () => {
    const first = await get("admin/directory/v1/users?customer=my_customer");

    const mixed = await get(
      `admin/directory/v1/groups/big@example.com/members?pageToken=${first.body.nextPageToken}`,
    );

    expect(mixed.status).toBe(400);
  });

  it("answers Google-shaped errors for a missing token, a missing group and a missing customer", async () => {
    const unauthenticated = await get("admin/directory/v1/users?customer=my_customer", "wrong");
    const missingGroup = await get("admin/directory/v1/groups/nope@example.com");
    const noCustomer = await get("admin/directory/v1/users");

    expect(unauthenticated).toEqual({
      status: 401,
      body: {
        error: {
          code: 401,
          message: "Invalid Credentials",
          errors: [{ message: "Invalid Credentials", domain: "global", reason: "authError" }],
          status: "UNAUTHENTICATED",
        },
      },
    });
    expect(missingGroup.status).toBe(404);
    expect(missingGroup.body).toMatchObject({ error: { errors: [{ reason: "notFound" }] } });
    expect(noCustomer.status).toBe(400);
  });

  it("fails the requests a fault names, the given number of times, and counts every request", async () => {
    emulator.resetCounts();
    emulator.faults.rateLimit({ path: "/users", page: 1, times: 2 });

    const statuses: number[] = [];
    const first = await get("admin/directory/v1/users?customer=my_customer&maxResults=500");
    for (let attempt = 0; attempt < 3; attempt += 1) {
      statuses.push(
        (
          await get(
            `admin/directory/v1/users?customer=my_customer&maxResults=500&pageToken=${first.body.nextPageToken}`,
          )
        ).status,
      );
    }

    expect(statuses).toEqual([403, 403, 200]);
    expect(emulator.requestCounts()).toEqual({ "/admin/directory/v1/users": 4 });
  });

  it("filters users by domain and by the query forms it knows", async () => {
    const suspended = await pageSizes(
      "admin/directory/v1/users?domain=example.com&query=isSuspended%3Dtrue&maxResults=500",
    );
    const unknown = await get("admin/directory/v1/users?customer=my_customer&query=name%3Aalice");

    expect(suspended).toEqual([13]);
    expect(unknown.status).toBe(400);
  });
});

describe("the Google Directory emulator's members beyond plain users", () => {
  let small: GoogleDirectoryEmulator;
  beforeAll(async () => {
    small = await startGoogleDirectoryEmulator({
      snapshot: directorySnapshotSchema.parse({
        users: [
          { primaryEmail: "ann@example.com", givenName: "Ann", familyName: "A" },
          { primaryEmail: "sam@example.com", givenName: "Sam", familyName: "S", suspended: true },
        ],
        groups: [
          { email: "everyone@example.com", name: "Everyone", allUsers: true },
          {
            email: "aws@example.com",
            name: "AWS",
            members: ["everyone@example.com", "sam@example.com", "guest@gmail.com"],
          },
        ],
      }),
      accessToken: "t0k3n",
    });
  });
  afterAll(() => small.close());

  const members = async (path: string) => {
    const response = await fetch(new URL(path, small.url), { headers: { authorization: "Bearer t0k3n" } });
    return ((await response.json()) as { members: Record<string, unknown>[] }).members;
  };

  it("lists 'all users in the organization' as one CUSTOMER member with the customer id and no email", async () => {
    expect(await members("admin/directory/v1/groups/everyone@example.com/members")).toEqual([
      {
        kind: "admin#directory#member",
        etag: expect.any(String),
        id: small.customerId,
        role: "MEMBER",
        type: "CUSTOMER",
      },
    ]);
  });

  it("does not expand the CUSTOMER member in a derived listing, and gives external members no status", async () => {
    const derived = await members(
      "admin/directory/v1/groups/aws@example.com/members?includeDerivedMembership=true",
    );

    expect(derived.map(({ type, email, status }) => ({ type, email, status }))).toEqual([
      { type: "CUSTOMER", email: undefined, status: undefined },
      { type: "USER", email: "guest@gmail.com", status: undefined },
      { type: "USER", email: "sam@example.com", status: "SUSPENDED" },
    ]);
  });
});

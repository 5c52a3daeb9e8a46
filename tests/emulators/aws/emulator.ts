/**
 * A local AWS emulator for identitystore, sso-admin and organizations: one node:http server speaking
 * AWS JSON 1.1 (`X-Amz-Target`, `application/x-amz-json-1.1`), so the real SDK v3 clients talk to it
 * with `endpoint: emulator.url`. It throttles like AWS when asked (one token bucket for all identitystore
 * operations, one for all of sso-admin, one for organizations), counts every request per operation,
 * and takes faults (throttling storms, server errors, FAILED asynchronous requests) from tests.
 * DynamoDB (AWS JSON 1.0, target prefix `DynamoDB_20120810`) is there for the run state store: the few
 * operations it uses, in `dynamodb-api.ts`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SnapshotOrganization } from "../../../src/adapters/file/directory-snapshot.js";
import type { IdentityCenterState } from "../../../src/sync/model.js";
import { validatePolicy } from "./access-analyzer-api.js";
import { constrained, instanceArnConstraint } from "./api-constraints.js";
import { DynamoDbTables, dynamoDbHandlers } from "./dynamodb-api.js";
import { type Handler, identityStoreHandlers } from "./identity-store-api.js";
import { organizationsHandlers } from "./organizations-api.js";
import {
  accessKeyOf,
  OrganizationPolicies,
  type OrganizationPoliciesOptions,
} from "./organizations-policies.js";
import { AwsApiError, epochSeconds, type Input, requireString } from "./protocol.js";
import {
  type AssignmentRequestView,
  type AsyncBehaviour,
  type ProvisioningRequestView,
  ssoAdminHandlers,
} from "./sso-admin-api.js";
import { EmulatorStore, type StoredAssignment, type StoredMembership } from "./store.js";

export const EmulatedService = {
  identityStore: "identitystore",
  ssoAdmin: "sso-admin",
  organizations: "organizations",
  dynamodb: "dynamodb",
} as const;
export type EmulatedService = (typeof EmulatedService)[keyof typeof EmulatedService];

const targetPrefixes: Record<string, EmulatedService> = {
  AWSIdentityStore: EmulatedService.identityStore,
  SWBExternalService: EmulatedService.ssoAdmin,
  AWSOrganizationsV20161128: EmulatedService.organizations,
  DynamoDB_20120810: EmulatedService.dynamodb,
};

/** Requests per second AWS-style throttling allows; absent means no throttling. */
export interface ThrottleRates {
  /**
   * One bucket for every identitystore operation together. IAM Identity Center quotas page, "IAM Identity
   * Center throttle limits": DESIGN.md §5 and issue #12 quote it as a collective 20 TPS across the Identity
   * Store APIs; the copy of the page the search tool holds reads "a throttle limit of 20 transactions per
   * second (TPS) per API. This limit applies per Identity Store instance". Where the wordings differ the
   * emulator takes the stricter one: every operation draws on the same 20 a second.
   */
  identityStore?: number;
  /** One bucket for all sso-admin operations (AWS: 20 TPS together). */
  ssoAdmin?: number;
  organizations?: number;
  /** Multiplies every rate, so a benchmark can run simulated time faster. Default 1. */
  timeScale?: number;
}

export interface AwsEmulatorOptions {
  port?: number;
  host?: string;
  /** Seed for the identity store and the instance (users' ids are kept). */
  state?: IdentityCenterState;
  /** Seed for organizations; without it organizations answers AWSOrganizationsNotInUseException. */
  organization?: SnapshotOrganization;
  instanceArn?: string;
  identityStoreId?: string;
  /** How many instances ListInstances reports (0 and 2 are for discovery tests). Default 1. */
  instanceCount?: 0 | 1 | 2;
  /** The instance's Status in ListInstances and DescribeInstance. Default ACTIVE. */
  instanceStatus?: InstanceStatus;
  throttle?: ThrottleRates;
  /** Status polls answered IN_PROGRESS before an asynchronous request completes. Default 1. */
  asyncPolls?: number;
  /** Service control policies, quotas and who may manage them (organizations-policies.ts). */
  organizationPolicies?: OrganizationPoliciesOptions;
  /**
   * The member account registered as IAM Identity Center's delegated administrator. A request is
   * attributed to an account by its SigV4 access key (`organizationPolicies.callers`; keys not listed
   * are the management account's); sso-admin answers one from this account as a delegated
   * administrator (see `IdentityCenterCaller`).
   */
  identityCenterDelegatedAdministrator?: string;
}

export interface OperationFilter {
  service?: EmulatedService;
  operation?: string;
}

export interface InjectedError {
  type: string;
  status?: number;
  message?: string;
  /** Members of the error beside the message, e.g. identitystore's `{ Reason: "CONCURRENT_MODIFICATION" }`. */
  extra?: Record<string, unknown>;
}

/**
 * 2xx answers that are not what the AWS JSON protocol sends for a read, as a proxy or a broken front end
 * could: the SDK would read the first three as an output with nothing in it (the last page).
 */
export const malformedAnswers = {
  empty: { contentType: "application/x-amz-json-1.1", body: "" },
  jsonString: { contentType: "application/x-amz-json-1.1", body: '"OK"' },
  jsonNull: { contentType: "application/x-amz-json-1.1", body: "null" },
  html: { contentType: "text/html", body: "<html><body>Service Unavailable</body></html>" },
} as const;
export type MalformedAnswer = keyof typeof malformedAnswers;

/** Faults tests can switch on while the emulator runs. */
export interface AwsEmulatorFaults {
  /** Answers the next `count` matching requests with ThrottlingException (TooManyRequestsException for organizations). */
  throttleNext(count: number, filter?: OperationFilter): void;
  /** Throttles every matching request while `active()` says so: a storm measured on a test's clock. */
  throttleWhile(active: () => boolean, filter?: OperationFilter): void;
  /** Answers the next `count` matching requests 200 with a body that is not an output object. */
  malformNext(count: number, answer: MalformedAnswer, filter?: OperationFilter): void;
  /** Sends headers and a few bytes for the next `count` matching requests, then goes silent. */
  stallNext(count: number, filter?: OperationFilter): void;
  /** Answers the next `count` matching requests with the given error (e.g. a 500). */
  failNext(count: number, error: InjectedError, filter?: OperationFilter): void;
  /** Returns a FailureReason to make an asynchronous assignment request FAIL. */
  failAssignment: ((request: AssignmentRequestView) => string | undefined) | undefined;
  failProvisioning: ((request: ProvisioningRequestView) => string | undefined) | undefined;
  /** Status polls answered IN_PROGRESS before an asynchronous request completes. */
  asyncPolls: number;
  /** Changes throttling while running (undefined rates switch it off). */
  setThrottle(rates: ThrottleRates | undefined): void;
}

export interface AwsEmulatorCounts {
  /** Requests received per "service:Operation", throttled ones included. */
  byOperation: Record<string, number>;
  /** List*, Describe*, Get* and IsMemberInGroups requests. */
  reads: number;
  /** Every other request. */
  writes: number;
  /** Requests answered with a throttling error (by the rate limit or by a fault). */
  throttled: number;
}

export interface AwsEmulator {
  url: string;
  instanceArn: string;
  identityStoreId: string;
  close(): Promise<void>;
  counts(): AwsEmulatorCounts;
  resetCounts(): void;
  /** Requests received for one operation, e.g. `count("identitystore", "ListGroupMemberships")`. */
  count(service: EmulatedService, operation: string): number;
  /** Everything held, in the model's terms (see EmulatorStore.dump). */
  state(): IdentityCenterState;
  /** Memberships and assignments left behind by deleted principals. */
  leftovers(): { memberships: StoredMembership[]; assignments: StoredAssignment[] };
  /** The emulated DynamoDB tables (the run state store). */
  dynamodb: DynamoDbTables;
  faults: AwsEmulatorFaults;
  /** SCPs and the test controls for callers, the management account and delegated administrators. */
  organizationPolicies: OrganizationPolicies;
}

const readPattern = /^(List|Describe|Get|IsMember|Validate)/;

class Bucket {
  private tokens: number;
  private last = performance.now();
  constructor(private readonly rate: number) {
    this.tokens = Math.max(1, rate);
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface PendingFault {
  remaining: number;
  filter: OperationFilter;
  error: InjectedError;
}

interface PendingAnswer {
  remaining: number;
  filter: OperationFilter;
  answer: MalformedAnswer | "stall";
}

/** Starts the emulator on `port` (0, the default, picks a free one). */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const instanceArn = options.instanceArn ?? "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4";
  const identityStoreId = options.identityStoreId ?? "d-9067a1b2c3";
  const store = new EmulatorStore({ instanceArn, identityStoreId });
  if (options.state) store.seedIdentityCenter(options.state);
  if (options.organization) store.seedOrganization(options.organization);

  const behaviour: AsyncBehaviour = { asyncPolls: options.asyncPolls ?? 1 };
  const dynamoTables = new DynamoDbTables();
  const organizationPolicies = new OrganizationPolicies(store, options.organizationPolicies);
  // The access key of the request being answered; handlers run synchronously, so one variable serves.
  let callerAccessKey: string | undefined;
  const handlers: Record<EmulatedService, Record<string, Handler>> = {
    identitystore: identityStoreHandlers(store),
    "sso-admin": {
      ...ssoAdminHandlers(store, behaviour, () =>
        options.identityCenterDelegatedAdministrator !== undefined &&
        organizationPolicies.accountOf(callerAccessKey) === options.identityCenterDelegatedAdministrator
          ? "delegatedAdministrator"
          : "managementAccount",
      ),
      ListInstances: () => ({ Instances: listedInstances(options, instanceArn, identityStoreId) }),
      DescribeInstance: (input) => describeInstance(options, instanceArn, identityStoreId, input),
    },
    organizations: {
      ...organizationsHandlers(store),
      ...organizationPolicies.handlers(() => callerAccessKey),
    },
    dynamodb: dynamoDbHandlers(dynamoTables),
  };

  let rates = options.throttle;
  let buckets = new Map<string, Bucket>();
  const pending: PendingFault[] = [];
  const answers: PendingAnswer[] = [];
  const storms: { active: () => boolean; filter: OperationFilter }[] = [];
  const stalled = new Set<ServerResponse>();
  let byOperation: Record<string, number> = {};
  let throttled = 0;

  const throttleError = (service: EmulatedService): AwsApiError =>
    service === EmulatedService.organizations
      ? new AwsApiError(
          "TooManyRequestsException",
          "AWS Organizations can't complete your request because another request is already in progress. Try again later.",
          400,
          { Type: "TooManyRequests" },
        )
      : new AwsApiError("ThrottlingException", "Rate exceeded", 400, { RetryAfterSeconds: 1 });

  const overRate = (service: EmulatedService): boolean => {
    if (!rates) return false;
    const scale = rates.timeScale ?? 1;
    const rate =
      service === EmulatedService.identityStore
        ? rates.identityStore
        : service === EmulatedService.ssoAdmin
          ? rates.ssoAdmin
          : service === EmulatedService.organizations
            ? rates.organizations
            : undefined;
    if (rate === undefined) return false;
    let bucket = buckets.get(service);
    if (!bucket) {
      bucket = new Bucket(rate * scale);
      buckets.set(service, bucket);
    }
    return !bucket.take();
  };

  const injected = (service: EmulatedService, operation: string): InjectedError | undefined => {
    const index = pending.findIndex(
      (fault) =>
        fault.remaining > 0 &&
        (fault.filter.service === undefined || fault.filter.service === service) &&
        (fault.filter.operation === undefined || fault.filter.operation === operation),
    );
    if (index < 0) return undefined;
    const fault = pending[index]!;
    fault.remaining -= 1;
    if (fault.remaining === 0) pending.splice(index, 1);
    return fault.error;
  };

  const matches = (filter: OperationFilter, service: EmulatedService, operation: string): boolean =>
    (filter.service === undefined || filter.service === service) &&
    (filter.operation === undefined || filter.operation === operation);

  const takeAnswer = (service: EmulatedService, operation: string): PendingAnswer["answer"] | undefined => {
    const index = answers.findIndex(
      (fault) => fault.remaining > 0 && matches(fault.filter, service, operation),
    );
    if (index < 0) return undefined;
    const fault = answers[index]!;
    fault.remaining -= 1;
    if (fault.remaining === 0) answers.splice(index, 1);
    return fault.answer;
  };

  const handle = (service: EmulatedService, operation: string, input: Input): unknown => {
    if (storms.some((storm) => matches(storm.filter, service, operation) && storm.active())) {
      throttled += 1;
      throw throttleError(service);
    }
    const fault = injected(service, operation);
    if (fault) {
      if (fault.type === "ThrottlingException" || fault.type === "TooManyRequestsException") throttled += 1;
      throw new AwsApiError(
        fault.type,
        fault.message ?? `injected ${fault.type}`,
        fault.status ?? 400,
        fault.extra,
      );
    }
    if (overRate(service)) {
      throttled += 1;
      throw throttleError(service);
    }
    const handler = handlers[service][operation];
    if (!handler) throw new AwsApiError("UnknownOperationException", `${operation} is not emulated`);
    return handler(input);
  };

  const server = createServer((request, response) => {
    void serve(request, response);
  });

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let service: EmulatedService = EmulatedService.identityStore;
    try {
      const body = await readBody(request);
      // IAM Access Analyzer is restJson1: the operation is the method and the path, not X-Amz-Target.
      const url = new URL(request.url ?? "/", "http://emulator");
      if (request.method === "POST" && url.pathname === "/policy/validation") {
        byOperation["access-analyzer:ValidatePolicy"] =
          (byOperation["access-analyzer:ValidatePolicy"] ?? 0) + 1;
        response.setHeader("Content-Type", "application/json");
        response.setHeader("x-amzn-RequestId", randomUUID());
        try {
          const input = body.length === 0 ? {} : (JSON.parse(body) as Input);
          response.end(JSON.stringify(validatePolicy(url.searchParams, input)));
        } catch (error) {
          // restJson1 errors: the type in x-amzn-ErrorType, the body `{ "message": ... }` and the members.
          const apiError =
            error instanceof AwsApiError
              ? error
              : new AwsApiError("ValidationException", "The request body is not valid JSON");
          response.statusCode = apiError.status;
          response.setHeader("x-amzn-ErrorType", apiError.type);
          response.end(JSON.stringify({ message: apiError.message, ...apiError.extra }));
        }
        return;
      }
      const target = String(request.headers["x-amz-target"] ?? "");
      const [prefix = "", operation = ""] = target.split(".");
      const known = targetPrefixes[prefix];
      if (request.method !== "POST" || !known || operation === "") {
        throw new AwsApiError(
          "UnknownOperationException",
          `Unknown operation ${target || "(no X-Amz-Target)"}`,
        );
      }
      service = known;
      const key = `${service}:${operation}`;
      byOperation[key] = (byOperation[key] ?? 0) + 1;
      let input: Input;
      try {
        input = body.length === 0 ? {} : (JSON.parse(body) as Input);
      } catch {
        throw new AwsApiError("SerializationException", "The request body is not valid JSON");
      }
      callerAccessKey = accessKeyOf(request.headers.authorization);
      const answer = takeAnswer(service, operation);
      if (answer === "stall") {
        response.writeHead(200, { "Content-Type": "application/x-amz-json-1.1", "Content-Length": 4096 });
        response.write('{"Users":[');
        stalled.add(response);
        return;
      }
      if (answer !== undefined) {
        const { contentType, body: text } = malformedAnswers[answer];
        response.writeHead(200, { "Content-Type": contentType, "x-amzn-RequestId": randomUUID() });
        response.end(text);
        return;
      }
      const output = handle(service, operation, input);
      send(response, 200, JSON.stringify(output ?? {}), service);
    } catch (error) {
      const apiError =
        error instanceof AwsApiError
          ? error
          : new AwsApiError("InternalServerException", (error as Error).message ?? String(error), 500);
      response.setHeader("x-amzn-ErrorType", apiError.type);
      send(
        response,
        apiError.status,
        JSON.stringify({ __type: apiError.type, message: apiError.message, ...apiError.extra }),
        service,
      );
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  const faults: AwsEmulatorFaults = {
    throttleNext(count, filter = {}) {
      const type =
        filter.service === EmulatedService.organizations ? "TooManyRequestsException" : "ThrottlingException";
      pending.push({ remaining: count, filter, error: { type, status: 400, message: "Rate exceeded" } });
    },
    failNext(count, error, filter = {}) {
      pending.push({ remaining: count, filter, error });
    },
    throttleWhile(active, filter = {}) {
      storms.push({ active, filter });
    },
    malformNext(count, answer, filter = {}) {
      answers.push({ remaining: count, filter, answer });
    },
    stallNext(count, filter = {}) {
      answers.push({ remaining: count, filter, answer: "stall" });
    },
    get failAssignment() {
      return behaviour.failAssignment;
    },
    set failAssignment(predicate) {
      if (predicate) behaviour.failAssignment = predicate;
      else delete behaviour.failAssignment;
    },
    get failProvisioning() {
      return behaviour.failProvisioning;
    },
    set failProvisioning(predicate) {
      if (predicate) behaviour.failProvisioning = predicate;
      else delete behaviour.failProvisioning;
    },
    get asyncPolls() {
      return behaviour.asyncPolls;
    },
    set asyncPolls(polls) {
      behaviour.asyncPolls = polls;
    },
    setThrottle(next) {
      rates = next;
      buckets = new Map();
    },
  };

  return {
    url: `http://${address.address}:${address.port}`,
    instanceArn,
    identityStoreId,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const response of stalled) response.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    counts() {
      let reads = 0;
      let writes = 0;
      for (const [key, count] of Object.entries(byOperation)) {
        const operation = key.split(":")[1] ?? "";
        if (readPattern.test(operation)) reads += count;
        else writes += count;
      }
      return { byOperation: { ...byOperation }, reads, writes, throttled };
    },
    resetCounts() {
      byOperation = {};
      throttled = 0;
    },
    count(service, operation) {
      return byOperation[`${service}:${operation}`] ?? 0;
    },
    state: () => store.dump(),
    leftovers: () => store.leftovers(),
    dynamodb: dynamoTables,
    faults,
    organizationPolicies,
  };
}

/**
 * API_DescribeInstance: "The status can be one of the following: CREATE_IN_PROGRESS - The instance is in
 * the process of being created. When the instance is ready for use, DescribeInstance returns the status of
 * ACTIVE. While the instance is in the CREATE_IN_PROGRESS state, you can call only DescribeInstance and
 * DeleteInstance operations. DELETE_IN_PROGRESS - The instance is being deleted. ... ACTIVE - The instance
 * is active." Response: CreatedDate, IdentityStoreId, InstanceArn, Name, OwnerAccountId, Status.
 */
export type InstanceStatus = "ACTIVE" | "CREATE_IN_PROGRESS" | "DELETE_IN_PROGRESS";

function describeInstance(
  options: AwsEmulatorOptions,
  instanceArn: string,
  identityStoreId: string,
  input: Input,
): Record<string, unknown> {
  const arn = constrained(requireString(input, "InstanceArn"), "instanceArn", instanceArnConstraint);
  const found = listedInstances(options, instanceArn, identityStoreId).find(
    (instance) => instance.InstanceArn === arn,
  );
  // The reference lists ResourceNotFoundException ("Indicates that a requested resource is not found.").
  if (!found) throw new AwsApiError("ResourceNotFoundException", `Instance ${arn} does not exist`);
  return found;
}

function listedInstances(
  options: AwsEmulatorOptions,
  instanceArn: string,
  identityStoreId: string,
): Record<string, unknown>[] {
  const count = options.instanceCount ?? 1;
  const instance = (arn: string, storeId: string) => ({
    InstanceArn: arn,
    IdentityStoreId: storeId,
    OwnerAccountId: "000000000000",
    Name: "idc-sync emulator",
    CreatedDate: epochSeconds(),
    Status: options.instanceStatus ?? "ACTIVE",
  });
  const instances = [
    instance(instanceArn, identityStoreId),
    instance(`${instanceArn}ff`, `${identityStoreId}f`),
  ];
  return instances.slice(0, count);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: string, service?: EmulatedService): void {
  response.statusCode = status;
  // DynamoDB speaks AWS JSON 1.0; the others 1.1.
  response.setHeader(
    "Content-Type",
    service === EmulatedService.dynamodb ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1",
  );
  response.setHeader("x-amzn-RequestId", randomUUID());
  response.end(body);
}

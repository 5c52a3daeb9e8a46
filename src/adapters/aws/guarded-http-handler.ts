/**
 * The HTTP handler every AWS SDK client of idc-sync sends through. It adds what the SDK's own
 * `NodeHttpHandler` leaves out:
 *
 * - One deadline for the whole exchange, body included. The SDK's `requestTimeout` stops at the
 *   headers, so a peer that answers 200 and then stalls (or trickles) would hold the run until the
 *   Lambda's 900 s timeout.
 * - For reads (`List*`, `Describe*`, `Get*`), a 2xx answer must be a JSON object. The SDK reads an
 *   empty body or a JSON string as an output with no list and no NextToken, i.e. as the last page:
 *   a read cut short that looks complete. Such an answer is a `MalformedResponseError` here, which the
 *   adapters' retry policy treats like a 503.
 *
 * The body is read to its end inside the deadline and handed on as bytes.
 */
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { DeadlineExceededError, MalformedResponseError } from "../errors.js";

type HttpRequest = Parameters<NodeHttpHandler["handle"]>[0];
type HttpResponse = Awaited<ReturnType<NodeHttpHandler["handle"]>>["response"];
type HandlerOptions = NonNullable<Parameters<NodeHttpHandler["handle"]>[1]>;
/** What the SDK asks of a request handler (the shape of `NodeHttpHandler`). */
export type AwsHttpHandler = Pick<
  NodeHttpHandler,
  "handle" | "updateHttpClientConfig" | "httpHandlerConfigs"
> & {
  destroy?(): void;
};

export interface GuardedHttpHandlerOptions {
  /** Deadline of one request, headers and body. */
  deadlineMs: number;
  /** Check that a read's 2xx answer is a JSON object (the AWS JSON protocols). Default true. */
  jsonReads?: boolean;
  /** The handler that sends; a `NodeHttpHandler` by default. */
  inner?: AwsHttpHandler;
}

/** The default deadline of one AWS request: AWS answers these APIs in well under a second. */
export const defaultAwsRequestDeadlineMs = 30_000;

const readOperation = /\.(List|Describe|Get)[A-Za-z]*$/;

export class GuardedHttpHandler implements AwsHttpHandler {
  private readonly inner: AwsHttpHandler;
  private readonly deadlineMs: number;
  private readonly jsonReads: boolean;

  constructor(options: GuardedHttpHandlerOptions) {
    if (!(options.deadlineMs > 0))
      throw new RangeError(`a deadline must be positive, got ${options.deadlineMs}`);
    this.deadlineMs = options.deadlineMs;
    this.jsonReads = options.jsonReads ?? true;
    this.inner = options.inner ?? new NodeHttpHandler();
  }

  async handle(request: HttpRequest, options: HandlerOptions = {}): Promise<{ response: HttpResponse }> {
    const controller = new AbortController();
    // Only a standard AbortSignal is followed (the SDK's own; the deprecated kind has no listeners).
    const given: unknown = options.abortSignal;
    const outer = given instanceof AbortSignal ? given : undefined;
    const forwardAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) forwardAbort();
    else outer?.addEventListener("abort", forwardAbort, { once: true });
    const deadline = new DeadlineExceededError(
      `${targetOf(request) ?? request.path}: no complete answer within ${this.deadlineMs} ms`,
    );
    const timer = setTimeout(() => controller.abort(deadline), this.deadlineMs);
    try {
      const { response } = await this.inner.handle(request, { ...options, abortSignal: controller.signal });
      const body = await readAll(response.body, controller.signal);
      if (this.jsonReads && response.statusCode >= 200 && response.statusCode < 300) {
        checkJsonRead(request, response, body);
      }
      response.body = body;
      return { response };
    } catch (error) {
      if (controller.signal.reason === deadline) throw deadline;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", forwardAbort);
    }
  }

  updateHttpClientConfig(...args: Parameters<NodeHttpHandler["updateHttpClientConfig"]>): void {
    this.inner.updateHttpClientConfig(...args);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler["httpHandlerConfigs"]> {
    return this.inner.httpHandlerConfigs();
  }

  destroy(): void {
    this.inner.destroy?.();
  }
}

function targetOf(request: HttpRequest): string | undefined {
  const headers = request.headers ?? {};
  return headers["x-amz-target"] ?? headers["X-Amz-Target"];
}

/** A read's 2xx answer must be a JSON object; say what it was instead, never quoting it. */
function checkJsonRead(request: HttpRequest, response: HttpResponse, body: Uint8Array): void {
  const target = targetOf(request);
  if (target === undefined || !readOperation.test(target)) return;
  const operation = target.split(".").at(-1);
  const text = Buffer.from(body).toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const type = response.headers["content-type"] ?? response.headers["Content-Type"] ?? "no content type";
    throw new MalformedResponseError(
      `${operation}: AWS answered ${response.statusCode} with ${text.trim() === "" ? "an empty body" : `a body that is not JSON (${type}, ${body.length} bytes)`}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new MalformedResponseError(
      `${operation}: AWS answered ${response.statusCode} with JSON that is ${Array.isArray(parsed) ? "a list" : typeof parsed === "object" ? "null" : `a ${typeof parsed}`}, not an object`,
    );
  }
}

/** The whole body, or a rejection as soon as `signal` aborts (the stream is destroyed then). */
async function readAll(body: unknown, signal: AbortSignal): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  const stream = body as NodeJS.ReadableStream & { destroy?(error?: Error): void };
  if (signal.aborted) {
    stream.destroy?.(signal.reason as Error);
    throw signal.reason;
  }
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = () => {
      stream.destroy?.(signal.reason as Error);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    stream.on("data", (chunk: Buffer | string) => chunks.push(Buffer.from(chunk)));
    stream.on("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      reject(error);
    });
    stream.on("end", () => {
      signal.removeEventListener("abort", onAbort);
      resolve(Buffer.concat(chunks));
    });
  });
}

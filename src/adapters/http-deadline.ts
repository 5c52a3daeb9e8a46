import { DeadlineExceededError } from "./errors.js";

/**
 * An overall deadline for one HTTP exchange, body included. A peer that sends its headers and then
 * stalls must not hold a run: a socket idle timeout does not catch a peer that trickles a byte at a time,
 * and on Node 20 undici's fetch can miss an abort that arrives after the headers when the request asked
 * for `redirect: "error"` (which `@slack/webhook` does), leaving the run and its process hanging. So the
 * deadline here is a plain, referenced timer around the whole exchange, and the body is read to its end
 * before the answer is handed on.
 */

// Statuses whose answers have no body; `new Response` refuses one for them.
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` whose every call (headers and body) ends within `deadlineMs`: the answer comes back with its
 * body already read, or the call rejects with `DeadlineExceededError` and the connection is dropped. A
 * signal the caller passes still aborts it. `redirect: "error"` is sent as `"manual"` (a redirect then
 * comes back as the 3xx it is, which every caller here treats as a failure).
 */
export function fetchWithDeadline(deadlineMs: number, base: typeof fetch = globalThis.fetch): typeof fetch {
  if (!(deadlineMs > 0)) throw new RangeError(`a deadline must be positive, got ${deadlineMs}`);
  return async (input, init = {}) => {
    const controller = new AbortController();
    const outer = init.signal ?? undefined;
    const forwardAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) forwardAbort();
    else outer?.addEventListener("abort", forwardAbort, { once: true });
    const deadline = new DeadlineExceededError(`no complete answer within ${deadlineMs} ms`);
    const timer = setTimeout(() => controller.abort(deadline), deadlineMs);
    let response: Response | undefined;
    try {
      response = await base(input, {
        ...init,
        ...(init.redirect === "error" ? { redirect: "manual" as const } : {}),
        signal: controller.signal,
      });
      const body = nullBodyStatuses.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } catch (error) {
      response?.body?.cancel().catch(() => undefined);
      if (controller.signal.reason === deadline) throw deadline;
      throw error;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", forwardAbort);
    }
  };
}

/**
 * Counts the requests a run sends to Google and AWS, and the answers that were the service throttling
 * it, per service. The adapters report each attempt (retries included) through their `onCall` and
 * `onThrottled` listeners; this only adds them up, for the run's metrics.
 */
import type { CallListener } from "./aws/aws-caller.js";

export const ApiService = {
  google: "google",
  identityStore: "identitystore",
  ssoAdmin: "sso-admin",
  organizations: "organizations",
} as const;
export type ApiService = (typeof ApiService)[keyof typeof ApiService];

export interface ApiCallCounts {
  /** Requests sent, retries included. */
  calls: Record<ApiService, number>;
  /** Answers that were throttling (AWS ThrottlingException and the like, Google 429 or rate-limit 403). */
  throttled: Record<ApiService, number>;
}

/** The listeners the adapters take, bound to one counter. */
export interface ApiCallListeners {
  aws: { onCall: CallListener; onThrottled: CallListener };
  google: { onCall: (method: string) => void; onThrottled: (method: string) => void };
}

const zero = (): Record<ApiService, number> => ({
  google: 0,
  identitystore: 0,
  "sso-admin": 0,
  organizations: 0,
});

export class ApiCallCounter {
  private readonly calls = zero();
  private readonly throttled = zero();

  readonly listeners: ApiCallListeners = {
    aws: {
      onCall: (service) => {
        this.calls[service] += 1;
      },
      onThrottled: (service) => {
        this.throttled[service] += 1;
      },
    },
    google: {
      onCall: () => {
        this.calls.google += 1;
      },
      onThrottled: () => {
        this.throttled.google += 1;
      },
    },
  };

  counts(): ApiCallCounts {
    return { calls: { ...this.calls }, throttled: { ...this.throttled } };
  }
}

/**
 * A request budget for one Google API caller: a token bucket (requests per second, with one second of
 * burst) and a cap on requests in flight. Google counts its Directory quota per user per project
 * (2,400 queries a minute by default), so every request of one read draws from the same budget, retries
 * included.
 */
import { realSleep } from "../retry.js";

/** How a budget tells and waits for time; tests pass a fake clock. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Real time, for production. */
export const systemClock: BudgetClock = {
  now: () => Date.now(),
  sleep: realSleep,
};

export interface RequestBudgetOptions {
  /** Sustained rate; the bucket also holds this many tokens, so a burst of one second goes at once. */
  requestsPerSecond: number;
  /** Requests in flight at most. */
  concurrency: number;
  clock?: BudgetClock;
}

/** Token bucket plus semaphore. `run` waits for a slot, then for a token, then calls the task. */
export class RequestBudget {
  private readonly rate: number;
  private readonly capacity: number;
  private readonly concurrency: number;
  private readonly clock: BudgetClock;
  private tokens: number;
  private refilledAt: number;
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  // Token takers are served one after the other so that a waiting request is not overtaken.
  private tokenQueue: Promise<void> = Promise.resolve();

  constructor(options: RequestBudgetOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError("requestsPerSecond must be greater than 0");
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError("concurrency must be a whole number of at least 1");
    }
    this.rate = options.requestsPerSecond;
    this.capacity = Math.max(1, options.requestsPerSecond);
    this.concurrency = options.concurrency;
    this.clock = options.clock ?? systemClock;
    this.tokens = this.capacity;
    this.refilledAt = this.clock.now();
  }

  /** Runs `task` once it has a slot and a token; the slot is released when the task settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquireSlot();
    try {
      await this.takeToken();
      return await task();
    } finally {
      this.releaseSlot();
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.inFlight < this.concurrency) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    // The releasing caller hands its slot over directly, so inFlight stays counted.
    return new Promise((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next) next();
    else this.inFlight -= 1;
  }

  private takeToken(): Promise<void> {
    const turn = this.tokenQueue.then(() => this.waitForToken());
    this.tokenQueue = turn;
    return turn;
  }

  private async waitForToken(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
      this.refilledAt = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

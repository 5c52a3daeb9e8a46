import { describe, expect, it } from "vitest";
import { type BudgetClock, RequestBudget } from "../../../src/adapters/google/request-budget.js";

/** A clock whose sleep moves time forward at once, recording when each task started. */
function fakeClock(): BudgetClock & { time: number } {
  const clock = {
    time: 0,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
    },
  };
  return clock;
}

describe("RequestBudget", () => {
  it("lets one second of burst through at once, then paces requests at the rate", async () => {
    const clock = fakeClock();
    const budget = new RequestBudget({ requestsPerSecond: 10, concurrency: 100, clock });
    const startedAt: number[] = [];

    await Promise.all(
      Array.from({ length: 30 }, () =>
        budget.run(async () => {
          startedAt.push(clock.time);
        }),
      ),
    );

    expect(startedAt.slice(0, 10).every((time) => time === 0)).toBe(true);
    // 20 more tokens at 10 a second take two more seconds.
    expect(startedAt.at(-1)).toBe(2_000);
    for (let second = 0; second < 3; second += 1) {
      expect(
        startedAt.filter((time) => time > (second - 1) * 1_000 && time <= second * 1_000).length,
      ).toBeLessThanOrEqual(10);
    }
  });

  it("keeps no more than `concurrency` tasks running", async () => {
    const budget = new RequestBudget({ requestsPerSecond: 1_000, concurrency: 3, clock: fakeClock() });
    let running = 0;
    let peak = 0;

    await Promise.all(
      Array.from({ length: 12 }, () =>
        budget.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running -= 1;
        }),
      ),
    );

    expect(peak).toBe(3);
  });

  it("frees the slot of a task that fails", async () => {
    const budget = new RequestBudget({ requestsPerSecond: 1_000, concurrency: 1, clock: fakeClock() });

    await expect(budget.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(budget.run(async () => "next")).resolves.toBe("next");
  });

  it("refuses a rate or concurrency that cannot work", () => {
    expect(() => new RequestBudget({ requestsPerSecond: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => new RequestBudget({ requestsPerSecond: 5, concurrency: 0 })).toThrow(RangeError);
  });
});

/**
 * A clock for fault tests: time moves only when someone sleeps, and a sleep returns at once. A 30-second
 * throttling storm then costs the test no waiting, and the retry window is measured on the same clock
 * the emulator's storm is.
 */
export interface TestClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Every wait asked for, in order. */
  sleeps: number[];
}

export function testClock(start = 0): TestClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      // A real turn of the event loop, so the code under test cannot spin without yielding.
      await new Promise((resolve) => setImmediate(resolve));
    },
    sleeps,
  };
}

import { describe, expect, it } from "vitest";
import { defaultWatchTargets, planRenewal, renewChannels } from "../../../src/events/channel-renewal.js";
import { isChannelToken } from "../../../src/events/channel-token.js";
import { judgeMessageNumber } from "../../../src/events/message-numbers.js";
import { aChannel, FakeWatchApi, InMemoryChannelStore, RecordingLogger } from "./fakes.js";

const address = "https://idc-sync.example.com/google";
const now = Date.parse("2026-03-02T09:00:00Z");
const hours = (n: number) => n * 3_600_000;
const settings = { address, targets: [{ api: "directory" as const, event: "update" as const }] };

describe("channel renewal plan", () => {
  it("opens a channel for every watch that has none", () => {
    const plan = planRenewal([], { address, targets: defaultWatchTargets }, now);
    expect(plan.open).toHaveLength(7);
    expect(plan.stop).toEqual([]);
  });

  it("keeps a channel with time left and opens nothing", () => {
    const plan = planRenewal([aChannel({ expiration: now + hours(5) })], settings, now);
    expect(plan).toEqual({ open: [], stop: [], forget: [] });
  });

  it("renews a channel close to its expiration and stops the one it replaces", () => {
    const old = aChannel({ expiration: now + hours(1) });
    const plan = planRenewal([old], settings, now);
    expect(plan.open).toEqual(settings.targets);
    expect(plan.stop).toEqual([old]);
  });

  it("stops channels of watches no longer wanted or of another address, forgets expired ones", () => {
    const unwanted = aChannel({ id: "u", watch: "directory:add", expiration: now + hours(5) });
    const moved = aChannel({
      id: "m",
      address: "https://old.example.com/google",
      expiration: now + hours(5),
    });
    const expired = aChannel({ id: "e", expiration: now - 1 });
    const fresh = aChannel({ id: "f", expiration: now + hours(5) });
    const plan = planRenewal([unwanted, moved, expired, fresh], settings, now);
    expect(plan.open).toEqual([]);
    expect(plan.stop.map((c) => c.id).sort()).toEqual(["m", "u"]);
    expect(plan.forget.map((c) => c.id)).toEqual(["e"]);
  });
});

describe("renewing channels", () => {
  it("opens channels with a token derived from the secret, records them, then stops the replaced one", async () => {
    const channels = new InMemoryChannelStore();
    await channels.create(aChannel({ id: "old", expiration: now + hours(1) }));
    const watch = new FakeWatchApi(() => now);
    let next = 0;
    const report = await renewChannels(settings, {
      channels,
      watch,
      channelSecret: async () => "secret-secret-secret-secret-secret",
      logger: new RecordingLogger(),
      now: () => now,
      newChannelId: () => `new-${++next}`,
    });
    expect(report).toMatchObject({ opened: ["new-1"], stopped: ["old"], failures: [] });
    expect(watch.stopped).toEqual(["old"]);
    expect(isChannelToken("secret-secret-secret-secret-secret", "new-1", watch.opened[0]?.token)).toBe(true);
    const stored = await channels.list();
    expect(stored.map((s) => s.record)).toEqual([
      expect.objectContaining({
        id: "new-1",
        watch: "directory:update",
        resourceId: "resource-new-1",
        address,
        seen: [],
      }),
    ]);
  });

  it("keeps the old channel delivering when its replacement cannot be opened", async () => {
    const channels = new InMemoryChannelStore();
    await channels.create(aChannel({ id: "old", expiration: now + hours(1) }));
    const watch = new FakeWatchApi(() => now);
    watch.failFor.add("directory:update");
    const report = await renewChannels(settings, {
      channels,
      watch,
      channelSecret: async () => "secret-secret-secret-secret-secret",
      logger: new RecordingLogger(),
      now: () => now,
      newChannelId: () => "new",
    });
    expect(report.failures).toHaveLength(1);
    expect(watch.stopped).toEqual([]);
    expect((await channels.list()).map((s) => s.record.id)).toEqual(["old"]);
  });
});

describe("message numbers", () => {
  it("accepts growing and out-of-order numbers, refuses repeats and numbers below a full window", () => {
    let seen: number[] = [];
    for (const number of [1, 5, 3]) {
      const verdict = judgeMessageNumber(seen, number, 3);
      expect(verdict.accept).toBe(true);
      if (verdict.accept) seen = verdict.seen;
    }
    expect(seen).toEqual([5, 3, 1]);
    expect(judgeMessageNumber(seen, 3, 3)).toEqual({ accept: false, reason: "replayed" });
    expect(judgeMessageNumber(seen, 0, 3)).toEqual({ accept: false, reason: "stale" });
    expect(judgeMessageNumber(seen, 2, 3)).toEqual({ accept: true, seen: [5, 3, 2] });
  });
});

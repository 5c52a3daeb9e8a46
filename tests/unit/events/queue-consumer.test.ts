import { describe, expect, it } from "vitest";
import { consumeBatch } from "../../../src/events/queue-consumer.js";
import { encodeQueueMessage } from "../../../src/events/queue-message.js";
import type { SyncScope } from "../../../src/sync/run-scope.js";
import { RecordingLogger } from "./fakes.js";

const records = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    messageId: `m${i}`,
    body: encodeQueueMessage({
      kind: "targeted",
      origin: "google-push",
      subjects: [{ kind: "person", email: `p${i % 3}@example.com` }],
    }),
  }));

describe("the queue consumer", () => {
  it("runs once per batch with the coalesced subjects and acknowledges every message", async () => {
    const runs: SyncScope[] = [];
    const answer = await consumeBatch(
      { Records: records(10) },
      {
        logger: new RecordingLogger(),
        run: async (scope) => {
          runs.push(scope);
          return { ok: true, status: "applied" };
        },
      },
    );
    expect(runs).toEqual([
      {
        kind: "targeted",
        subjects: [0, 1, 2].map((i) => ({ kind: "person", email: `p${i}@example.com` })),
      },
    ]);
    expect(answer).toEqual({ batchItemFailures: [] });
  });

  it("reports every message of the batch as failed when the run throws, so none is lost", async () => {
    const answer = await consumeBatch(
      { Records: records(4) },
      {
        logger: new RecordingLogger(),
        run: async () => {
          throw new Error("Identity Center unreachable");
        },
      },
    );
    expect(answer.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
    ]);
  });

  it("does not retry a run that ended with problems it reported itself", async () => {
    const answer = await consumeBatch(
      { Records: records(2) },
      { logger: new RecordingLogger(), run: async () => ({ ok: false, status: "blocked" }) },
    );
    expect(answer).toEqual({ batchItemFailures: [] });
  });

  it("runs nothing and logs each malformed message", async () => {
    const logger = new RecordingLogger();
    let ran = false;
    const answer = await consumeBatch(
      { Records: [{ messageId: "x", body: "garbage" }] },
      {
        logger,
        run: async () => {
          ran = true;
          return { ok: true, status: "applied" };
        },
      },
    );
    expect(ran).toBe(false);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(
      logger.lines.some((line) => line.level === "error" && line.message.includes("cannot be read")),
    ).toBe(true);
  });
});

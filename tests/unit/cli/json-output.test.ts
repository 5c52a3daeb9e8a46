import { describe, expect, it } from "vitest";
import { writeJsonDocument } from "../../../src/cli/json-output.js";

function written(document: Record<string, unknown>): { text: string; pieces: string[] } {
  const pieces: string[] = [];
  writeJsonDocument((piece) => pieces.push(piece), document);
  return { text: pieces.join(""), pieces };
}

describe("writing a JSON document piece by piece", () => {
  it("produces JSON that parses back to the same value", () => {
    const document = {
      version: 1,
      summary: { add: 2, change: 0, remove: 1, byKind: { createUser: 2 } },
      changes: [
        { kind: "createUser", key: "user:a", reason: 'member of developers ← × "quoted"' },
        { kind: "deleteUser", key: "user:b", reason: "suspended in Google" },
      ],
      notes: [],
      report: { version: 1, outcomes: [{ key: "user:a", status: "applied" }], applied: 1 },
      guard: { ok: true },
      absent: undefined,
    };

    const { text } = written(document);

    const { absent: _absent, ...expected } = document;
    expect(JSON.parse(text)).toEqual(expected);
  });

  it("never serializes a large array in one piece", () => {
    const changes = Array.from({ length: 1000 }, (_, index) => ({
      key: `user:${index}`,
      reason: "x".repeat(50),
    }));

    const { pieces } = written({ version: 1, changes });

    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(200);
    expect(JSON.parse(pieces.join("")).changes).toHaveLength(1000);
  });
});

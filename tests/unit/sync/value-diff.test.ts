import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentText, fieldDiff, lineDiff } from "../../../src/sync/value-diff.js";

const changed = (lines: { op: string; text: string }[]) => lines.filter((line) => line.op !== " ");

describe("fieldDiff", () => {
  it("keeps plain values as from → to, with nothing shown as (none)", () => {
    expect(fieldDiff({ field: "sessionDuration", from: "PT8H", to: "PT4H" })).toEqual({
      kind: "value",
      field: "sessionDuration",
      from: '"PT8H"',
      to: '"PT4H"',
    });
    expect(fieldDiff({ field: "description", from: null, to: "x" })).toMatchObject({ from: "(none)" });
  });

  it("reads an inline policy held as text as a document, whatever order its keys were written in", () => {
    const from =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    const to =
      '{"Statement":[{"Resource":"*","Action":"s3:PutObject","Effect":"Allow"}],"Version":"2012-10-17"}';
    const diff = fieldDiff({ field: "inlinePolicy", from, to });
    expect(diff.kind).toBe("lines");
    if (diff.kind !== "lines") return;
    expect(changed(diff.lines)).toEqual([
      { op: "-", text: '      "Action": "s3:GetObject",' },
      { op: "+", text: '      "Action": "s3:PutObject",' },
    ]);
  });

  it("shows an inline policy added where there was none as added lines only", () => {
    const diff = fieldDiff({ field: "inlinePolicy", from: null, to: '{"Version":"2012-10-17"}' });
    expect(diff).toEqual({
      kind: "lines",
      field: "inlinePolicy",
      lines: [
        { op: "+", text: "{" },
        { op: "+", text: '  "Version": "2012-10-17"' },
        { op: "+", text: "}" },
      ],
    });
  });

  it("shows a policy that is not JSON as its own lines", () => {
    expect(documentText("not json\nsecond line")).toBe("not json\nsecond line");
  });
});

describe("lineDiff", () => {
  it("does not count a comma that only says another value follows as a change", () => {
    const before = documentText({ a: 1 });
    const after = documentText({ a: 1, b: 2 });
    expect(changed(lineDiff(before, after))).toEqual([{ op: "+", text: '  "b": 2' }]);
    // The unchanged line is shown as the new document writes it.
    expect(lineDiff(before, after)).toContainEqual({ op: " ", text: '  "a": 1,' });
  });

  it("shows a long document as hunks of three lines of context with @@ headers, not whole", () => {
    const document = (value: string) =>
      documentText(
        Object.fromEntries(
          Array.from({ length: 100 }, (_, i) => [`k${String(i).padStart(3, "0")}`, i === 50 ? value : i]),
        ),
      );
    const lines = lineDiff(document("old"), document("new"));
    expect(lines[0]).toEqual({ op: "@", text: "@@ -49,7 +49,7 @@" });
    expect(lines).toHaveLength(9); // the header, three lines before, one removed, one added, three after
    expect(changed(lines).map((line) => line.op)).toEqual(["@", "-", "+"]);
  });

  it("is empty for equal documents, and rebuilds both sides from its lines for any two short ones", () => {
    const json = fc.dictionary(
      fc.constantFrom("a", "b", "c", "d"),
      fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 3 })),
    );
    fc.assert(
      fc.property(json, json, (from, to) => {
        const before = documentText(from);
        const after = documentText(to);
        const lines = lineDiff(before, after);
        if (before === after) {
          expect(lines).toEqual([]);
          return;
        }
        // Short documents are shown whole: the old side is every line but the added ones, and so on.
        expect(lines.filter((l) => l.op !== "+").map((l) => l.text.replace(/,$/, ""))).toEqual(
          before.split("\n").map((l) => l.replace(/,$/, "")),
        );
        expect(lines.filter((l) => l.op !== "-").map((l) => l.text)).toEqual(after.split("\n"));
      }),
      { numRuns: 300 },
    );
  });
});

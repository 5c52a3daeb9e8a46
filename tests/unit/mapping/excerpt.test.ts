import { describe, expect, it } from "vitest";
import { excerptAt } from "../../../src/mapping/index.js";

describe("the line under an issue", () => {
  it("shows the line with its number and a caret under the column", () => {
    expect(excerptAt("version: 1\ngroups:\n  - name: devs\n", 3, 11)).toEqual([
      "  3 |   - name: devs",
      "    |           ^",
    ]);
  });

  it("keeps the caret under the column when tabs indent the line", () => {
    expect(excerptAt("a:\n\t\tb: 1\n", 2, 3)).toEqual(["  2 |         b: 1", "    |         ^"]);
  });

  it("shows control characters and right-to-left overrides as ?, so a rules file cannot drive the terminal", () => {
    const [line] = excerptAt("name: \u001b[31mred\u202e\n", 1, 7);
    expect(line).toBe("  1 | name: ?[31mred?");
  });

  it("cuts a long line to a window around the column", () => {
    const long = `key: ${"x".repeat(300)}TARGET${"y".repeat(300)}`;
    const [line, caret] = excerptAt(long, 1, long.indexOf("TARGET") + 1);
    expect(line!.length).toBeLessThan(120);
    expect(line).toContain("TARGET");
    expect(caret!.indexOf("^") - 6).toBe(line!.indexOf("TARGET") - 6);
  });

  it("shows nothing for a line the text does not have", () => {
    expect(excerptAt("a: 1\n", 5, 1)).toEqual([]);
  });
});

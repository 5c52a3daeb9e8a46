import { describe, expect, it } from "vitest";
import { allPages } from "../../../src/adapters/aws/all-pages.js";

describe("reading every page of an AWS list", () => {
  it("follows NextToken until there is none and reports the running count", async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      start: { items: [1, 2], next: "b" },
      b: { items: [], next: "c" },
      c: { items: [3] },
    };
    const asked: (string | undefined)[] = [];
    const counts: number[] = [];

    const items = await allPages(
      async (token) => {
        asked.push(token);
        const page = pages[token ?? "start"]!;
        return { items: page.items, nextToken: page.next };
      },
      (count) => counts.push(count),
    );

    expect(items).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, "b", "c"]);
    expect(counts).toEqual([2, 2, 3]);
  });

  it("takes a page without items as empty", async () => {
    expect(await allPages(async () => ({ items: undefined, nextToken: undefined }))).toEqual([]);
  });
});

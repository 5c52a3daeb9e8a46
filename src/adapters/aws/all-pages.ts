import { MalformedResponseError } from "../errors.js";

/** One page of an AWS list call, in the shape every List* operation shares. */
export interface ListPage<T> {
  items: T[] | undefined;
  nextToken: string | undefined;
}

/**
 * Every item of a paged AWS list: asks for pages with each `NextToken` until there is none. The SDK's
 * own paginators would send the requests themselves, around the adapter's rate limiter and retries, so
 * the adapter pages with this instead. `onPage` hears the running count, for progress.
 *
 * A page may be empty and still have a `NextToken` (AWS Organizations says its list operations "can
 * occasionally return an empty set of results even when there are more results available"): it is
 * followed. A list that is not a list, or a token handed out twice (which would page forever), fails
 * the read with `MalformedResponseError`.
 */
export async function allPages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<ListPage<T>>,
  onPage?: (itemsSoFar: number) => void,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let number = 1; ; number += 1) {
    const page = await fetchPage(nextToken);
    if (page.items !== undefined && page.items !== null && !Array.isArray(page.items)) {
      throw new MalformedResponseError(`page ${number} of a list holds no list`);
    }
    items.push(...(page.items ?? []));
    onPage?.(items.length);
    const token: unknown = page.nextToken;
    if (token === undefined || token === null || token === "") return items;
    if (typeof token !== "string")
      throw new MalformedResponseError(`page ${number} has a NextToken that is not a string`);
    if (seen.has(token)) {
      throw new MalformedResponseError(
        `page ${number} handed back a NextToken already given; the list would never end`,
      );
    }
    seen.add(token);
    nextToken = token;
  }
}

/** Every item of a Marker/IsTruncated listing (IAM), page after page to the end. */
export async function allMarkerPages<T>(
  fetch: (marker: string | undefined) => Promise<{ items: T[]; marker?: string; isTruncated?: boolean }>,
): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await fetch(marker);
    items.push(...page.items);
    if (!page.isTruncated || !page.marker) return items;
    marker = page.marker;
  }
}

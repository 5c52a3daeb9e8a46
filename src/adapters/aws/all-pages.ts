/** One page of an AWS list call, in the shape every List* operation shares. */
export interface ListPage<T> {
  items: T[] | undefined;
  nextToken: string | undefined;
}

/**
 * Every item of a paged AWS list: asks for pages with each `NextToken` until there is none. The SDK's
 * own paginators would send the requests themselves, around the adapter's rate limiter and retries, so
 * the adapter pages with this instead. `onPage` hears the running count, for progress.
 */
export async function allPages<T>(
  fetchPage: (nextToken: string | undefined) => Promise<ListPage<T>>,
  onPage?: (itemsSoFar: number) => void,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const page = await fetchPage(nextToken);
    items.push(...(page.items ?? []));
    nextToken = page.nextToken;
    onPage?.(items.length);
  } while (nextToken);
  return items;
}

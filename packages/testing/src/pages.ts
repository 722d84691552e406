/** One page of a cursor-paginated listing (`resources/list`, a resource service's `list`). */
export interface ResourcePageLike<T> {
  resources: T[];
  nextCursor?: string | undefined;
}

/**
 * Every page of a listing, followed from `cursor` (the start by default) to the last page: `list` is e.g.
 * `(params) => client.listResources(params)`. Bounded: a listing that still has a next page after `maxPages`
 * pages throws, naming how far it got, instead of looping forever.
 */
export async function listAllPages<T>(
  list: (params: { cursor?: string }) => Promise<ResourcePageLike<T>>,
  options: { cursor?: string | undefined; maxPages?: number } = {},
): Promise<{ resources: T[]; pages: number }> {
  const maxPages = options.maxPages ?? 1000;
  const resources: T[] = [];
  let cursor = options.cursor;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await list(cursor === undefined ? {} : { cursor });
    resources.push(...page.resources);
    cursor = page.nextCursor;
    if (cursor === undefined) return { resources, pages };
  }
  throw new Error(`the listing still had a next page after ${maxPages} pages (${resources.length} resources so far)`);
}

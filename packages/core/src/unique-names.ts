/** The part of a refinement context `uniqueNames` uses (zod's `ctx` in `superRefine` is one). */
export interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/**
 * A refinement for an options object whose `key` array lists named items that must not share a name:
 * `z.strictObject({ connections: z.array(connection) }).superRefine(uniqueNames('connections', 'connection'))`.
 * Each repeat is one issue at `connections[N].name`, naming the entry that has the name already.
 */
export function uniqueNames<K extends string>(key: K, noun: string) {
  return (options: { readonly [P in K]: readonly { readonly name: string }[] }, ctx: IssueSink): void => {
    const seen = new Map<string, number>();
    options[key].forEach((item, index) => {
      const first = seen.get(item.name);
      if (first === undefined) seen.set(item.name, index);
      else ctx.addIssue({ code: 'custom', path: [key, index, 'name'], message: `${noun} name "${item.name}" is used by ${key}[${first}] already; names must be unique` });
    });
  };
}

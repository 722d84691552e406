/** What a tool call answered, as a test reads it: the refusal flag, the text, and the text as JSON when it is. */
export interface ToolAnswer {
  isError: boolean;
  /** Every text item of the result, joined with a line break. */
  text: string;
  /** `text` parsed as JSON; undefined when it is not JSON (a refusal is prose). */
  json: any;
}

/** Anything with the SDK `Client`'s `callTool`. */
export interface ToolCaller {
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}

/** Call tool `name` through a real client and read its answer (`isError`, text, JSON). */
export async function callTool(client: ToolCaller, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content?: { type: string; text?: string }[] };
  const text = (result.content ?? []).flatMap((item) => (item.type === 'text' && item.text !== undefined ? [item.text] : [])).join('\n');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: result.isError === true, text, json };
}

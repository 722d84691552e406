// The options as a config written once gives them: `${VAR:-default}` makes every value a string, an unset variable
// with an empty default an empty string.
import { z } from '@mcp-host/core';
import { createHost } from '@mcp-host/core/host';
import { describe, expect, test } from 'vitest';
import plugin, { magicApiOptionsSchema, resolveEndpoints } from '../src/index.js';

const parse = (input: unknown) => magicApiOptionsSchema.safeParse(input);

describe('the options schema', () => {
  test('every option may be left out or empty: the defaults of the Python server (base URL, 30 s), guest mode', () => {
    const fromEmpty = parse({ baseUrl: '', wsUrl: '', token: '', username: '', password: '', timeoutSeconds: '', refreshSeconds: '' });
    const fromNothing = parse({});
    expect(fromEmpty.success && fromNothing.success).toBe(true);
    expect(fromEmpty.data).toEqual(fromNothing.data);
    expect(fromEmpty.data).toMatchObject({ baseUrl: 'http://127.0.0.1:10712', web: '/magic/web', wsUrl: undefined, token: undefined, username: undefined, password: undefined, timeoutSeconds: 30, refreshSeconds: 30 });
    expect(resolveEndpoints(fromEmpty.data!)).toEqual({
      baseUrl: 'http://127.0.0.1:10712',
      webUrl: 'http://127.0.0.1:10712/magic/web',
      consoleUrl: 'ws://127.0.0.1:10712/magic/web/console',
    });
  });

  test('numbers arrive as strings and are coerced; fractions are seconds too; 0 turns the refresh off', () => {
    expect(parse({ timeoutSeconds: ' 12 ', refreshSeconds: '0.5' }).data).toMatchObject({ timeoutSeconds: 12, refreshSeconds: 0.5 });
    expect(parse({ timeoutSeconds: 5, refreshSeconds: 0 }).data).toMatchObject({ timeoutSeconds: 5, refreshSeconds: 0 });
    for (const bad of [{ timeoutSeconds: 'soon' }, { timeoutSeconds: '0' }, { timeoutSeconds: '-1' }, { refreshSeconds: '-5' }, { refreshSeconds: 'NaN' }, { timeoutSeconds: '1e9' }]) {
      expect(parse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  test('debugTimeoutSeconds (MAGIC_API_DEBUG_TIMEOUT_SECONDS): 180 when empty, seconds from a string, more than 0', () => {
    expect(parse({ debugTimeoutSeconds: '' }).data).toMatchObject({ debugTimeoutSeconds: 180 });
    expect(parse({ debugTimeoutSeconds: '600' }).data).toMatchObject({ debugTimeoutSeconds: 600 });
    for (const bad of [{ debugTimeoutSeconds: '0' }, { debugTimeoutSeconds: 'long' }, { debugTimeoutSeconds: 100_000 }]) expect(parse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  test('the console URL follows https → wss and a context path; the web path is normalised as the server does', () => {
    const options = parse({ baseUrl: 'https://api.example.com/app/', web: '/editor/**' }).data!;
    expect(resolveEndpoints(options)).toEqual({
      baseUrl: 'https://api.example.com/app',
      webUrl: 'https://api.example.com/app/editor',
      consoleUrl: 'wss://api.example.com/app/editor/console',
    });
    expect(resolveEndpoints(parse({ wsUrl: 'ws://elsewhere:1/c' }).data!).consoleUrl).toBe('ws://elsewhere:1/c');
  });

  test('what cannot work is refused with a sentence naming the key', () => {
    const issues = (input: unknown) => (parse(input).error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(issues({ baseUrl: 'ftp://x' })[0]).toMatch(/^baseUrl: expected an http: or https: URL/);
    expect(issues({ baseUrl: 'http://user:pw@x' })[0]).toMatch(/^baseUrl: .*without credentials/);
    expect(issues({ wsUrl: 'http://x/console' })[0]).toMatch(/^wsUrl: expected a ws: or wss: URL/);
    expect(issues({ web: 'magic/web' })[0]).toMatch(/^web: /);
    expect(issues({ token: 'a,b' })[0]).toMatch(/^token: .*commas/);
    expect(issues({ username: 'admin' })[0]).toMatch(/^password: password is not set but username is/);
    expect(issues({ password: 'x' })[0]).toMatch(/^username: /);
    expect(issues({ unknown: 1 })[0]).toMatch(/unknown|Unrecognized/i);
  });

  test('the JSON Schema an editor gets shows each option with its type and description', () => {
    const schema = z.toJSONSchema(magicApiOptionsSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { description?: string; type?: unknown; anyOf?: unknown }> };
    expect(schema.properties.baseUrl).toMatchObject({ type: 'string', description: expect.stringContaining('MAGIC_API_BASE_URL') });
    expect(schema.properties.timeoutSeconds!.description).toContain('MAGIC_API_TIMEOUT_SECONDS');
    expect(JSON.stringify(schema.properties.timeoutSeconds)).toMatch(/number/);
    expect(schema.properties.refreshSeconds!.description).toContain('MAGIC_API_REFRESH_SECONDS');
  });
});

test('without websocket-manager listed before it, apply fails saying which plugin to list (console: false needs none)', async () => {
  const host = createHost({ config: { plugins: [[plugin, { resources: false }]] } });
  await expect(host.apply()).rejects.toMatchObject({ code: 'MCPH_SERVICE_MISSING' });
  await host.shutdown('api').catch(() => {});
  const quiet = createHost({ config: { plugins: [[plugin, { resources: false, console: false }]] } });
  await quiet.apply();
  await quiet.shutdown('api');
});

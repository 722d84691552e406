// The real mcp-host CLI on examples/magic-api/mcp-host.config.json against the Magic-API emulator (which follows
// Magic-API 2.2.2's Java: packages/magic-api-emulator/FACTS.md). What a user of the example gets, end to end.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect, onTestFinished, test } from 'vitest';
import { ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { startEmulator, type EmulatorOptions, type MagicApiEmulator } from '@mcp-host/magic-api-emulator';
import { waitUntil } from '@mcp-host/testing';
import { ROOT, connectClient, runCli, sleep, tempDir } from '../src/index.js';

const EXAMPLE = path.join(ROOT, 'examples/magic-api/mcp-host.config.json');
const CREDENTIALS = { username: 'admin', password: 'secret-pass' };

async function emulator(options: EmulatorOptions = {}): Promise<MagicApiEmulator> {
  const started = await startEmulator({ warn: () => {}, ...options });
  onTestFinished(() => started.close());
  return started;
}

/** The host on the example config, every MAGIC_API_* variable set (empty = unset), and a connected SDK Client. */
async function exampleHost(env: Record<string, string>) {
  const dir = await tempDir();
  const blank = { MAGIC_API_BASE_URL: '', MAGIC_API_WS_URL: '', MAGIC_API_TOKEN: '', MAGIC_API_USERNAME: '', MAGIC_API_PASSWORD: '', MAGIC_API_TIMEOUT_SECONDS: '', MAGIC_API_REFRESH_SECONDS: '', MAGIC_API_DEBUG_TIMEOUT_SECONDS: '' };
  const connected = await connectClient(['start', '--config', EXAMPLE], { cwd: dir, env: { ...blank, ...env } });
  const tool = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await connected.client.callTool({ name, arguments: args });
    return JSON.parse((result.content as { text: string }[])[0]!.text);
  };
  /** The console connection as ws_connections shows it, once `predicate` holds (bounded). */
  const consoleWhen = async (predicate: (connection: any) => boolean, what: string) => {
    const until = Date.now() + 15_000;
    for (;;) {
      const connection = (await tool('ws_connections')).connections.find((candidate: { name: string }) => candidate.name === 'magic');
      if (connection && predicate(connection)) return connection;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(connection)}\n${connected.stderr()}`);
      await sleep(50);
    }
  };
  return { ...connected, tool, consoleWhen };
}

const isLoggedIn = (connection: any) => connection.state === 'open' && connection.console?.login === 'ok';

/** The log lines in ws_messages (LOG and LOGS), oldest first. */
async function logLines(host: Awaited<ReturnType<typeof exampleHost>>): Promise<string[]> {
  const { messages } = await host.tool('ws_messages', { connection: 'magic', limit: 1000, maxChars: 100_000 });
  return messages.filter((message: { type: string }) => message.type === 'LOG' || message.type === 'LOGS').flatMap((message: { data: { lines: string[] } }) => message.data.lines);
}

test('logs of an API call reach ws_messages only when the call names the console\'s current client id and the script id (RequestHandler.java:95)', async () => {
  const server = await emulator();
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl });
  const { console: session } = await host.consoleWhen(isLoggedIn, 'the console to log in');
  const list = (await host.client.readResource({ uri: 'magic-api://api/用户管理/用户列表' })).contents;
  const scriptId = JSON.parse((list[1] as { text: string }).text).id as string;
  const call = (page: number, headers: Record<string, string>) => fetch(`${server.baseUrl}/user/list?page=${page}&size=1`, { headers }).then((response) => response.json());

  // Not routed: no headers, one of the two, a client id that is not the console's.
  await call(101, {});
  await call(102, { 'Magic-Request-Client-Id': session.clientId });
  await call(103, { 'Magic-Request-Script-Id': scriptId });
  await call(104, { 'Magic-Request-Client-Id': '0123456789abcdef', 'Magic-Request-Script-Id': scriptId });
  server.harness.flushLogsNow();
  // Routed: both, with the console's current client id.
  expect(await call(205, { 'Magic-Request-Client-Id': session.clientId, 'Magic-Request-Script-Id': scriptId })).toMatchObject({ code: 1 });
  server.harness.flushLogsNow();
  const until = Date.now() + 10_000;
  let lines: string[] = [];
  while (!(lines = await logLines(host)).some((line) => line.includes('page=205'))) {
    if (Date.now() > until) throw new Error(`no log line of the routed call: ${JSON.stringify(lines)}`);
    await sleep(50);
  }
  // One socket, frames in order: the unrouted calls' lines, had any been sent, would have arrived first.
  expect(lines.filter((line) => /page=10[1-4]/.test(line))).toEqual([]);
  expect(lines.filter((line) => line.includes('page=205'))).toHaveLength(1);

  // After a drop the console logs in again with a fresh client id: the old one routes nothing any more.
  server.harness.severConsole(server.harness.connections().find((connection) => connection.open)!.id, 'reset');
  const fresh = await host.consoleWhen((connection) => isLoggedIn(connection) && connection.console.clientId !== session.clientId, 'a new login after the drop');
  expect(fresh.console.clientId).toMatch(/^[0-9a-f]{16}$/);
  await call(306, { 'Magic-Request-Client-Id': session.clientId, 'Magic-Request-Script-Id': scriptId });
  await call(307, { 'Magic-Request-Client-Id': fresh.console.clientId, 'Magic-Request-Script-Id': scriptId });
  server.harness.flushLogsNow();
  while (!(lines = await logLines(host)).some((line) => line.includes('page=307'))) {
    if (Date.now() > until + 10_000) throw new Error(`no log line after the reconnect: ${JSON.stringify(lines)}`);
    await sleep(50);
  }
  expect(lines.some((line) => line.includes('page=306'))).toBe(false);
});

test('a refused token: console state refused with one warning and no reconnect storm; HTTP 200 + code 401 is a clear error, never showing the token', async () => {
  const server = await emulator({ credentials: CREDENTIALS });
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl, MAGIC_API_TOKEN: 'bad-token-value' });
  await host.consoleWhen((connection) => connection.state === 'refused' && connection.console?.login === 'refused', 'the console to be refused');
  await sleep(3000);
  expect(server.harness.connections()).toHaveLength(1);
  expect(host.stderr().match(/warning: magic: the console refused the login/g)).toHaveLength(1);
  const error = await host.client.readResource({ uri: 'magic-api://api/用户管理/用户列表' }).then(
    () => undefined,
    (caught: Error & { data?: unknown }) => caught,
  );
  expect(error?.message).toContain('POST /magic/web/resource');
  expect(error?.message).toContain('code 401');
  expect(error?.message).toContain('token无效');
  expect(error?.message).toContain('MAGIC_API_TOKEN');
  expect(error?.data).toMatchObject({ reason: 'backend-status', serverCode: 401, magicCode: 'MAGIC_LOGIN_REFUSED' });
  expect(host.stderr()).not.toContain('bad-token-value');
});

test('username + password: form login, then the console; an expired token costs exactly one re-login; refresh_token is the next request\'s token', async () => {
  const server = await emulator({ credentials: CREDENTIALS, tokenLifetimeSeconds: 3600, refreshWindowMs: 7_200_000, pingIntervalMs: 200 });
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl, MAGIC_API_USERNAME: CREDENTIALS.username, MAGIC_API_PASSWORD: CREDENTIALS.password, MAGIC_API_REFRESH_SECONDS: '0' });
  const { console: session } = await host.consoleWhen(isLoggedIn, 'the console to log in');
  expect(session.username).toBe('admin');
  const logins = () => server.harness.requests().filter((request) => request.url === '/magic/web/login');
  expect(logins()).toHaveLength(1);
  expect(String(logins()[0]!.headers['content-type'])).toMatch(/^application\/x-www-form-urlencoded/);

  // The console answers our pongs with refresh_token (MagicWorkbenchHandler.java:89-103): the HTTP side uses it.
  const refreshed = () =>
    server.harness.framesTo(session.clientId).flatMap((frame) => (frame.kind === 'text' && frame.data.startsWith('refresh_token,') ? [frame.data.slice('refresh_token,'.length)] : []));
  await waitUntil(() => refreshed().length > 0, 'a refresh_token frame', 10_000);
  let sent: unknown;
  for (let attempt = 0; attempt < 50 && !refreshed().includes(sent as string); attempt++) {
    const before = server.harness.requests().length;
    await host.client.readResource({ uri: 'magic-api://task/报表/日报' });
    sent = server.harness.requests().slice(before).find((request) => request.url.startsWith('/magic/web/resource/file/'))?.headers['magic-token'];
  }
  expect(refreshed()).toContain(sent);
  expect(logins()).toHaveLength(1);

  // Every token expires: concurrent reads are refused (code 401), one login, each repeated once.
  server.harness.expireTokens();
  const uris = ['magic-api://api/订单/库存检查', 'magic-api://api/订单/价格计算', 'magic-api://api/用户管理/用户列表', 'magic-api://function/工具函数/格式化金额'];
  const reads = await Promise.all(uris.map((uri) => host.client.readResource({ uri })));
  expect(reads.every((read) => read.contents.length === 2)).toBe(true);
  expect(logins()).toHaveLength(2);
  expect(host.stderr()).not.toContain(CREDENTIALS.password);
  for (const token of refreshed()) expect(host.stderr()).not.toContain(token);
});

test('the tree is listed (paginated across sources) and read with script + metadata; an edit on the server is updated within MAGIC_API_REFRESH_SECONDS, a new file list_changed', async () => {
  const server = await emulator();
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl, MAGIC_API_REFRESH_SECONDS: '1' });
  let listChanged = 0;
  const updated: string[] = [];
  host.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++);
  host.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri));
  const listAll = async () => {
    const uris: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const result = await host.client.listResources(cursor ? { cursor } : {});
      uris.push(...result.resources.map((resource) => resource.uri));
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return uris;
  };
  const uris = await listAll();
  const scripts = uris.filter((uri) => uri.startsWith('magic-api://'));
  expect(scripts).toHaveLength(server.harness.files().filter((entity) => entity.id !== null).length);
  expect(uris.some((uri) => uri.startsWith('file://') && uri.endsWith('/docs/README.md'))).toBe(true);

  const uri = 'magic-api://api/订单/库存检查';
  const entity = server.harness.findApi('GET', '/order/check')!;
  const { contents } = await host.client.readResource({ uri });
  expect(contents[0]).toMatchObject({ mimeType: 'text/x-magic-script', text: entity.script });
  expect(JSON.parse((contents[1] as { text: string }).text)).toMatchObject({ id: entity.id, method: 'GET', requestPath: '/order/check', locked: false });

  await host.client.subscribeResource({ uri });
  server.harness.editScript(entity.id!, 'return "edited"');
  await waitUntil(() => updated.includes(uri), 'updated for the edited script', 10_000);
  expect((await host.client.readResource({ uri })).contents[0]).toMatchObject({ text: 'return "edited"' });

  const before = listChanged;
  server.harness.replaceTree({ api: [{ name: '订单', path: 'order', files: [{ name: '新接口', path: 'fresh', script: 'return 1' }] }] });
  await waitUntil(() => listChanged > before, 'list_changed for the new tree', 10_000);
  expect((await listAll()).filter((listed) => listed.startsWith('magic-api://'))).toEqual(['magic-api://api/订单/新接口']);
});

test('shutdown order: inspect shows the plugin\'s first tap before websocket-manager\'s and its last after resource-manager\'s; the emulator sees the console\'s close frame before the HTTP sockets end', async () => {
  const inspected = await runCli(['inspect', '--json', '--config', EXAMPLE], { cwd: await tempDir() });
  expect(inspected.code, inspected.stderr).toBe(0);
  const names = (JSON.parse(inspected.stdout).shutdownPlan as { name: string }[]).map((tap) => tap.name);
  expect(names).toEqual(['magic-api', 'websocket-manager', 'resource-manager', 'magic-api']);

  const server = await emulator();
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl });
  await host.consoleWhen(isLoggedIn, 'the console to log in');
  await host.client.readResource({ uri: 'magic-api://api/订单/库存检查' });
  const gone = new Promise<void>((resolve) => (host.transport.onclose = () => resolve()));
  await host.client.close();
  await gone;
  await waitUntil(() => server.harness.sockets().open === 0, 'every socket to the emulator to close', 10_000);
  const close = server.harness.connections()[0]!.frames.find((frame) => frame.direction === 'client' && frame.kind === 'close')!;
  expect(close).toMatchObject({ code: 1001 });
  // Socket against socket, both from the emulator's own \`close\` handlers: the recorded close frame's time is ws's
  // \`close\` event, emitted after its socket's close was handled, so an HTTP socket's end handled in that gap (same
  // millisecond, a loaded machine) read as before the console's end though it came after it.
  const log = server.harness.sockets().log;
  const consoleClosed = log.find((record) => record.kind === 'console')?.closedAt;
  expect(consoleClosed).toBeTypeOf('number');
  expect(consoleClosed!).toBeLessThanOrEqual(close.at);
  const httpClosed = log.filter((record) => record.kind === 'http');
  expect(httpClosed.length).toBeGreaterThan(0);
  for (const record of httpClosed) expect(record.closedAt!).toBeGreaterThanOrEqual(consoleClosed!);
  await waitUntil(() => /exit code \d/.test(host.stderr()), 'the shutdown report');
  expect(host.stderr()).toMatch(/1\. magic-api\s+ok[\s\S]*2\. websocket-manager\s+ok[\s\S]*3\. resource-manager\s+ok[\s\S]*4\. magic-api\s+ok/);
  expect(host.stderr()).toContain('exit code 0');
});

test('stdin closed while a debug run is paused: the plugin resumes it (breakpoints cleared) before the console\'s close frame, the server finishes the script, exit 0', async () => {
  const server = await emulator({ debugTimeoutMs: 60_000 });
  const host = await exampleHost({ MAGIC_API_BASE_URL: server.baseUrl });
  await host.consoleWhen(isLoggedIn, 'the console to log in');
  const paused = await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [4], logWaitMs: 0 });
  expect(paused).toMatchObject({ state: 'paused', line: 4 });
  expect(server.harness.pausedRuns()).toHaveLength(1);
  const gone = new Promise<void>((resolve) => (host.transport.onclose = () => resolve()));
  await host.client.close();
  await gone;
  await waitUntil(() => /exit code \d/.test(host.stderr()), 'the shutdown report');
  expect(host.stderr()).toContain('exit code 0');
  const frames = server.harness.connections()[0]!.frames.filter((frame) => frame.direction === 'client');
  const resume = frames.findIndex((frame) => frame.kind === 'text' && frame.data === `resume_breakpoint,${paused.scriptId},0,`);
  const close = frames.findIndex((frame) => frame.kind === 'close');
  expect(resume).toBeGreaterThan(-1);
  expect(close).toBeGreaterThan(resume);
  expect(frames[close]).toMatchObject({ code: 1001 });
  await waitUntil(() => server.harness.pausedRuns().length === 0, 'the script to run to its end on the server', 5000);
});

test('mcp-host init --preset magic-api writes the example config byte for byte, and a schema that accepts it', async () => {
  const dir = await tempDir();
  const result = await runCli(['init', '--yes', '--preset', 'magic-api'], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('wrote mcp-host.config.json');
  expect(readFileSync(path.join(dir, 'mcp-host.config.json'), 'utf8')).toBe(readFileSync(EXAMPLE, 'utf8'));
  const schema = JSON.parse(readFileSync(path.join(dir, 'mcp-host.schema.json'), 'utf8'));
  const check = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const config = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
  expect(check(config), JSON.stringify(check.errors)).toBe(true);
  config.plugins[2][1].timeoutSeconds = true;
  expect(check(config)).toBe(false);
  const validated = await runCli(['validate'], { cwd: dir });
  expect(validated.code, validated.stderr).toBe(0);
  const unknown = await runCli(['init', '--yes', '--preset', 'nope'], { cwd: await tempDir() });
  expect(unknown.code).toBe(64);
  expect(unknown.stderr).toContain('presets: magic-api');
});

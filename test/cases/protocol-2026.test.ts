// MCP 2026-07-28 beside 2025-11-25, through the real CLI: the SDK's v2 client (`@modelcontextprotocol/client` 2.4.0)
// pinned to 2026-07-28 and in auto mode, over stdio and Streamable HTTP, on the basic and the Magic-API example
// configs and on the fixtures that exercise resources, prompts, logging, progress and cancellation; the v1 client
// beside it on the same host negotiates 2025-11-25 as before; and a stdio session of each revision shut down by
// stdin EOF and by SIGTERM with a call in flight.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { expect, onTestFailed, onTestFinished, test } from 'vitest';
import { startEmulator } from '@mcp-host/magic-api-emulator';
import { waitUntil } from '@mcp-host/testing';
import { CLI, ROOT, connectClient, handshake, setupProbes, spawnHost, spawnHttpHost, tempDir, writeFiles } from '../src/index.js';

const MODERN = '2026-07-28';
const BASIC = path.join(ROOT, 'examples/basic/mcp-host.config.json');
const MAGIC_API = path.join(ROOT, 'examples/magic-api/mcp-host.config.json');
const CONFORMANCE_FIXTURE = path.join(ROOT, 'test/conformance/conformance-plugin.mjs');
type Mode = 'auto' | { pin: string };
const MODES: [string, Mode][] = [
  ['pinned', { pin: MODERN }],
  ['auto', 'auto'],
];

function v2Client(mode: Mode): Client {
  const client = new Client({ name: 'v2-test', version: '2.4.0' }, { capabilities: {}, versionNegotiation: { mode } });
  onTestFinished(() => client.close().catch(() => {}));
  return client;
}

/** The v2 client on a freshly spawned host over stdio (the SDK spawns it; in auto mode a probe process first). */
async function stdioV2(mode: Mode, args: string[], options: { cwd: string; env?: Record<string, string> }) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], cwd: options.cwd, env: { ...(process.env as Record<string, string>), ...options.env }, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  onTestFailed(() => void process.stderr.write(`--- mcp-host stderr ---\n${stderr}\n`));
  const client = v2Client(mode);
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

async function httpV2(mode: Mode, url: URL) {
  const client = v2Client(mode);
  await client.connect(new StreamableHTTPClientTransport(url));
  return client;
}

/** A probe plugin `p` (slow, logging, requestClient tools) and the conformance fixture (resources, prompts, progress). */
async function withConformanceFixture() {
  const probes = await setupProbes({ p: {} }, { name: 'everything-2026', logging: { level: 'info' } });
  const config = JSON.parse(readFileSync(probes.config, 'utf8'));
  await writeFiles(probes.dir, { 'mcp-host.config.json': { ...config, plugins: [...config.plugins, CONFORMANCE_FIXTURE] } });
  return probes;
}

const textOf = (result: { content?: unknown }) => (result.content as { type: string; text: string }[])[0]!.text;

/** The 2026-07-28 per-request envelope, for raw-pipe requests. */
const envelope = (extra: Record<string, unknown> = {}) => ({
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '0' },
  ...extra,
});

for (const [label, mode] of MODES) {
  test(`basic example over stdio, v2 client ${label}: 2026-07-28 is negotiated and the echo tool answers as for a 2025 client`, async () => {
    const dir = await tempDir();
    const { client } = await stdioV2(mode, ['start', '--config', BASIC], { cwd: dir });
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()?.name).toBe('mcp-host-example');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['echo']);
    expect(tools[0]!.inputSchema).toMatchObject({ type: 'object', required: ['message'] });
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hello: hi');
    // An unknown tool is a protocol error in both revisions, not an isError result.
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool: nope/);
    // Invalid arguments: an isError result naming the field, as in 2025.
    const invalid = await client.callTool({ name: 'echo', arguments: {} });
    expect(invalid.isError).toBe(true);
    expect(textOf(invalid)).toMatch(/Invalid arguments for tool echo.*message/);
  });

  test(`basic example over HTTP, v2 client ${label}: 2026-07-28 without a session, beside a v1 client's 2025 session on the same host`, async () => {
    const dir = await tempDir();
    const { url } = await spawnHttpHost(['start', '--config', BASIC, '--transport', 'http', '--port', '0'], { cwd: dir });
    const modern = await httpV2(mode, url);
    expect(modern.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(textOf(await modern.callTool({ name: 'echo', arguments: { message: 'over http' } }))).toBe('hello: over http');
    await expect(modern.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/Unknown tool: nope/);

    const { Client: V1Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { StreamableHTTPClientTransport: V1Http } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    const v1 = new V1Client({ name: 'v1-test', version: '1.32.2' });
    onTestFinished(() => v1.close().catch(() => {}));
    await v1.connect(new V1Http(url));
    expect((v1.transport as unknown as { protocolVersion?: string }).protocolVersion).toBe('2025-11-25');
    const answer = await v1.callTool({ name: 'echo', arguments: { message: 'over http' } });
    expect((answer.content as { text: string }[])[0]!.text).toBe('hello: over http');
  });
}

test('the v1 client on the basic example still negotiates 2025-11-25 over stdio', async () => {
  const dir = await tempDir();
  const { client, transport } = await connectClient(['start', '--config', BASIC], { cwd: dir });
  expect(transport).toBeDefined();
  expect(client.getServerVersion()?.name).toBe('mcp-host-example');
  const result = await client.callTool({ name: 'echo', arguments: { message: 'old' } });
  expect((result.content as { text: string }[])[0]!.text).toBe('hello: old');
});

test('2026-07-28 over stdio, pinned: resources (list, read, templates, listen with updates), list changes, prompts, progress, request logging by the envelope level, cancellation, requestClient', async () => {
  const probes = await withConformanceFixture();
  const { client } = await stdioV2({ pin: MODERN }, ['start', '--config', probes.config], { cwd: probes.dir });
  expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: { subscribe: true }, prompts: {} });

  // Resources.
  const { resources } = await client.listResources();
  expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['test://static-text', 'test://watched-resource']));
  const read = await client.readResource({ uri: 'test://static-text' });
  expect(read.contents[0]).toMatchObject({ uri: 'test://static-text', mimeType: 'text/plain' });
  const { resourceTemplates } = await client.listResourceTemplates();
  expect(resourceTemplates.length).toBeGreaterThan(0);
  await expect(client.readResource({ uri: 'test://no-such-thing' })).rejects.toThrow(/not found/i);

  // subscriptions/listen replaces resources/subscribe: an update of the watched resource arrives on it.
  const updates: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => void updates.push(notification.params.uri));
  const subscription = await client.listen({ resourceSubscriptions: ['test://watched-resource'] });
  expect(subscription.honoredFilter.resourceSubscriptions).toEqual(['test://watched-resource']);
  await client.callTool({ name: 'conformance_touch_watched_resource', arguments: {} });
  await waitUntil(() => updates.includes('test://watched-resource'), 'the resource update on the listen stream', 10_000);
  await subscription.close();

  // List changes: a tool and a prompt registered while serving are announced on a listen that asked for them.
  const changes: string[] = [];
  client.setNotificationHandler('notifications/tools/list_changed', () => void changes.push('tools'));
  client.setNotificationHandler('notifications/prompts/list_changed', () => void changes.push('prompts'));
  const lists = await client.listen({ toolsListChanged: true, promptsListChanged: true });
  expect(textOf(await client.callTool({ name: 'test_trigger_tool_change', arguments: {} }))).toMatch(/registered tool (test_added_tool_\d+)/);
  await client.callTool({ name: 'test_trigger_prompt_change', arguments: {} });
  await waitUntil(() => changes.includes('tools') && changes.includes('prompts'), 'both list changes on the listen stream', 10_000);
  const added = (await client.listTools({}, { cacheMode: 'bypass' })).tools.map((tool) => tool.name).filter((name) => name.startsWith('test_added_tool_'));
  expect(added.length).toBe(1);
  expect(textOf(await client.callTool({ name: added[0]!, arguments: {} }))).toBe(`${added[0]} called`);
  await lists.close();

  // Prompts.
  const { prompts } = await client.listPrompts();
  expect(prompts.map((prompt) => prompt.name)).toContain('test_simple_prompt');
  const prompt = await client.getPrompt({ name: 'test_simple_prompt' });
  expect(prompt.messages.length).toBeGreaterThan(0);

  // Progress.
  const progress: number[] = [];
  const withProgress = await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: ({ progress: value }) => void progress.push(value) });
  expect(textOf(withProgress)).toMatch(/Progress reported for token/);
  // The host writes all three before the result (the raw session below checks the order on the wire); the v2
  // client over stdio may settle the call before it dispatched the last one, so only a prefix is certain here.
  expect(progress.slice(0, 2)).toEqual([0, 50]);
  expect([0, 50, 100].slice(0, progress.length)).toEqual(progress);

  // requestLogger: at the level the request's envelope names, and nothing without one.
  const logs: string[] = [];
  client.setNotificationHandler('notifications/message', (notification) => void logs.push(String(notification.params.data)));
  await client.callTool({ name: 'reqlog_p', arguments: { level: 'info', message: 'unasked' } });
  await client.callTool({ name: 'reqlog_p', arguments: { level: 'debug', message: 'below the asked level' }, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } });
  await client.callTool({ name: 'reqlog_p', arguments: { level: 'warning', message: 'asked for' }, _meta: { 'io.modelcontextprotocol/logLevel': 'info' } });
  expect(logs).toEqual(['asked for']);

  // requestClient: the envelope's client info and capabilities.
  const who = JSON.parse(textOf(await client.callTool({ name: 'client_p', arguments: {} })));
  expect(who).toMatchObject({ name: 'v2-test', version: '2.4.0' });

  // Cancellation: the call is abandoned, the host goes on answering.
  const controller = new AbortController();
  const slow = client.callTool({ name: 'slow_p', arguments: { ms: 5_000 } }, { signal: controller.signal });
  await waitUntil(() => probes.events().includes('p:slow-begin'), 'the slow call to start', 10_000);
  controller.abort();
  await expect(slow).rejects.toThrow();
  expect(textOf(await client.callTool({ name: 'probe_p', arguments: {} }))).toBe('p');
});

test('2026-07-28 over HTTP, pinned: resources, prompts and a listen stream on the same fixtures', async () => {
  const probes = await withConformanceFixture();
  const { url } = await spawnHttpHost(['start', '--config', probes.config, '--transport', 'http', '--port', '0'], { cwd: probes.dir });
  const client = await httpV2({ pin: MODERN }, url);
  expect((await client.readResource({ uri: 'test://static-text' })).contents[0]).toMatchObject({ uri: 'test://static-text' });
  expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('test_simple_prompt');
  const progress: number[] = [];
  await client.callTool({ name: 'test_tool_with_progress', arguments: {} }, { onprogress: ({ progress: value }) => void progress.push(value) });
  expect(progress).toEqual([0, 50, 100]);
  const updates: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => void updates.push(notification.params.uri));
  const subscription = await client.listen({ resourceSubscriptions: ['test://watched-resource'] });
  await client.callTool({ name: 'conformance_touch_watched_resource', arguments: {} });
  await waitUntil(() => updates.includes('test://watched-resource'), 'the resource update on the listen stream', 10_000);
  await subscription.close();
});

for (const [label, mode] of MODES) {
  test(`Magic-API example, v2 client ${label}, over stdio and over HTTP: the instructions, the tools and the script resources`, async () => {
    const server = await startEmulator({ warn: () => {} });
    onTestFinished(() => server.close());
    const dir = await tempDir();
    const env = { MAGIC_API_BASE_URL: server.baseUrl, MAGIC_API_WS_URL: '', MAGIC_API_TOKEN: '', MAGIC_API_USERNAME: '', MAGIC_API_PASSWORD: '' };
    const { client } = await stdioV2(mode, ['start', '--config', MAGIC_API], { cwd: dir, env });
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getInstructions()).toMatch(/magic_get/);
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['magic_tree', 'magic_get', 'magic_call_api', 'magic_search', 'ws_connections']));
    const tree = JSON.parse(textOf(await client.callTool({ name: 'magic_tree', arguments: {} })));
    expect(JSON.stringify(tree)).toContain('用户列表');
    const script = await client.readResource({ uri: 'magic-api://api/用户管理/用户列表' });
    expect(script.contents.length).toBeGreaterThan(0);

    const { url } = await spawnHttpHost(['start', '--config', MAGIC_API, '--transport', 'http', '--port', '0'], { cwd: dir, env: { ...process.env, ...env } });
    const overHttp = await httpV2(mode, url);
    expect(overHttp.getNegotiatedProtocolVersion()).toBe(MODERN);
    const called = JSON.parse(textOf(await overHttp.callTool({ name: 'magic_call_api', arguments: { method: 'GET', path: '/user/list', query: { page: 1, size: 1 } } })));
    expect(JSON.stringify(called)).toMatch(/"code":1/);
    expect((await overHttp.readResource({ uri: 'magic-api://api/用户管理/用户列表' })).contents).toEqual(script.contents);
  });
}

for (const revision of ['2025-11-25', MODERN]) {
  const call = (id: number, name: string, args: Record<string, unknown>) =>
    revision === MODERN
      ? { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: envelope() } }
      : { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };

  for (const trigger of ['stdin EOF', 'SIGTERM'] as const) {
    test(`a ${revision} stdio session ended by ${trigger} with a call in flight: the reply is delivered, exit code 0`, async () => {
      const probes = await setupProbes({ slowpoke: {} });
      const host = spawnHost(['start'], { cwd: probes.dir });
      if (revision !== MODERN) handshake(host);
      host.send(call(7, 'slow_slowpoke', { ms: 600 }));
      await host.waitFor(() => probes.events().includes('slowpoke:slow-begin'), 'the tool to start');
      if (trigger === 'stdin EOF') host.child.stdin!.end();
      else host.child.kill('SIGTERM');
      const { code } = await host.exited;
      expect(code).toBe(0);
      const reply = host.messages().find((message) => message.id === 7);
      expect(reply?.result?.content?.[0]?.text).toBe('slept 600');
      if (revision === MODERN) expect(reply.result.resultType).toBe('complete');
      expect(host.stderr()).toMatch(/requests: 1 answered, 0 cut/);
      expect(host.stderr()).toContain(trigger === 'stdin EOF' ? 'shutting down (stdin-closed)' : 'shutting down (SIGTERM)');
    });
  }
}

test('a 2026-07-28 client that vanishes (EPIPE on stdout) is a shutdown trigger, never a crash or a hang', async () => {
  const probes = await setupProbes({ talker: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  host.send({ jsonrpc: '2.0', id: 0, method: 'server/discover', params: { _meta: envelope() } });
  await host.waitFor(() => host.messages().some((message) => message.id === 0), 'the discover reply');
  host.child.stdout!.destroy();
  for (let id = 1; id <= 5; id++) host.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'big_talker', arguments: { bytes: 256 * 1024 }, _meta: envelope() } });
  const { code, signal } = await host.exited;
  expect(signal).toBeNull();
  expect(code).toBe(0);
  expect(probes.events()).toContain('talker:shutdown:transport-closed');
  expect(host.stderr()).toContain('shutting down (transport-closed)');
});

test('a raw 2026-07-28 stdio session: server/discover offers 2026-07-28 and the capabilities, results carry resultType, a malformed envelope is refused with -32602', async () => {
  const probes = await setupProbes({ raw: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  host.send({ jsonrpc: '2.0', id: 1, method: 'server/discover', params: { _meta: envelope() } });
  host.send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: envelope() } });
  host.send({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } } });
  await host.waitFor(() => [1, 2, 3].every((id) => host.messages().some((message) => message.id === id)), 'three replies');
  const byId = (id: number) => host.messages().find((message) => message.id === id);
  expect(byId(1).result.supportedVersions).toContain(MODERN);
  expect(byId(1).result.capabilities).toMatchObject({ tools: { listChanged: true }, logging: {} });
  expect(byId(1).result._meta['io.modelcontextprotocol/serverInfo'].name).toEqual(expect.any(String));
  expect(byId(2).result).toMatchObject({ resultType: 'complete', cacheScope: expect.any(String), ttlMs: expect.any(Number) });
  expect(byId(2).result.tools.map((tool: { name: string }) => tool.name)).toContain('probe_raw');
  expect(byId(3).error.code).toBe(-32602);

  // Progress notifications go out before the result, in order, on the same pipe.
  host.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'slow_raw', arguments: { ms: 1 }, _meta: envelope() } });
  await host.waitFor(() => host.messages().some((message) => message.id === 4), 'the slow call');
  expect(byId(4).result.content[0].text).toBe('slept 1');
  host.child.stdin!.end();
  expect((await host.exited).code).toBe(0);
});

test('2026-07-28 progress over raw stdio: every notification is written before the result', async () => {
  const probes = await withConformanceFixture();
  const host = spawnHost(['start', '--config', probes.config], { cwd: probes.dir });
  host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_tool_with_progress', arguments: {}, _meta: { ...envelope(), progressToken: 'tok' } } });
  await host.waitFor(() => host.messages().some((message) => message.id === 1), 'the result');
  const seen = host.messages().map((message) => (message.id === 1 ? 'result' : message.method === 'notifications/progress' ? message.params.progress : message.method));
  expect(seen).toEqual([0, 50, 100, 'result']);
  host.child.stdin!.end();
  expect((await host.exited).code).toBe(0);
});

test('hostile 2026-07-28 openings over stdio are refused one by one, and a valid request after them is served', async () => {
  const probes = await setupProbes({ sturdy: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  const hostile: [number, object][] = [
    [1, { _meta: { 'io.modelcontextprotocol/protocolVersion': 42, 'io.modelcontextprotocol/clientCapabilities': {} } }],
    [2, { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01', 'io.modelcontextprotocol/clientCapabilities': {} } }],
    [3, { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': 'none' } }],
    [4, { _meta: { ...envelope(), 'io.modelcontextprotocol/clientInfo': { name: 'x'.repeat(1_000_000), version: '0' } }, name: 'probe_sturdy', arguments: {} }],
  ];
  for (const [id, params] of hostile) host.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'probe_sturdy', arguments: {}, ...params } });
  host.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99, _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } } });
  host.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'probe_sturdy', arguments: {}, _meta: envelope() } });
  await host.waitFor(() => [1, 2, 3, 4, 5].every((id) => host.messages().some((message) => message.id === id)), 'five replies');
  const byId = (id: number) => host.messages().find((message) => message.id === id);
  expect(byId(1).error.code).toBe(-32602);
  expect(byId(2).error.message).toMatch(/2099-01-01/);
  expect(byId(2).error.data.supported).toContain(MODERN);
  expect(byId(3).error.code).toBe(-32602);
  // A long client name is no reason to refuse a request (the line limit bounds the size); the answer is normal.
  expect(byId(4).result.content[0].text).toBe('sturdy');
  expect(byId(5).result.content[0].text).toBe('sturdy');
  host.child.stdin!.end();
  expect((await host.exited).code).toBe(0);
});

test('an open 2026-07-28 listen is no work in flight: stdin EOF ends the session at once, exit 0, nothing cut', async () => {
  const probes = await withConformanceFixture();
  const host = spawnHost(['start', '--config', probes.config], { cwd: probes.dir });
  host.send({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { notifications: { resourceSubscriptions: ['test://watched-resource'], toolsListChanged: true }, _meta: envelope() } });
  await host.waitFor(() => host.messages().some((message) => message.method === 'notifications/subscriptions/acknowledged'), 'the listen acknowledgement');
  host.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'conformance_touch_watched_resource', arguments: {}, _meta: envelope() } });
  await host.waitFor(() => host.messages().some((message) => message.method === 'notifications/resources/updated'), 'the update on the listen');
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  // Nothing was in flight to drain (a counted listen would have been cut at drainTimeoutMs, exit 1).
  expect(host.stderr()).not.toMatch(/requests: \d+ answered/);
});

test('2026-07-28 over HTTP meets the same gate as 2025: a foreign Origin is refused (403), an unsupported revision is a JSON-RPC error, an open listen ends on SIGTERM with exit 0', async () => {
  const probes = await withConformanceFixture();
  const { host, url } = await spawnHttpHost(['start', '--config', probes.config, '--transport', 'http', '--port', '0'], { cwd: probes.dir });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN };
  const post = (body: object, extra: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { ...headers, ...extra }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const call = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'test_simple_text', arguments: {}, _meta: envelope() } };

  const foreign = await post(call, { origin: 'https://evil.example', 'mcp-method': 'tools/call', 'mcp-name': 'test_simple_text' });
  expect(foreign.status).toBe(403);
  const unsupported = await post({ ...call, params: { ...call.params, _meta: envelope({ 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }) } }, { 'mcp-protocol-version': '2099-01-01', 'mcp-method': 'tools/call', 'mcp-name': 'test_simple_text' });
  const refusal = (await unsupported.json()) as { error: { message: string } };
  expect(refusal.error.message).toMatch(/2099-01-01|[Uu]nsupported/);
  // The header alone claims 2026-07-28: a body without the envelope is refused by the 2026 rules, naming what is missing.
  const headerOnly = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} }, { 'mcp-method': 'tools/list' });
  expect(headerOnly.status).toBe(400);
  expect(((await headerOnly.json()) as { error: { code: number; message: string } }).error).toMatchObject({ code: -32602, message: expect.stringMatching(/envelope/) });
  const served = await post(call, { 'mcp-method': 'tools/call', 'mcp-name': 'test_simple_text' });
  expect(served.status).toBe(200);
  expect(await served.text()).toContain('resultType');

  // A listen stream the client never closes.
  const listen = await post({ jsonrpc: '2.0', id: 2, method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope() } }, { 'mcp-method': 'subscriptions/listen' });
  expect(listen.status).toBe(200);
  const reader = listen.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toContain('notifications/subscriptions/acknowledged');
  host.child.kill('SIGTERM');
  const ended = (async () => {
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) return true;
  })();
  expect(await ended).toBe(true);
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(host.stderr()).not.toMatch(/requests: \d+ answered/);
});

for (const drain of ['answered', 'cut'] as const) {
  test(`a 2026-07-28 HTTP call in flight at SIGTERM is ${drain === 'answered' ? 'answered before the exit (0)' : 'cut at drainTimeoutMs with a -32000 error (exit 1)'}`, async () => {
    const probes = await setupProbes({ slowpoke: {} }, { shutdown: { drainTimeoutMs: drain === 'cut' ? 300 : 5000 } });
    const { host, url } = await spawnHttpHost(['start', '--transport', 'http', '--port', '0'], { cwd: probes.dir });
    const ms = drain === 'cut' ? 10_000 : 600;
    const reply = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'slow_slowpoke' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'slow_slowpoke', arguments: { ms }, _meta: envelope() } }),
      signal: AbortSignal.timeout(20_000),
    }).then((response) => response.text());
    await host.waitFor(() => probes.events().includes('slowpoke:slow-begin'), 'the tool to start');
    host.child.kill('SIGTERM');
    const text = await reply;
    const { code } = await host.exited;
    if (drain === 'answered') {
      expect(text).toContain('slept 600');
      expect(code).toBe(0);
      expect(host.stderr()).toMatch(/requests: 1 answered, 0 cut/);
    } else {
      expect(JSON.parse(text.replace(/^[\s\S]*?data: /, '').trim())).toMatchObject({ id: 7, error: { code: -32000, message: expect.stringMatching(/drain/) } });
      expect(code).toBe(1);
      expect(host.stderr()).toMatch(/requests: 0 answered, 1 cut/);
    }
  });
}

test('2025 clients of every revision still negotiate as before: 2025-11-25, 2025-06-18 and 2025-03-26 are answered in kind', async () => {
  const probes = await setupProbes({ old: {} });
  for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) {
    const host = spawnHost(['start'], { cwd: probes.dir });
    host.send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'old', version: '0' } } });
    host.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'probe_old', arguments: {} } });
    await host.waitFor(() => host.messages().some((message) => message.id === 1), `the call on ${version}`);
    expect(host.messages().find((message) => message.id === 0).result.protocolVersion).toBe(version);
    const reply = host.messages().find((message) => message.id === 1);
    expect(reply.result.content[0].text).toBe('old');
    expect(reply.result.resultType).toBeUndefined();
    // server/discover without the 2026 envelope is not 2026: a 2025 session has no such method.
    host.send({ jsonrpc: '2.0', id: 2, method: 'server/discover', params: {} });
    await host.waitFor(() => host.messages().some((message) => message.id === 2), 'the discover refusal');
    expect(host.messages().find((message) => message.id === 2).error.code).toBe(-32601);
    host.child.stdin!.end();
    expect((await host.exited).code).toBe(0);
  }
});

test('a scripted 2026-07-28 client that writes its requests and closes stdin at once gets every answer, exit 0', async () => {
  const probes = await setupProbes({ script: {} });
  const host = spawnHost(['start'], { cwd: probes.dir });
  host.send({ jsonrpc: '2.0', id: 0, method: 'server/discover', params: { _meta: envelope() } });
  host.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'probe_script', arguments: {}, _meta: envelope() } });
  host.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow_script', arguments: { ms: 200 }, _meta: envelope() } });
  host.child.stdin!.end();
  const { code } = await host.exited;
  expect(code).toBe(0);
  const byId = (id: number) => host.messages().find((message) => message.id === id);
  expect(byId(0).result.supportedVersions).toContain(MODERN);
  expect(byId(1).result.content[0].text).toBe('script');
  expect(byId(2).result.content[0].text).toBe('slept 200');
  expect(host.stderr()).toMatch(/requests: 3 answered, 0 cut/);
});

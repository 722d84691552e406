// The HTTP session server. Its own logic runs in-process (the embedding API: createHost, then host.serve() on
// createHttpSessionServer(), the path `mcp-host start` takes); the cases about the process — a signal while a
// reply streams, idle keep-alive sockets holding the process — spawn the CLI.
import { createHook } from 'node:async_hooks';
import { request as httpRequest } from 'node:http';
import { expect, onTestFinished, test } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { waitUntil } from '@mcp-host/testing';
import { serveHttpInProcess, setupProbes, spawnHttpHost } from '../src/index.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };
const ACCEPT = 'application/json, text/event-stream';

/** Probe plugins in a temp dir, served over HTTP on 127.0.0.1:0 in-process. */
async function httpHost(probes: Record<string, object> = { web: {} }, transport: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const setup = await setupProbes(probes, { transport: { type: 'http', port: 0, ...transport }, ...extra });
  const served = await serveHttpInProcess({ cwd: setup.dir });
  return { ...setup, ...served };
}

/** The same, as a spawned `mcp-host start`: for the cases about the process. */
async function spawnedHttpHost(probes: Record<string, object>) {
  const setup = await setupProbes(probes, { transport: { type: 'http', port: 0 } });
  const { host, url } = await spawnHttpHost(['start'], { cwd: setup.dir });
  return { ...setup, host, url };
}

async function connect(url: URL, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'http-test', version: '0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  onTestFinished(() => client.close().catch(() => {}));
  await client.connect(transport);
  return { client, transport };
}

/** connect(), recording every `notifications/message` the client gets as `level:data`. */
async function connectLogged(url: URL) {
  const session = await connect(url);
  const logs: string[] = [];
  session.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(`${n.params.level}:${n.params.data}`));
  return { ...session, logs };
}

/** A raw POST with full control of the headers; reads the whole answer. */
async function post(url: URL, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

test('two concurrent sessions each get their own server over the same plugins; DELETE ends one (then 404)', async () => {
  const { url, host, events } = await httpHost();
  const a = await connect(url);
  const b = await connect(url);
  expect(a.transport.sessionId).toBeTruthy();
  expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
  const [ra, rb] = await Promise.all([
    a.client.callTool({ name: 'slow_web', arguments: { ms: 200 } }),
    b.client.callTool({ name: 'slow_web', arguments: { ms: 100 } }),
  ]);
  expect(ra.content).toEqual([{ type: 'text', text: 'slept 200' }]);
  expect(rb.content).toEqual([{ type: 'text', text: 'slept 100' }]);
  // Start taps ran once per process, not per session.
  expect(events().filter((event) => event === 'web:start')).toHaveLength(1);

  const sessionId = a.transport.sessionId!;
  await a.transport.terminateSession();
  const after = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });
  expect(after.status).toBe(404);
  expect((await b.client.listTools()).tools.length).toBeGreaterThan(0);
  expect((await host.shutdown('SIGTERM')).exitCode).toBe(0);
});

test('an unknown tool is a JSON-RPC protocol error, not an isError result', async () => {
  const { url } = await httpHost();
  const { client } = await connect(url);
  const error = await client.callTool({ name: 'no_such_tool' }).catch((caught) => caught);
  expect(error).toBeInstanceOf(McpError);
  expect(error.code).toBe(-32602);
});

test('DNS-rebinding protection: a foreign Origin or Host is refused with 403', async () => {
  const { url } = await httpHost();
  expect((await post(url, INIT, { origin: 'http://evil.example' })).status).toBe(403);
  expect((await post(url, INIT, { origin: `http://localhost:${url.port}` })).status).toBe(200);
  // fetch will not let us forge Host; use node:http.
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { host: 'evil.example', 'content-type': 'application/json', accept: ACCEPT } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(INIT));
  });
  expect(status).toBe(403);
});

test('allowedOrigins admits exactly the listed origins', async () => {
  const { url } = await httpHost({ web: {} }, { allowedOrigins: ['https://app.example'] });
  expect((await post(url, INIT, { origin: 'https://app.example' })).status).toBe(200);
  expect((await post(url, INIT, { origin: `http://localhost:${url.port}` })).status).toBe(403);
});

test('bearer auth: missing or wrong token gets 401 with WWW-Authenticate; the right one works', async () => {
  const token = 'a-very-secret-token-123';
  const { url } = await httpHost({ web: {} }, { auth: { bearerToken: token } });
  const missing = await post(url, INIT);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
  expect((await post(url, INIT, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
  const { client } = await connect(url, { authorization: `Bearer ${token}` });
  expect((await client.listTools()).tools.length).toBeGreaterThan(0);
});

test('an oversized body gets 413; a body that is not JSON gets 400; no session id gets 400; another path 404', async () => {
  const { url } = await httpHost({ web: {} }, { maxBodyBytes: 1024 });
  expect((await post(url, { ...INIT, padding: 'x'.repeat(4096) })).status).toBe(413);
  expect((await post(url, '{not json')).status).toBe(400);
  expect((await post(url, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status).toBe(400);
  expect((await post(new URL('/elsewhere', url), INIT)).status).toBe(404);
});

test('SIGTERM while a slow tool call streams: the client gets the whole result, then the process exits', async () => {
  const { url, host, events } = await spawnedHttpHost({ web: { shutdownDelayMs: 300 } });
  const { client } = await connect(url);
  const pending = client.callTool({ name: 'slow_web', arguments: { ms: 500 } });
  await host.waitFor(() => events().includes('web:slow-begin'), 'the tool to start');
  host.child.kill('SIGTERM');
  await host.waitFor(() => host.stderr().includes('shutting down (SIGTERM)'), 'shutdown to begin');
  const result = await pending;
  expect(result.content).toEqual([{ type: 'text', text: 'slept 500' }]);
  const { code } = await host.exited;
  expect(code).toBe(0);
  expect(host.stderr()).toMatch(/requests: 1 answered, 0 cut/);
  // Sessions were closed before the plugins' taps ran.
  expect(events().indexOf('web:slow-end')).toBeLessThan(events().indexOf('web:shutdown:SIGTERM'));
});

test('a request on a socket still open after shutdown began gets 503 with a JSON-RPC error', async () => {
  const { url, host, events } = await httpHost({ web: {} });
  const { client, transport } = await connect(url);
  // A slow call keeps the drain going while we finish the second request.
  const slow = client.callTool({ name: 'slow_web', arguments: { ms: 800 } });
  await waitUntil(() => events().includes('web:slow-begin'), 'the tool to start');
  const body = JSON.stringify({ jsonrpc: '2.0', id: 21, method: 'tools/list' });
  let report: ReturnType<typeof host.shutdown> | undefined;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      // 100-continue: the server answers it once it parsed the headers and began handling the request, so the
      // 'continue' event proves this socket is busy, not idle, when shutdown begins.
      headers: { 'content-type': 'application/json', accept: ACCEPT, 'content-length': Buffer.byteLength(body), expect: '100-continue', 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.on('continue', () => {
      req.write(body.slice(0, 10));
      report = host.shutdown('SIGTERM');
      // The rest of the body arrives after shutdown began: that request is new work, refused.
      req.end(body.slice(10));
    });
    req.flushHeaders();
  });
  const late = await answer;
  expect(late.status).toBe(503);
  expect(JSON.parse(late.body).error.code).toBe(-32000);
  expect((await slow).content).toEqual([{ type: 'text', text: 'slept 800' }]);
  // The 503 is a refusal, counted in the report.
  expect((await report!).drain).toMatchObject({ completed: 1, cut: 0, refused: 1 });
});

test('a request cut at the drain deadline gets a JSON-RPC error on its own stream, not an empty 200', async () => {
  const { url, host, events } = await httpHost({ web: {} }, {}, { shutdown: { drainTimeoutMs: 200 } });
  const { client } = await connect(url);
  const slow = client.callTool({ name: 'slow_web', arguments: { ms: 5000 } }).then(
    () => undefined,
    (error: McpError) => error,
  );
  await waitUntil(() => events().includes('web:slow-begin'), 'the tool to start');
  const report = await host.shutdown('SIGTERM');
  expect(report.drain).toMatchObject({ cut: 1 });
  const failure = await slow;
  expect(failure?.code).toBe(-32000);
  expect(failure?.message).toMatch(/drain/);
});

test('idle keep-alive clients do not hold the process open', async () => {
  const { url, host } = await spawnedHttpHost({ web: {} });
  const clients = await Promise.all(Array.from({ length: 4 }, () => connect(url)));
  await Promise.all(clients.map(({ client }) => client.listTools()));
  host.child.kill('SIGTERM');
  const { code } = await host.exited;
  expect(code).toBe(0);
});

test("log notifications honour each HTTP session's own logging/setLevel", async () => {
  const { url } = await httpHost();
  const quiet = await connectLogged(url);
  const chatty = await connectLogged(url);
  await quiet.client.setLoggingLevel('error');
  await chatty.client.setLoggingLevel('debug');
  // Log until both standalone SSE streams are up and have seen a message (bounded).
  for (let attempt = 0; attempt < 50 && !(quiet.logs.some((m) => m.startsWith('error:probe')) && chatty.logs.some((m) => m.startsWith('error:probe'))); attempt++) {
    await quiet.client.callTool({ name: 'log_web', arguments: { level: 'error', message: `probe ${attempt}` } });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  quiet.logs.length = 0;
  chatty.logs.length = 0;
  await quiet.client.callTool({ name: 'log_web', arguments: { level: 'info', message: 'an info line' } });
  await quiet.client.callTool({ name: 'log_web', arguments: { level: 'error', message: 'an error line' } });
  await waitUntil(() => quiet.logs.includes('error:an error line') && chatty.logs.includes('error:an error line'), 'the error line in both sessions');
  expect(quiet.logs.filter((m) => m.endsWith('line'))).toEqual(['error:an error line']);
  expect(chatty.logs.filter((m) => m.endsWith('line'))).toEqual(['info:an info line', 'error:an error line']);
});

test("host.requestLogger(extra) honours the requesting session's setLevel, not another session's", async () => {
  const { url } = await httpHost();
  const quiet = await connectLogged(url);
  const plain = await connectLogged(url);
  await quiet.client.setLoggingLevel('error');
  // Request-related lines travel on the request's own stream, before its result: no waiting needed.
  for (const client of [quiet.client, plain.client]) {
    await client.callTool({ name: 'reqlog_web', arguments: { level: 'info', message: 'an info line' } });
    await client.callTool({ name: 'reqlog_web', arguments: { level: 'error', message: 'an error line' } });
  }
  expect(quiet.logs).toEqual(['error:an error line']);
  // No setLevel in this session: everything goes, as the SDK does.
  expect(plain.logs).toEqual(['info:an info line', 'error:an error line']);
});

test('an unsupported MCP-Protocol-Version header gets 400', async () => {
  const { url } = await httpHost();
  const { transport } = await connect(url);
  const answer = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '1999-01-01' });
  expect(answer.status).toBe(400);
});

test('stateless mode: no session ids, every POST is served on its own with a JSON answer; GET is 405', async () => {
  const { url, host } = await httpHost({ web: {} }, { stateless: true });
  const init = await post(url, INIT);
  expect(init.status).toBe(200);
  expect(init.headers.get('mcp-session-id')).toBeNull();
  expect(JSON.parse(init.text).result.serverInfo.name).toBe('mcp-host');
  const call = await post(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'probe_web', arguments: {} } }, { 'mcp-protocol-version': '2025-06-18' });
  expect(call.status).toBe(200);
  expect(JSON.parse(call.text).result.content).toEqual([{ type: 'text', text: 'web' }]);
  const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
  expect(get.status).toBe(405);
  await get.text();
  expect((await host.shutdown('SIGTERM')).exitCode).toBe(0);
});

test("host.requestLogger(extra) lines travel on the request's own SSE stream, before its result, with no GET stream open", async () => {
  const { url } = await httpHost();
  const init = await post(url, INIT);
  const sessionId = init.headers.get('mcp-session-id')!;
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  const answer = await post(url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'reqlog_web', arguments: { level: 'warning', message: 'on the stream' } } }, headers);
  expect(answer.status).toBe(200);
  const events = answer.text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice(6)));
  expect(events.map((event) => event.method ?? `result:${event.id}`)).toEqual(['notifications/message', 'result:5']);
  expect(events[0].params).toMatchObject({ level: 'warning', logger: 'web', data: 'on the stream' });
});

test("host.requestClient(extra) answers for the request's own session: two clients, two identities; stateless knows none", async () => {
  const { url, host } = await httpHost();
  const open = async (name: string, capabilities: Record<string, object>) => {
    const client = new Client({ name, version: '1.0.0' }, { capabilities });
    onTestFinished(() => client.close().catch(() => {}));
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  };
  const sampler = await open('sampler', { sampling: {} });
  const elicitor = await open('elicitor', { elicitation: {} });
  const ask = async (client: Client) => JSON.parse(((await client.callTool({ name: 'client_web', arguments: {} })).content as Array<{ text: string }>)[0]!.text);
  const [fromSampler, fromElicitor] = await Promise.all([ask(sampler), ask(elicitor)]);
  expect(fromSampler).toMatchObject({ name: 'sampler', version: '1.0.0', capabilities: { sampling: {} } });
  expect(fromSampler.capabilities.elicitation).toBeUndefined();
  expect(fromElicitor).toMatchObject({ name: 'elicitor', capabilities: { elicitation: {} } });
  expect(fromElicitor.capabilities.sampling).toBeUndefined();
  expect((await host.shutdown('SIGTERM')).exitCode).toBe(0);

  // Stateless: each POST has a server of its own that never saw an initialize, so the client is unknown.
  const stateless = await httpHost({ web: {} }, { stateless: true });
  const answer = await post(stateless.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'client_web', arguments: {} } }, { 'mcp-protocol-version': '2025-06-18' });
  expect(answer.status).toBe(200);
  const unknown = JSON.parse(JSON.parse(answer.text).result.content[0].text);
  expect(unknown).toMatchObject({ capabilities: {} });
  expect(unknown.name).toBeUndefined();
  expect((await stateless.host.shutdown('SIGTERM')).exitCode).toBe(0);
});

test('over transport.maxSessions a new session gets 503 with a JSON-RPC error; the live ones keep working', async () => {
  const { url } = await httpHost({ web: {} }, { maxSessions: 2 });
  const first = await connect(url);
  await connect(url);
  const refused = await post(url, INIT);
  expect(refused.status).toBe(503);
  expect(JSON.parse(refused.text)).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32000, message: expect.stringMatching(/maxSessions/) } });
  expect((await first.client.listTools()).tools.length).toBeGreaterThan(0);
  // A session that ends makes room.
  await first.transport.terminateSession();
  expect((await post(url, INIT)).status).toBe(200);
});

/**
 * The status a ping of the session gets once it has been left alone long enough: each probe is activity and restarts
 * the clock, so the gaps grow past the timeout (bounded: 5 probes, ~9 s); 404 when the session was closed.
 */
async function statusOnceIdle(url: URL, headers: Record<string, string>): Promise<number> {
  let status = 0;
  for (let attempt = 0; attempt < 5 && status !== 404; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 300 * 2 ** attempt));
    status = (await post(url, { jsonrpc: '2.0', id: 1000 + attempt, method: 'ping' }, headers)).status;
  }
  return status;
}

test('a session idle past transport.sessionIdleTimeoutMs is closed: its id then gets 404', async () => {
  const { url } = await httpHost({ web: {} }, { sessionIdleTimeoutMs: 200 });
  const started = await post(url, INIT);
  const sessionId = started.headers.get('mcp-session-id')!;
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  expect((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);
  expect(await statusOnceIdle(url, headers)).toBe(404);
});

test('an exchange open past sessionIdleTimeoutMs (an SSE stream) keeps its session; the idle clock starts again when it ends', async () => {
  const { url } = await httpHost({ web: {} }, { sessionIdleTimeoutMs: 200 });
  const started = await post(url, INIT);
  const sessionId = started.headers.get('mcp-session-id')!;
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  expect((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);
  // The session's clock was armed by that exchange's end; the stream opened now stays open three timeouts long.
  const stream = new AbortController();
  const sse = await fetch(url, { method: 'GET', headers: { ...headers, accept: 'text/event-stream' }, signal: stream.signal });
  expect(sse.status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 600));
  stream.abort();
  await sse.body?.cancel().catch(() => {});
  // Still alive right after the stream: its end re-armed the clock rather than the clock having closed the session.
  expect((await post(url, { jsonrpc: '2.0', id: 1, method: 'ping' }, headers)).status).toBe(200);
  expect(await statusOnceIdle(url, headers)).toBe(404);
});

test('a session ended by DELETE arms no idle clock: its server is not kept for sessionIdleTimeoutMs', async () => {
  // The idle clock is a Timeout of exactly sessionIdleTimeoutMs (unref'd, so a leak check of what holds the loop
  // cannot see it): watch every Timeout made from here on for one of that length still pending after the DELETEs.
  const IDLE_MS = 777_777;
  const pending = new Map<number, WeakRef<{ _idleTimeout?: number; _destroyed?: boolean }>>();
  const hook = createHook({
    init: (id, type, _trigger, resource) => void (type === 'Timeout' && pending.set(id, new WeakRef(resource as object))),
    destroy: (id) => void pending.delete(id),
  }).enable();
  onTestFinished(() => void hook.disable());
  const { url } = await httpHost({ web: {} }, { sessionIdleTimeoutMs: IDLE_MS });
  const idleClocks = () => [...pending.values()].filter((ref) => ref.deref()?._idleTimeout === IDLE_MS && ref.deref()?._destroyed !== true).length;
  for (let i = 0; i < 3; i++) {
    const session = await connect(url);
    await session.client.listTools();
    await session.transport.terminateSession();
  }
  await waitUntil(() => idleClocks() === 0, 'no idle clock left for the ended sessions', 5000).catch(() => {});
  expect(idleClocks()).toBe(0);
});

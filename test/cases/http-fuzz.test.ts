// A seeded HTTP fuzzer against the in-process HTTP session server: random methods, headers (content types,
// accept, origins, hosts, protocol versions), session ids (real, ended, made up) and bodies (valid, mutated,
// garbage, large, batches). Invariants: no crash (never a 500, the server keeps answering), every error answer
// with a JSON body is a JSON-RPC error, every accepted request with an id gets a non-empty answer, and a real
// client still works and the shutdown is clean afterwards.
import { request as httpRequest } from 'node:http';
import { expect, onTestFinished, test } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { fuzzSeed, randomText, serveHttpInProcess, setupProbes, type Random } from '../src/index.js';

const REQUESTS = 100;
const INIT = { jsonrpc: '2.0', id: 'init', method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '0' } } };

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(url: URL, method: string, headers: Record<string, string>, body: string | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) }, timeout: 10_000 });
    req.on('response', (res) => {
      // A GET stream (SSE) stays open by design: its headers are the answer.
      if (method === 'GET' && String(res.headers['content-type']).includes('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body: '' });
        res.destroy();
        return;
      }
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}

function bodyOf(random: Random, n: number): { body: string | undefined; id?: string | number } {
  const id = random.chance(0.5) ? n : `h-${n}`;
  switch (random.int(0, 8)) {
    case 0:
      return { body: undefined };
    case 1:
      return { body: JSON.stringify({ jsonrpc: '2.0', id, method: random.pick(['ping', 'tools/list', 'resources/list', 'nope']) }), id };
    case 2:
      return { body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: random.pick(['x', { name: 'probe_fz' }, { name: 'missing' }, { name: 'big_fz', arguments: { bytes: 1000 } }]) }), id };
    case 3:
      return { body: JSON.stringify({ ...INIT, id }), id };
    case 4:
      return { body: randomText(random, 300) };
    case 5:
      return { body: JSON.stringify([{ jsonrpc: '2.0', id, method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]) };
    case 6:
      return { body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) };
    case 7:
      return { body: 'z'.repeat(random.int(1000, 300_000)) };
    default:
      return { body: JSON.stringify({ jsonrpc: random.pick(['2.0', '1.0']), id: random.pick([id, null, 1.5, {}]), method: random.pick(['ping', 7]) }) };
  }
}

test('HTTP fuzzer: random methods, headers, session ids and bodies never crash the server; errors are JSON-RPC; a clean shutdown', async () => {
  const random = fuzzSeed('http-fuzz');
  const setup = await setupProbes({ fz: {} }, { transport: { type: 'http', port: 0, maxBodyBytes: 200_000, maxSessions: 20 } });
  const { host, url } = await serveHttpInProcess({ cwd: setup.dir });
  const sessions: string[] = [];
  for (let n = 1; n <= REQUESTS; n++) {
    const method = random.pick(['POST', 'POST', 'POST', 'GET', 'DELETE', 'PUT', 'OPTIONS', 'PATCH']);
    const headers: Record<string, string> = {};
    if (random.chance(0.8)) headers['content-type'] = random.pick(['application/json', 'text/plain', 'application/json; charset=utf-8', '']);
    if (random.chance(0.8)) headers['accept'] = random.pick(['application/json, text/event-stream', 'application/json', 'text/event-stream', '*/*']);
    if (random.chance(0.2)) headers['origin'] = random.pick(['http://127.0.0.1:1', 'http://evil.example', 'null', randomText(random, 10).replace(/[^\x21-\x7e]/g, '')]);
    if (random.chance(0.1)) headers['host'] = random.pick(['evil.example', '127.0.0.1', 'localhost:1', '[::1]']);
    if (random.chance(0.3)) headers['mcp-protocol-version'] = random.pick(['2025-06-18', '2025-03-26', '1999-01-01', 'x']);
    if (sessions.length > 0 && random.chance(0.6)) headers['mcp-session-id'] = random.pick(sessions);
    else if (random.chance(0.2)) headers['mcp-session-id'] = random.pick(['', 'nope', randomText(random, 20).replace(/[^\x21-\x7e]/g, 'q')]);
    const { body, id } = bodyOf(random, n);
    const answer = await send(url, method, headers, method === 'GET' && random.chance(0.8) ? undefined : body);
    const where = `request ${n} (${method} ${JSON.stringify(headers)} ${String(body).slice(0, 80)}): ${answer.status} ${answer.body.slice(0, 200)}`;
    // No crash: never a 500 (an unexpected error).
    expect(answer.status, where).not.toBe(500);
    expect(answer.status, where).toBeGreaterThanOrEqual(200);
    if (answer.status >= 400 && answer.contentType.includes('application/json')) {
      const error = JSON.parse(answer.body);
      expect(error.jsonrpc, where).toBe('2.0');
      expect(typeof error.error?.code, where).toBe('number');
    }
    // An accepted request with an id gets its answer (JSON or an SSE event), never an empty 200.
    if (answer.status === 200 && method === 'POST' && id !== undefined) expect(answer.body.length, where).toBeGreaterThan(0);
    // Now and then a real session begins, so later requests can carry a live session id.
    if (random.chance(0.1)) {
      const started = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(INIT) });
      await started.text();
      const sid = started.headers.get('mcp-session-id');
      if (sid) sessions.push(sid);
    }
  }
  // The server still serves a real client.
  const client = new Client({ name: 'after-fuzz', version: '0' });
  onTestFinished(() => client.close().catch(() => {}));
  const transport = new StreamableHTTPClientTransport(url);
  const connected = await client.connect(transport).then(
    () => true,
    (error: Error) => error.message,
  );
  // Over maxSessions a new client is refused with 503 and that is fine; otherwise it must work.
  if (connected === true) expect((await client.listTools()).tools.some((tool) => tool.name === 'probe_fz')).toBe(true);
  else expect(connected).toMatch(/503|Too many sessions/);
  const report = await host.shutdown('SIGTERM');
  expect(report.exitCode).toBe(0);
  expect(setup.events()).toContain('fz:shutdown:SIGTERM');
}, 60_000);

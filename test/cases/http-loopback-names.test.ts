// DNS rebinding (issue 11, item 1): bound to loopback, the host admits only a Host and an Origin whose name is a
// loopback literal (127.0.0.0/8, ::1 in any spelling) or `localhost`, parsed as a host name — never a prefix.
// Over real HTTP, with a Host header forged through node:http (fetch will not let us set it).
import { request as httpRequest } from 'node:http';
import { expect, test } from 'vitest';
import { serveHttpInProcess, setupProbes } from '../src/index.js';

const ACCEPT = 'application/json, text/event-stream';
const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } };

/** POST one JSON-RPC message with these raw headers; the status and the session id it got. */
function post(url: URL, body: unknown, headers: Record<string, string>): Promise<{ status: number; sessionId?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sessionId: res.headers['mcp-session-id'] as string | undefined, text }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const BAD_NAMES = [
  '127.0.0.1.evil.example',
  '127.evil.example',
  '127.0.0.1evil.example',
  'localhost.evil.example',
  'evil.example',
  'localhost.',
  'localhost..',
  '[::1].evil.example',
  '[::2]',
  '[::ffff:7f00:1]',
  '0.0.0.0',
  '128.0.0.1',
  'evil@127.0.0.1',
  '127.0.0.1/x',
];

test('a Host naming anything but a loopback literal or localhost gets 403, and no tool runs', async () => {
  const setup = await setupProbes({ web: {} }, { transport: { type: 'http', port: 0 } });
  const { url } = await serveHttpInProcess({ cwd: setup.dir });
  // A session opened with a good Host, so that a forged Host reaching the tool call would run the tool.
  const opened = await post(url, INIT, { host: `127.0.0.1:${url.port}` });
  expect(opened.status).toBe(200);
  const session = { 'mcp-session-id': opened.sessionId!, 'mcp-protocol-version': '2025-06-18' };
  expect((await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { host: `127.0.0.1:${url.port}`, ...session })).status).toBe(202);
  const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow_web', arguments: { ms: 1 } } };

  const hosts = [
    ...BAD_NAMES.flatMap((name) => [name, `${name}:${url.port}`]),
    `LOCALHOST.EVIL.EXAMPLE:${url.port}`,
    `127.0.0.1:${url.port}:1`,
    `127.0.0.1:99999`,
    `127.0.0.1:port`,
  ];
  for (const host of hosts) {
    expect({ host, status: (await post(url, call, { host, ...session })).status }).toEqual({ host, status: 403 });
  }
  expect(setup.events()).not.toContain('web:slow-begin');

  // The good ones: any 127/8 address, ::1 in compressed, expanded or zero-padded form, localhost in any case.
  for (const host of [`127.0.0.1:${url.port}`, '127.0.0.1', `127.1.2.3:${url.port}`, `localhost:${url.port}`, `LocalHost:${url.port}`, `[::1]:${url.port}`, '[::1]', `[0:0:0:0:0:0:0:1]:${url.port}`, `[0000:0000::0001]:${url.port}`]) {
    const answer = await post(url, call, { host, ...session });
    expect({ host, status: answer.status, text: answer.status === 200 ? "" : answer.text }).toEqual({ host, status: 200, text: "" });
  }
  expect(setup.events().filter((event) => event === 'web:slow-begin')).toHaveLength(9);
});

test('an Origin naming anything but a loopback literal or localhost gets 403, and no tool runs', async () => {
  const setup = await setupProbes({ web: {} }, { transport: { type: 'http', port: 0 } });
  const { url } = await serveHttpInProcess({ cwd: setup.dir });
  const host = `127.0.0.1:${url.port}`;
  const opened = await post(url, INIT, { host });
  const session = { host, 'mcp-session-id': opened.sessionId!, 'mcp-protocol-version': '2025-06-18' };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow_web', arguments: { ms: 1 } } };

  const origins = [
    ...BAD_NAMES.flatMap((name) => [`http://${name}`, `https://${name}:${url.port}`]),
    'null',
    'file://',
    `ftp://127.0.0.1:${url.port}`,
    `http://127.0.0.1.:${url.port}`,
    `http://localhost:99999`,
    'http://127.0.0.1@evil.example',
    'not a url',
    'http://',
  ];
  for (const origin of origins) {
    expect({ origin, status: (await post(url, call, { ...session, origin })).status }).toEqual({ origin, status: 403 });
  }
  expect(setup.events()).not.toContain('web:slow-begin');

  const good = [`http://127.0.0.1:${url.port}`, 'https://127.9.9.9', `http://localhost:${url.port}`, 'http://LOCALHOST', `http://[::1]:${url.port}`, 'http://[0:0:0:0:0:0:0:1]'];
  for (const origin of good) {
    expect({ origin, status: (await post(url, call, { ...session, origin })).status }).toEqual({ origin, status: 200 });
  }
  expect(setup.events().filter((event) => event === 'web:slow-begin')).toHaveLength(good.length);
});

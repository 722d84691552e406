import { expect, test } from 'vitest';
import { WS_MANAGER, type WebSocketManagerService } from '../src/index.js';
import { freePort, startBackend, startHost, waitUntil } from './support.js';

test('the tools are listed with their input schemas', async () => {
  const backend = await startBackend();
  const { client } = await startHost({ connections: [{ name: 'one', url: backend.url }] });
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(['ws_connections', 'ws_messages', 'ws_send']);
  const messages = tools.find((tool) => tool.name === 'ws_messages')!;
  expect(Object.keys(messages.inputSchema.properties ?? {}).sort()).toEqual(['around', 'connection', 'limit', 'maxChars', 'since', 'type', 'until', 'windowMs']);
  const send = tools.find((tool) => tool.name === 'ws_send')!;
  expect(send.inputSchema.required).toEqual(['data']);
  // One JSON type per argument: some clients refuse a type array (["string","number"]) or an empty schema.
  const properties = messages.inputSchema.properties as Record<string, { type?: unknown; anyOf?: unknown }>;
  for (const key of ['since', 'until', 'around']) expect(properties[key], key).toMatchObject({ type: 'string' });
  expect((send.inputSchema.properties as Record<string, unknown>).data).toMatchObject({ type: 'string' });
  for (const tool of tools) {
    for (const [key, schema] of Object.entries((tool.inputSchema.properties ?? {}) as Record<string, { type?: unknown; anyOf?: unknown; oneOf?: unknown }>)) {
      expect(typeof schema.type, `${tool.name}.${key}`).toBe('string');
      expect(schema.anyOf ?? schema.oneOf, `${tool.name}.${key}`).toBeUndefined();
    }
  }
});

test('with no connection at all (none configured, none added) the tools say so', async () => {
  const { call } = await startHost({});
  expect((await call('ws_connections')).json).toEqual({ connections: [] });
  for (const [tool, args] of [['ws_messages', {}], ['ws_send', { data: 'x' }], ['ws_messages', { connection: 'magic' }]] as const) {
    const result = await call(tool, args);
    expect(result.isError, tool).toBe(true);
    expect(result.text).toMatch(/There is no connection yet/);
  }
});

test('ws_connections, ws_messages and ws_send through a real Client', async () => {
  const backend = await startBackend({ onConnection: ({ socket }) => socket.send('{"type":"greeting","text":"hi"}') });
  const { call, manager } = await startHost({
    connections: [
      { name: 'api', url: backend.url, protocol: 'json' },
      { name: 'down', url: `ws://127.0.0.1:${await freePort()}/`, reconnect: { initialDelayMs: 5000 } },
    ],
  });
  await waitUntil(() => manager.require('api').info().received === 1, 'the greeting');
  await waitUntil(() => manager.require('down').state === 'backoff', 'the down connection to back off');

  const listed = await call('ws_connections');
  expect(listed.isError).toBe(false);
  expect(listed.json.connections).toMatchObject([
    { name: 'api', url: backend.url, protocol: 'json', state: 'open', reconnects: 0, buffered: 1 },
    { name: 'down', state: 'backoff', buffered: 0, lastError: expect.stringMatching(/ECONNREFUSED/) },
  ]);

  backend.broadcast('{"type":"log","n":1}');
  backend.broadcast('{"type":"log","n":2}');
  await waitUntil(() => manager.require('api').info().received === 3, 'three messages');
  const logs = await call('ws_messages', { connection: 'api', type: 'log' });
  expect(logs.json).toMatchObject({ connection: 'api', returned: 2, buffered: 3, received: 3, dropped: 0 });
  expect(logs.json.messages.map((message: { data: unknown }) => message.data)).toEqual([
    { type: 'log', n: 1 },
    { type: 'log', n: 2 },
  ]);
  expect(logs.json.messages[0].receivedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  const newest = await call('ws_messages', { connection: 'api', limit: 1 });
  expect(newest.json.messages.map((message: { seq: number }) => message.seq)).toEqual([3]);
  const recent = await call('ws_messages', { connection: 'api', since: '-1m' });
  expect(recent.json.returned).toBe(3);
  // A number is taken as well as digits in a string, though the schema says string.
  const future = await call('ws_messages', { connection: 'api', since: Date.now() + 60_000 });
  expect(future.json.returned).toBe(0);
  const futureText = await call('ws_messages', { connection: 'api', since: String(Date.now() + 60_000) });
  expect(futureText.json.returned).toBe(0);
  expect((await call('ws_messages', { connection: 'api', since: '0' })).json.returned).toBe(3);
  const around = await call('ws_messages', { connection: 'api', around: logs.json.messages[0].receivedAt, windowMs: 60_000, limit: 1 });
  expect(around.json.returned).toBe(1);

  backend.broadcast('x'.repeat(500));
  await waitUntil(() => manager.require('api').info().received === 4, 'the long message');
  const clipped = await call('ws_messages', { connection: 'api', type: 'invalid-json', maxChars: 100 });
  expect(clipped.json.messages[0].raw).toBe(`${'x'.repeat(100)}… (400 more characters)`);

  // A JSON value that is not a string is still sent as JSON, though the schema says string.
  const sent = await call('ws_send', { connection: 'api', data: { op: 'subscribe', topic: 'logs' } });
  expect(sent).toMatchObject({ isError: false, text: 'Sent 33 bytes to "api".' });
  const sentText = await call('ws_send', { connection: 'api', data: 'plain text' });
  expect(sentText.isError).toBe(false);
  const sentNumber = await call('ws_send', { connection: 'api', data: 42 });
  expect(sentNumber.isError).toBe(false);
  await waitUntil(() => backend.connections[0]!.received.length === 3, 'the sent messages');
  expect(backend.connections[0]!.received).toEqual(['{"op":"subscribe","topic":"logs"}', 'plain text', '42']);
});

test('user mistakes are isError results, never protocol errors or crashes', async () => {
  const backend = await startBackend();
  const { call } = await startHost({
    connections: [
      { name: 'a', url: backend.url },
      { name: 'b', url: backend.url },
    ],
  });
  const unknown = await call('ws_messages', { connection: 'nope' });
  expect(unknown.isError).toBe(true);
  expect(unknown.text).toMatch(/Unknown connection "nope".*"a", "b"/);
  expect((await call('ws_send', { connection: 'nope', data: 'x' })).isError).toBe(true);
  const ambiguous = await call('ws_messages', {});
  expect(ambiguous.isError).toBe(true);
  expect(ambiguous.text).toMatch(/Say which connection/);
  const badTime = await call('ws_messages', { connection: 'a', since: 'last tuesday' });
  expect(badTime.isError).toBe(true);
  expect(badTime.text).toMatch(/^since: /);
  const loneWindow = await call('ws_messages', { connection: 'a', windowMs: 10 });
  expect(loneWindow.isError).toBe(true);
});

test('ws_send waits for the connection to open, within its bound', async () => {
  const port = await freePort();
  const { call, manager } = await startHost({
    connections: [{ name: 'later', url: `ws://127.0.0.1:${port}/`, reconnect: { initialDelayMs: 20, maxDelayMs: 50, jitter: 0 } }],
  });
  const timedOut = await call('ws_send', { data: 'too early', timeoutMs: 50 });
  expect(timedOut.isError).toBe(true);
  expect(timedOut.text).toMatch(/connection "later" .* is not open .*waited 50 ms/);

  const pending = call('ws_send', { data: 'on time', timeoutMs: 10_000 });
  const backend = await startBackend({ port });
  const sent = await pending;
  expect(sent.isError).toBe(false);
  await waitUntil(() => backend.connections[0]?.received.length === 1, 'the message');
  expect(backend.connections[0]!.received).toEqual(['on time']);
  expect(manager.require('later').state).toBe('open');
});

test('the service: other plugins get connections, subscribe to messages and send', async () => {
  const backend = await startBackend();
  const { host, manager } = await startHost({ connections: [{ name: 'svc', url: backend.url }] });
  const service: WebSocketManagerService = host.services.inject(WS_MANAGER, 'a-consumer');
  expect(service).toBe(manager);
  expect(service.names()).toEqual(['svc']);
  await waitUntil(() => service.get('svc')!.state === 'open', 'open');
  const seen: unknown[] = [];
  const unsubscribe = service.subscribe('svc', (message) => seen.push(message.data));
  backend.broadcast('one');
  await waitUntil(() => seen.length === 1, 'the first message');
  unsubscribe();
  backend.broadcast('two');
  await waitUntil(() => service.get('svc')!.info().received === 2, 'the second message');
  expect(seen).toEqual(['one']);
  await service.send('svc', [1, 2, 3]);
  await waitUntil(() => backend.connections[0]!.received.length === 1, 'the sent message');
  expect(backend.connections[0]!.received).toEqual(['[1,2,3]']);
  expect(() => service.require('other')).toThrow(expect.objectContaining({ code: 'WSM_UNKNOWN_CONNECTION' }));
  await expect(service.send('other', 'x')).rejects.toMatchObject({ code: 'WSM_UNKNOWN_CONNECTION' });
});

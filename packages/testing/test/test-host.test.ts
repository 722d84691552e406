import { describe, expect, onTestFinished, test } from 'vitest';
import { definePlugin, z } from '@mcp-host/core';
import { callTool, createTestHost, trackResources, waitUntil } from '../src/index.js';

const recorder = (name: string, behaviour: 'ok' | 'throw' | 'hang', events: string[]) =>
  definePlugin({
    name,
    apply(host) {
      host.hooks.shutdown.tapPromise(name, async (ctx) => {
        events.push(`${name}:${ctx.reason}`);
        if (behaviour === 'throw') throw new Error(`${name} failed to close`);
        if (behaviour === 'hang') await new Promise(() => {});
      });
    },
  });

describe('createTestHost', () => {
  test('a real Client talks to the plugins in-process', async () => {
    const greeter = definePlugin({
      name: 'greeter',
      options: z.strictObject({ greeting: z.string() }),
      apply(host, options) {
        host.tool('greet', { description: 'greet', inputSchema: { who: z.string() } }, async ({ who }) => ({
          content: [{ type: 'text', text: `${options.greeting}, ${who}` }],
        }));
      },
    });
    const { client, shutdown } = await createTestHost({ plugins: [[greeter, { greeting: 'hi' }]] });
    const result = await client.callTool({ name: 'greet', arguments: { who: 'Ada' } });
    expect(result.content).toEqual([{ type: 'text', text: 'hi, Ada' }]);
    expect((await shutdown()).exitCode).toBe(0);
  });

  test("protocol '2026-07-28': the SDK 2.x client, pinned, gets the same tools, resources and prompts; requestClient reads its envelope; the host shuts down clean", async () => {
    const both = definePlugin({
      name: 'both',
      apply(host) {
        host.tool('greet', { description: 'greet', inputSchema: { who: z.string() } }, async ({ who }, extra) => ({
          content: [{ type: 'text', text: `hi, ${who}, from ${host.requestClient(extra).name}` }],
        }));
        host.resource('note', 'both://note', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'a note' }] }));
        host.prompt('ask', { description: 'ask' }, async () => ({ messages: [{ role: 'user', content: { type: 'text', text: 'ask' } }] }));
      },
    });
    const testHost = await createTestHost({ plugins: [both], protocol: '2026-07-28' });
    expect(testHost.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await callTool(testHost.client, 'greet', { who: 'Ada' })).text).toBe('hi, Ada, from mcp-host-testing');
    expect((await testHost.client.readResource({ uri: 'both://note' })).contents).toEqual([{ uri: 'both://note', text: 'a note' }]);
    expect((await testHost.client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['ask']);
    const report = await testHost.shutdown();
    expect(report.exitCode).toBe(0);
    await testHost.assertNoLeaks();
  });

  test("host.requestClient(extra) in resource and prompt handlers: the kit's client and the capabilities it declared", async () => {
    const asker = definePlugin({
      name: 'asker',
      apply(host) {
        const describe = (extra: { signal: AbortSignal }) => JSON.stringify(host.requestClient(extra));
        host.resource('who', 'asker://who', { mimeType: 'application/json' }, async (uri, extra) => ({ contents: [{ uri: uri.href, text: describe(extra) }] }));
        host.prompt('who', { description: 'who asks' }, async (extra) => ({ messages: [{ role: 'user', content: { type: 'text', text: describe(extra) } }] }));
      },
    });
    const { client, shutdown } = await createTestHost({ plugins: [asker], clientCapabilities: { sampling: {}, roots: { listChanged: true } } });
    const read = await client.readResource({ uri: 'asker://who' });
    const prompt = await client.getPrompt({ name: 'who' });
    for (const text of [(read.contents[0] as { text: string }).text, (prompt.messages[0]!.content as { text: string }).text]) {
      expect(JSON.parse(text)).toEqual({ name: 'mcp-host-testing', version: '0.1.0', capabilities: { sampling: {}, roots: { listChanged: true } } });
    }
    expect((await shutdown()).exitCode).toBe(0);
  });

  test('shutdown() returns the report: every tap in run order with plugin, outcome, duration and error', async () => {
    const events: string[] = [];
    const { shutdown, stderr } = await createTestHost({
      plugins: [recorder('first', 'ok', events), recorder('broken', 'throw', events), recorder('stuck', 'hang', events), recorder('last', 'ok', events)],
      config: { shutdown: { hookTimeoutMs: 150, timeoutMs: 1500 } },
    });
    const report = await shutdown('SIGTERM');
    expect(report.reason).toBe('SIGTERM');
    expect(report.exitCode).toBe(1);
    expect(report.taps.map(({ plugin, outcome }) => [plugin, outcome])).toEqual([
      ['first', 'ok'],
      ['broken', 'failed'],
      ['stuck', 'timed-out'],
      ['last', 'ok'],
    ]);
    expect(report.taps[1]!.error).toContain('broken failed to close');
    expect(report.taps[2]!.durationMs).toBeGreaterThanOrEqual(140);
    expect(report.taps[2]!.timeoutMs).toBe(150);
    expect(events).toEqual(['first:SIGTERM', 'broken:SIGTERM', 'stuck:SIGTERM', 'last:SIGTERM']);
    // The same report the CLI prints.
    expect(stderr()).toContain('mcp-host: shutting down (SIGTERM)');
  });

  test('a startup failure shuts down what was set up and rejects with the error naming the plugin', async () => {
    const events: string[] = [];
    const failing = definePlugin({
      name: 'failing',
      apply(host) {
        host.hooks.start.tapPromise('failing', async () => {
          throw new Error('backend unreachable');
        });
      },
    });
    const error = await createTestHost({ plugins: [recorder('set-up', 'ok', events), failing] }).catch((caught) => caught);
    expect(error.code).toBe('MCPH_HOOK_FAILED');
    expect(error.plugin).toBe('failing');
    expect(events).toEqual(['set-up:fatal-error']);
  });
});

test('a host that stopped before it was serving: createTestHost rejects with MCPH_STARTUP_ABORTED instead of a client that waits forever', async () => {
  const events: string[] = [];
  const quitter = definePlugin({
    name: 'quitter',
    apply(host) {
      host.hooks.start.tapPromise('quitter', async () => void host.shutdown());
      host.hooks.shutdown.tap('quitter', (ctx) => void events.push(`shutdown:${ctx.reason}`));
    },
  });
  const error = await createTestHost({ plugins: [quitter] }).catch((caught) => caught);
  expect(error.code).toBe('MCPH_STARTUP_ABORTED');
  expect(events).toEqual(['shutdown:api']);
});

describe('leak check', () => {
  test('catches a plugin that leaves a timer running after its shutdown tap', async () => {
    let timer: NodeJS.Timeout | undefined;
    const leaky = definePlugin({
      name: 'leaky',
      apply(host) {
        host.hooks.start.tapPromise('leaky', async () => {
          timer = setInterval(() => {}, 60_000);
        });
      },
    });
    const testHost = await createTestHost({ plugins: [leaky] });
    await testHost.shutdown();
    await expect(testHost.assertNoLeaks(100)).rejects.toThrow(/Resources left open after shutdown: Timeout/);
    clearInterval(timer);
  });

  test('catches a plugin that keeps rescheduling an immediate after its shutdown tap, and not a one-off one', async () => {
    let isSpinning = true;
    const spinning = definePlugin({
      name: 'spinning',
      apply(host) {
        host.hooks.start.tapPromise('spinning', async () => {
          const spin = () => {
            if (isSpinning) setImmediate(spin);
          };
          setImmediate(spin);
        });
      },
    });
    const testHost = await createTestHost({ plugins: [spinning] });
    await testHost.shutdown();
    await expect(testHost.assertNoLeaks(100)).rejects.toThrow(/Resources left open after shutdown: Immediate\./);
    isSpinning = false;

    const check = trackResources();
    setImmediate(() => {});
    expect(await check.leaked(0)).toEqual(['Immediate']);
    expect(await check.leaked()).toEqual([]);
    check.stop();
  });

  test('passes for a plugin that closes what it opened', async () => {
    const tidy = definePlugin({
      name: 'tidy',
      apply(host) {
        let timer: NodeJS.Timeout | undefined;
        host.hooks.start.tapPromise('tidy', async () => {
          timer = setInterval(() => {}, 60_000);
        });
        host.hooks.shutdown.tapPromise('tidy', async () => clearInterval(timer));
      },
    });
    const testHost = await createTestHost({ plugins: [tidy] });
    await testHost.shutdown();
    await testHost.assertNoLeaks();
  });

  test('trackResources sees a listening server until it is closed', async () => {
    const { createServer } = await import('node:net');
    const check = trackResources();
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    expect(await check.leaked(50)).toContain('TCPServerWrap');
    await new Promise((resolve) => server.close(resolve));
    expect(await check.leaked()).toEqual([]);
    check.stop();
  });

  test('an HTTP request counts by its socket: once that closed, the request is no leak, not even for a loop turn', async () => {
    const { once } = await import('node:events');
    const { createServer } = await import('node:net');
    const { request: httpRequest } = await import('node:http');
    // Accepts, never answers: the request is abandoned, as a client gives up on a stalled backend.
    const accepted: import('node:net').Socket[] = [];
    const server = createServer((socket) => accepted.push(socket.on('error', () => {}))).listen(0, '127.0.0.1');
    onTestFinished(() => void server.close());
    await once(server, 'listening');
    const check = trackResources();
    onTestFinished(() => check.stop());
    const request = httpRequest({ host: '127.0.0.1', port: (server.address() as { port: number }).port, agent: false });
    request.on('error', () => {});
    request.end();
    const [socket] = (await once(request, 'socket')) as [import('node:net').Socket];
    await once(socket, 'connect');
    request.destroy();
    await once(socket, 'close');
    // Only the server's side may still be open (this process is the server too).
    expect((await check.leaked(0)).filter((resource) => resource !== 'TCPSocketWrap')).toEqual([]);
    for (const peer of accepted) peer.destroy();
    expect(await check.leaked()).toEqual([]);
  });
});

describe('waitUntil', () => {
  test('resolves once the predicate holds, and rejects naming what it waited for after the bound', async () => {
    let ready = false;
    setTimeout(() => (ready = true), 20);
    await waitUntil(() => ready, 'the flag');
    await expect(waitUntil(() => false, 'a thing that never happens', 50)).rejects.toThrow('timed out after 50 ms waiting for a thing that never happens');
  });
});

describe('callTool', () => {
  test('reads a JSON answer, a prose refusal and a result with no text through the real client', async () => {
    const tools = definePlugin({
      name: 'tools',
      apply(host) {
        host.tool('json', { description: 'JSON' }, async () => ({ content: [{ type: 'text', text: '{"n":1}' }] }));
        host.tool('refuse', { description: 'refuses' }, async () => ({ isError: true, content: [{ type: 'text', text: 'no: because' }] }));
        host.tool('image', { description: 'no text' }, async () => ({ content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }] }));
      },
    });
    const { client, shutdown } = await createTestHost({ plugins: [tools] });
    expect(await callTool(client, 'json')).toEqual({ isError: false, text: '{"n":1}', json: { n: 1 } });
    expect(await callTool(client, 'refuse')).toEqual({ isError: true, text: 'no: because', json: undefined });
    expect(await callTool(client, 'image')).toEqual({ isError: false, text: '', json: undefined });
    await shutdown();
  });
});

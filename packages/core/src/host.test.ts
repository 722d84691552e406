import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createHost, type CreateHostOptions } from './host.js';
import { definePlugin, type Plugin, type PluginHost } from './plugin.js';

/** A host in-process over the SDK's in-memory transport, with a real Client; stderr kept; shut down at test end. */
async function serveInMemory(plugins: Plugin[], options: Omit<CreateHostOptions, 'config' | 'stderr'> & { config?: object } = {}) {
  let stderr = '';
  const sink = new PassThrough().setEncoding('utf8');
  sink.on('data', (chunk: string) => (stderr += chunk));
  const host = createHost({ ...options, config: { ...options.config, plugins }, stderr: sink });
  onTestFinished(() => host.shutdown().then(() => undefined));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await host.serve(serverSide);
  const client = new Client({ name: 'core-test', version: '1.0.0' });
  await client.connect(clientSide);
  return { host, client, stderr: () => stderr };
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('the lifecycle', () => {
  test('a plugin sees applying, starting, serving→running; shutdown runs stopping taps, drains, then shutdown taps', async () => {
    const events: string[] = [];
    const release = deferred();
    const called = deferred();
    const plugin = definePlugin({
      name: 'watcher',
      apply(host) {
        events.push(`apply:${host.state}`);
        host.tool('slow', { description: 'answers once released' }, async () => {
          called.resolve();
          await release.promise;
          events.push('answered');
          return { content: [{ type: 'text', text: 'done' }] };
        });
        host.hooks.start.tapPromise('watcher', async () => void events.push(`start:${host.state}`));
        host.hooks.ready.tap('watcher', () => void events.push(`ready:${host.state}`));
        host.hooks.stopping.tap('watcher', (ctx) => {
          events.push(`stopping:${ctx.reason}:${host.state}:${host.signal.aborted}`);
          release.resolve();
        });
        host.hooks.shutdown.tapPromise('watcher', async (ctx) => void events.push(`shutdown:${ctx.reason}`));
      },
    });
    const { host, client } = await serveInMemory([plugin]);
    expect(host.state).toBe('running');
    const pending = client.callTool({ name: 'slow' });
    await called.promise;
    const report = await host.shutdown('SIGTERM');
    expect((await pending).content).toEqual([{ type: 'text', text: 'done' }]);
    expect(events).toEqual(['apply:applying', 'start:starting', 'ready:running', 'stopping:SIGTERM:stopping:true', 'answered', 'shutdown:SIGTERM']);
    expect(host.state).toBe('stopped');
    expect(report.stopping).toEqual([expect.objectContaining({ name: 'watcher', outcome: 'ok' })]);
    expect(report.drain).toMatchObject({ completed: 1, cut: 0 });
    expect(await host.whenStopped()).toBe(report);
  });

  test('stopping taps run isolated and bounded, like shutdown taps, and are in the report and the plan', async () => {
    const plugin = definePlugin({
      name: 'intake',
      apply(host) {
        host.hooks.stopping.tapPromise('broken', async () => {
          throw new Error('cannot stop intake');
        });
        host.hooks.stopping.tapPromise({ name: 'stuck', timeoutMs: 50 }, () => new Promise(() => {}));
        host.hooks.stopping.tap('last', () => {});
      },
    });
    const { host, stderr } = await serveInMemory([plugin]);
    expect(host.describe().stoppingPlan).toEqual([
      { name: 'broken', stage: 0, timeoutMs: 1000 },
      { name: 'stuck', stage: 0, timeoutMs: 50 },
      { name: 'last', stage: 0, timeoutMs: 1000 },
    ]);
    const report = await host.shutdown();
    expect(report.stopping.map(({ name, outcome, code }) => [name, outcome, code])).toEqual([
      ['broken', 'failed', 'MCPH_HOOK_FAILED'],
      ['stuck', 'timed-out', 'MCPH_HOOK_TIMEOUT'],
      ['last', 'ok', undefined],
    ]);
    expect(report.exitCode).toBe(1);
    expect(stderr()).toMatch(/^ {2}stopping: broken\s+failed\s+\d+ ms {2}cannot stop intake \(MCPH_HOOK_FAILED\)$/m);
  });

  test('plugins get the hooks tap-only: they cannot run or intercept them', async () => {
    let seen: PluginHost['hooks'] | undefined;
    const { host } = await serveInMemory([definePlugin({ name: 'peek', apply: (pluginHost) => void (seen = pluginHost.hooks) })]);
    for (const hooks of [seen!, host.hooks]) {
      expect(Object.keys(hooks).sort()).toEqual(['ready', 'shutdown', 'start', 'stopping']);
      for (const hook of Object.values(hooks)) {
        expect(Object.keys(hook).sort()).toEqual(['tap', 'tapAsync', 'tapPromise']);
        expect(Object.isFrozen(hook)).toBe(true);
      }
    }
    expect('provide' in host.services).toBe(false);
  });

  test('misuse is MCPH_HOST_STATE and leaves a running host running', async () => {
    const { host, client } = await serveInMemory([]);
    const [, again] = InMemoryTransport.createLinkedPair();
    await expect(host.serve(again)).rejects.toMatchObject({ code: 'MCPH_HOST_STATE' });
    await expect(host.apply()).rejects.toMatchObject({ code: 'MCPH_HOST_STATE' });
    expect(host.state).toBe('running');
    await client.ping();
  });

  test('shutdown during a start tap: serve() resolves, the later start taps do not run, the taps registered run', async () => {
    const events: string[] = [];
    const started = deferred();
    const plugin = definePlugin({
      name: 'slow-start',
      apply(host) {
        host.hooks.start.tapPromise('slow-start', (ctx) => {
          started.resolve();
          return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve(events.push('start aborted'))));
        });
        host.hooks.start.tapPromise('later', async () => void events.push('later started'));
        host.hooks.shutdown.tap('slow-start', (ctx) => void events.push(`shutdown:${ctx.reason}`));
      },
    });
    const host = createHost({ config: { plugins: [plugin] }, stderr: new PassThrough() });
    const [, serverSide] = InMemoryTransport.createLinkedPair();
    const serving = host.serve(serverSide);
    await started.promise;
    expect(host.state).toBe('starting');
    const report = await host.shutdown('SIGINT');
    await expect(serving).resolves.toBeUndefined();
    expect(events).toEqual(['start aborted', 'shutdown:SIGINT']);
    expect(report.exitCode).toBe(0);
  });

  test('a startup failure begins the shutdown (fatal-error) and serve() rejects with it; the report carries its code', async () => {
    const plugin = definePlugin({
      name: 'failing',
      apply(host) {
        host.hooks.start.tapPromise('failing', async () => {
          throw new Error('backend down');
        });
      },
    });
    const host = createHost({ config: { plugins: [plugin] }, stderr: new PassThrough() });
    const [, serverSide] = InMemoryTransport.createLinkedPair();
    await expect(host.serve(serverSide)).rejects.toMatchObject({ code: 'MCPH_HOOK_FAILED', plugin: 'failing', hook: 'start' });
    const report = await host.whenStopped();
    expect(report).toMatchObject({ reason: 'fatal-error', exitCode: 1 });
    expect(report.failure).toBe('[plugin failing] hook start: backend down (MCPH_HOOK_FAILED)');
  });

  test("the host's log lines reach an in-process client too, honouring its logging/setLevel", async () => {
    let logger: PluginHost['logger'] | undefined;
    const { client } = await serveInMemory([definePlugin({ name: 'talker', apply: (host) => void (logger = host.logger) })]);
    const received: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void received.push(`${notification.params.level}:${notification.params.data}`));
    logger!.info('before');
    await client.setLoggingLevel('error');
    logger!.info('quiet');
    logger!.error('loud');
    await client.ping();
    expect(received).toEqual(['info:before', 'error:loud']);
  });
});

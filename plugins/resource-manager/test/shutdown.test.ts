import { realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { SHUTTING_DOWN_CODE, definePlugin } from '@mcp-host/core';
import { refusalOf, sleep, startBackend, startHost, tempTree, waitUntil } from './support.js';

test('after the shutdown tap no watcher, socket or timer of the plugin is left', async () => {
  const root = await tempTree({ 'a.md': 'a', 'sub/b.md': 'b', 'sub/deeper/c.md': 'c' });
  const real = realpathSync(root);
  const backend = await startBackend((request, response) => {
    if (request.url === '/resources.json') response.writeHead(200, { 'content-type': 'application/json', etag: '"i"' }).end(JSON.stringify([{ uri: 'magic://x', name: 'x', path: '/x' }]));
    else response.writeHead(200, { etag: '"x"' }).end('x');
  });
  const { client, listAll, shutdown, updated, leaks, assertNoLeaks } = await startHost({
    sources: [
      // Long enough that the change below is certainly still pending when shutdown begins, even on a loaded machine.
      { name: 'docs', type: 'directory', path: root, debounceMs: 5000 },
      { name: 'api', type: 'http', baseUrl: backend.baseUrl, uriPrefix: 'magic://' },
    ],
  });
  expect((await listAll()).resources).toHaveLength(4);
  await client.subscribeResource({ uri: pathToFileURL(path.join(real, 'sub/b.md')).href });
  expect((await client.readResource({ uri: 'magic://x' })).contents[0]).toMatchObject({ text: 'x' });
  // A debounce timer pending at shutdown, too: wait until the watcher has seen the change and armed it.
  await writeFile(path.join(root, 'sub/b.md'), 'changed');
  let running = await leaks.leaked(0);
  for (const until = Date.now() + 5000; !running.includes('Timeout') && Date.now() < until; running = await leaks.leaked(0)) await sleep(10);
  expect(running).toContain('Timeout');
  // The check can see what it looks for: a watcher per directory, and the keep-alive socket (both its ends:
  // the backend runs in this process) are open now.
  expect(running.filter((name) => name === 'FSEventWrap')).toHaveLength(3);
  expect(running.filter((name) => name === 'TCPSocketWrap')).toHaveLength(2);

  const report = await shutdown();
  expect(report.exitCode).toBe(0);
  expect(report.taps).toEqual([expect.objectContaining({ name: 'resource-manager', plugin: 'resource-manager', outcome: 'ok' })]);
  // The tap waits until the watchers and the agent's socket are really closed and drops the debounce timer:
  // the moment it returns, at most the backend's end of the socket is open (it closes once it reads the FIN).
  const atReturn = await leaks.leaked(0);
  expect(atReturn.filter((name) => name !== 'TCPSocketWrap')).toEqual([]);
  expect(atReturn.filter((name) => name === 'TCPSocketWrap').length).toBeLessThanOrEqual(1);
  await waitUntil(() => backend.openSockets() === 0, 'the backend to see the keep-alive socket closed', 2000);
  await assertNoLeaks(2000);
  // And the pending change was dropped with its timer (none is left above), never announced.
  expect(updated).toEqual([]);
});

test('shutdown during a scan of a large tree: the listing in flight gets an error reply, the scan stops', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 1500; i++) files[`d${String(i % 150).padStart(3, '0')}/f${i}.txt`] = 'x';
  const root = await tempTree(files);
  const { client, service, shutdown, assertNoLeaks } = await startHost({ sources: [{ name: 'big', type: 'directory', path: root }] });
  const listing = refusalOf(client.listResources({}));
  // Wait until the scan is under way (directories watched) but not finished (no index yet).
  const until = Date.now() + 10_000;
  for (;;) {
    const [big] = service.sources();
    if (big!.watchedDirectories! > 0 && big!.resources === undefined) break;
    if (big!.resources !== undefined || Date.now() > until) throw new Error('the scan finished before shutdown could interrupt it; grow the tree');
    await new Promise((resolve) => setImmediate(resolve));
  }
  const report = await shutdown();
  const refused = await listing;
  expect(refused.code).toBe(SHUTTING_DOWN_CODE);
  expect(refused.data).toMatchObject({ reason: 'shutting-down', source: 'big' });
  expect(report.drain.cut).toBe(0);
  expect(report.exitCode).toBe(0);
  expect(service.sources()[0]).toMatchObject({ watchedDirectories: 0 });
  await assertNoLeaks(2000);
});

test('requests after shutdown began are refused by the host; the service refuses too', async () => {
  const root = await tempTree({ 'a.md': 'a' });
  const uri = pathToFileURL(path.join(realpathSync(root), 'a.md')).href;
  // A plugin listed before this one holds the shutdown in its tap until the test is done asking: the
  // transport is still connected then, so what comes back is the host's answer, not the SDK client's
  // local "Not connected" once it is closed.
  let isHeld = false;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const gate = definePlugin({
    name: 'gate',
    apply(host) {
      host.hooks.shutdown.tapPromise('gate', async () => {
        isHeld = true;
        await held;
      });
    },
  });
  const { client, service, shutdown } = await startHost(
    { sources: [{ name: 'docs', type: 'directory', path: root }] },
    { before: [gate], config: { shutdown: { timeoutMs: 20_000, hookTimeoutMs: 15_000 } } },
  );
  expect((await client.readResource({ uri })).contents[0]).toMatchObject({ text: 'a' });
  const stopping = shutdown();
  await waitUntil(() => isHeld, 'the shutdown to reach the first tap');
  // Over the wire: the host refuses a request that arrives while it is shutting down, without running it.
  for (const request of [client.listResources({}), client.readResource({ uri })]) {
    const refused = await refusalOf(request);
    expect(refused.code).toBe(SHUTTING_DOWN_CODE);
    // The host's own refusal (the SDK's local errors for a closed transport say "Not connected" / "Connection closed").
    expect(refused.message).toContain('the request was not run');
  }
  // And the service refuses other plugins, with the plugin's reason.
  await expect(service.read(uri)).rejects.toMatchObject({ code: SHUTTING_DOWN_CODE, data: { reason: 'shutting-down', source: 'docs' } });
  release();
  const report = await stopping;
  expect(report.taps.map((tap) => [tap.name, tap.outcome])).toEqual([
    ['gate', 'ok'],
    ['resource-manager', 'ok'],
  ]);
  await expect(service.read(uri)).rejects.toMatchObject({ data: { reason: 'shutting-down' } });
});

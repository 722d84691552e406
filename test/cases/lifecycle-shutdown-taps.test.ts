import { expect, test } from 'vitest';
import { connectInProcess, handshake, setupProbes, spawnHost, tempDir, writeFiles } from '../src/index.js';

/** Start a host on the probes, wait until it serves, close stdin: the most common way a session ends. */
async function runUntilStdinClosed(probes: Awaited<ReturnType<typeof setupProbes>>, args: string[] = []) {
  const host = spawnHost(['start', ...args], { cwd: probes.dir });
  handshake(host);
  await host.waitFor(() => probes.events().some((event) => event.endsWith(':ready')), 'ready');
  host.child.stdin!.end();
  const exit = await host.exited;
  return { host, exit };
}

/** The same probes in-process (the embedding API), shut down as stdin closing would: for the host's own logic. */
async function shutDownInProcess(probes: Awaited<ReturnType<typeof setupProbes>>) {
  const { host, stderr } = await connectInProcess({ cwd: probes.dir });
  const report = await host.shutdown('stdin-closed');
  return { report, stderr: stderr() };
}

function reportLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => /^\s+\d+\. /.test(line)).map((line) => line.trim().replace(/\s+/g, ' '));
}

test('a tap that throws is reported with its plugin, the next tap still runs, and the exit code is 1', async () => {
  const probes = await setupProbes({ first: { shutdown: 'throw' }, second: { shutdown: 'reject' }, third: {} });
  const { host, exit } = await runUntilStdinClosed(probes);
  expect(exit.code).toBe(1);
  expect(probes.events()).toEqual(expect.arrayContaining(['first:shutdown:stdin-closed', 'second:shutdown:stdin-closed', 'third:shutdown:stdin-closed', 'third:shutdown-done']));
  const lines = reportLines(host.stderr());
  expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['1. first failed', '2. second failed', '3. third ok']);
  expect(lines[0]).toContain('first shutdown exploded');
  expect(host.stderr()).toMatch(/\[first\] error: shutdown tap failed: first shutdown exploded/);
});

test('a tap that never settles is cut at hookTimeoutMs with nothing else holding the event loop; the next runs', async () => {
  const probes = await setupProbes({ stuck: { shutdown: 'hang' }, polite: { shutdown: 'abortable' }, last: {} }, { shutdown: { hookTimeoutMs: 300, timeoutMs: 5000 } });
  const { host, exit } = await runUntilStdinClosed(probes);
  // Not 13 (Node's "unsettled top-level await"): the bound is a real timer.
  expect(exit.code).toBe(1);
  const lines = reportLines(host.stderr());
  expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['1. stuck timed-out', '2. polite timed-out', '3. last ok']);
  // The tap's ctx.signal aborted at its bound, so a well-behaved tap could stop.
  expect(probes.events()).toEqual(expect.arrayContaining(['polite:shutdown-aborted', 'last:shutdown-done']));
});

// In-process from here: deadlines, bounds and order are the host's logic; the report's exit code is what the
// process exits with (the spawned cases above show that).

test('the global deadline cuts the shutdown and skips what is left', async () => {
  const probes = await setupProbes(
    { one: { shutdown: 'hang' }, two: { shutdown: 'hang' }, three: {} },
    { shutdown: { hookTimeoutMs: 400, timeoutMs: 600 } },
  );
  const { report, stderr } = await shutDownInProcess(probes);
  expect(report.exitCode).toBe(1);
  const lines = reportLines(stderr);
  expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['1. one timed-out', '2. two timed-out', '3. three skipped']);
  expect(report.taps.map((tap) => tap.code)).toEqual(['MCPH_HOOK_TIMEOUT', 'MCPH_SHUTDOWN_TIMEOUT', 'MCPH_SHUTDOWN_TIMEOUT']);
  expect(stderr).toContain('shutdown.timeoutMs reached: the remaining work was cut (MCPH_SHUTDOWN_TIMEOUT)');
  expect(probes.events()).not.toContain('three:shutdown:stdin-closed');
});

test('a tap may set its own bound with { timeoutMs }', async () => {
  const probes = await setupProbes(
    { patient: { shutdownDelayMs: 500, tapOptions: { timeoutMs: 2000 } }, hasty: { shutdownDelayMs: 500 } },
    { shutdown: { hookTimeoutMs: 200, timeoutMs: 5000 } },
  );
  const { report, stderr } = await shutDownInProcess(probes);
  expect(report.exitCode).toBe(1);
  const lines = reportLines(stderr);
  expect(lines.map((line) => line.split(' ').slice(0, 3).join(' '))).toEqual(['1. patient ok', '2. hasty timed-out']);
});

test("taps run in registration order across plugins; tapable's stage and before reorder them", async () => {
  const probes = await setupProbes({
    a: {},
    b: { tapOptions: { stage: -10 } },
    c: {},
    d: { tapOptions: { before: 'a' } },
    e: { tapKind: 'async' },
    f: { tapKind: 'sync' },
  });
  const { report } = await shutDownInProcess(probes);
  expect(report.exitCode).toBe(0);
  expect(probes.events().filter((event) => event.includes(':shutdown:')).map((event) => event.split(':')[0])).toEqual(['b', 'd', 'a', 'c', 'e', 'f']);
  // Plugins were applied, and their start taps ran, in config order.
  expect(probes.events().filter((event) => event.endsWith(':apply')).map((event) => event.split(':')[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  expect(probes.events().filter((event) => event.endsWith(':start')).map((event) => event.split(':')[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
});

test('--debug lists the handles a plugin left open after its shutdown tap', async () => {
  const probes = await setupProbes({ leaky: { leakTimer: true } });
  const { host, exit } = await runUntilStdinClosed(probes, ['--debug']);
  expect(exit.code).toBe(0);
  expect(host.stderr()).toMatch(/still open after shutdown \(debug\): .*Timeout/);
});

test('without leaks, --debug says nothing was left open', async () => {
  const probes = await setupProbes({ tidy: {} });
  const { host, exit } = await runUntilStdinClosed(probes, ['--debug']);
  expect(exit.code).toBe(0);
  expect(host.stderr()).toContain('nothing left open after shutdown');
});

test('a shutdown tap that blocks the event loop past its bound is not reported ok: it returned too late (exit 1)', async () => {
  const dir = await tempDir();
  const blocker = `export default { name: 'blocker', apply(host) {
    host.hooks.shutdown.tap('blocker', () => { const until = Date.now() + 600; while (Date.now() < until); });
    host.hooks.shutdown.tapPromise('late-blocker', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const until = Date.now() + 600;
      while (Date.now() < until);
    });
  } };\n`;
  const after = `export default { name: 'after', apply(host) { host.hooks.shutdown.tap('after', () => {}); } };\n`;
  await writeFiles(dir, { 'package.json': { private: true }, 'blocker.mjs': blocker, 'after.mjs': after, 'mcp-host.config.json': { shutdown: { hookTimeoutMs: 200 }, plugins: ['./blocker.mjs', './after.mjs'] } });
  const { host } = await connectInProcess({ cwd: dir });
  const report = await host.shutdown('api');
  expect(report.taps.map((tap) => ({ name: tap.name, outcome: tap.outcome, code: tap.code }))).toEqual([
    { name: 'blocker', outcome: 'timed-out', code: 'MCPH_HOOK_TIMEOUT' },
    { name: 'late-blocker', outcome: 'timed-out', code: 'MCPH_HOOK_TIMEOUT' },
    { name: 'after', outcome: 'ok', code: undefined },
  ]);
  expect(report.exitCode).toBe(1);
});

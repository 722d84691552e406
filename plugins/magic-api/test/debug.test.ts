// Breakpoint debugging through the real host (in-process, SDK Client) against the emulator: the request carries
// Magic-Request-Breakpoints (DebugRequest.java), the console gets `breakpoint` frames, the tools resume with
// `resume_breakpoint,<scriptId>,<1|0>,<lines joined with |>` (MagicDebugHandler.java) — and at shutdown every paused
// run is resumed before the console's close frame.
import { describe, expect, test } from 'vitest';
import { emulator, sleep, startHost, waitUntil } from './support.js';

const FAST = { logFlushIntervalMs: 100 };
const WAIT = { logWaitMs: 400, timeoutMs: 10_000 };
const CALCULATE = '5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0';

async function loggedInHost(options: Record<string, unknown> = {}, emulatorOptions: Record<string, unknown> = {}) {
  const server = await emulator({ ...FAST, ...emulatorOptions });
  const host = await startHost({ baseUrl: server.baseUrl, ...options });
  await waitUntil(() => server.harness.onlineClientIds().length > 0, 'the console to log in', 10_000);
  // The server registered the login before our side read its login_response: wait for the connection to be open
  // here too, or a debug call made at once finds the console not logged in yet.
  const until = Date.now() + 10_000;
  const isOpen = async () => ((await host.tool('ws_connections')) as { connections: { state: string }[] }).connections.some((connection) => connection.state === 'open');
  while (!(await isOpen()) && Date.now() < until) await sleep(20);
  return { server, host };
}

const message = (line: string) => line.slice(line.indexOf(' : ') + 3);
const byName = (variables: { name: string; value: unknown; type?: string }[]) => Object.fromEntries(variables.map((entry) => [entry.name, entry]));

/** The `resume_breakpoint` frames the emulator received, in order. */
function resumes(server: Awaited<ReturnType<typeof emulator>>): string[] {
  return server.harness
    .connections()
    .flatMap((connection) => connection.frames)
    .flatMap((frame) => (frame.direction === 'client' && frame.kind === 'text' && frame.data.startsWith('resume_breakpoint,') ? [frame.data] : []));
}

describe('a debug session', () => {
  test('paused at line 4, stepped to line 5, resumed to the second breakpoint (7), resumed to the end — with the variables the server reported and the logs of each leg', async () => {
    const { server, host } = await loggedInHost();
    const first = await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [4, 7], ...WAIT });
    expect(first).toMatchObject({ state: 'paused', scriptId: CALCULATE, line: 4, range: { line: 4, startColumn: 1, endLine: 4, endColumn: 31 }, breakpoints: [4, 7], api: { name: '价格计算' } });
    // Newest first, values parsed from the server's JSON text, Java types as sent (FACTS.md L8).
    expect(first.variables.slice(0, 2)).toEqual([
      { name: 'quantity', value: 3, type: 'java.lang.Integer' },
      { name: 'price', value: 128, type: 'java.lang.Integer' },
    ]);
    expect(first.logs).toEqual([]);
    expect(server.harness.pausedRuns()).toMatchObject([{ scriptId: CALCULATE, range: [4, 1, 4, 31] }]);

    const status = await host.tool('magic_debug_status');
    expect(status.runs).toEqual([expect.objectContaining({ state: 'paused', scriptId: CALCULATE, line: 4, pausedForMs: expect.any(Number) })]);

    const stepped = await host.tool('magic_debug_step', { action: 'step', ...WAIT });
    expect(stepped).toMatchObject({ state: 'paused', line: 5 });
    expect(byName(stepped.variables).subtotal).toEqual({ name: 'subtotal', value: 384, type: 'java.lang.Integer' });

    const second = await host.tool('magic_debug_step', { action: 'resume', ...WAIT });
    expect(second).toMatchObject({ state: 'paused', line: 7 });
    expect(byName(second.variables).discount).toEqual({ name: 'discount', value: 0.9, type: 'java.lang.Double' });
    // Line 5 ran in this leg: its log line comes with this answer.
    expect(second.logs.map(message)).toEqual(['小计: 384']);

    const done = await host.tool('magic_debug_step', { action: 'resume', ...WAIT });
    expect(done).toMatchObject({ state: 'finished', status: 200, body: { code: 1, data: { total: 355.6 } } });
    expect(done.logs.map(message)).toEqual(['折后: 345.6', '含运费: 355.6']);
    // step = "1", resume = "0", the breakpoints to keep joined with "|" (a resume without lines would clear them).
    expect(resumes(server)).toEqual([`resume_breakpoint,${CALCULATE},1,4|7`, `resume_breakpoint,${CALCULATE},0,4|7`, `resume_breakpoint,${CALCULATE},0,4|7`]);
    expect((await host.tool('magic_debug_status')).runs).toEqual([]);
    expect(server.harness.pausedRuns()).toEqual([]);
  });

  test('a call while a run is paused gets only its own lines; the run\'s lines come with its own answers', async () => {
    const { host } = await loggedInHost();
    const paused = await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [7], ...WAIT });
    expect(paused).toMatchObject({ state: 'paused', line: 7 });
    // Logged before the pause, flushed after it: the paused answer waited for it.
    expect(paused.logs.map(message)).toEqual(['小计: 384']);
    const other = await host.tool('magic_call_api', { method: 'GET', path: '/user/list', logWaitMs: WAIT.logWaitMs });
    expect(other.logs.map(message)).toEqual(['查询用户列表 page=1 size=10']);
    const done = await host.tool('magic_debug_step', { action: 'resume', ...WAIT });
    expect(done).toMatchObject({ state: 'finished', body: { data: { total: 355.6 } } });
    expect(done.logs.map(message)).toEqual(['折后: 345.6', '含运费: 355.6']);
  });

  test('no breakpoint reached: the finished response and its logs at once', async () => {
    const { host } = await loggedInHost();
    const result = await host.tool('magic_debug_call', { method: 'GET', path: '/user/list', breakpoints: [99], ...WAIT });
    expect(result).toMatchObject({ state: 'finished', body: { code: 1 } });
    expect(result.logs.map(message)).toEqual(['查询用户列表 page=1 size=10']);
  });

  test('refusals: nothing to step, an unknown API, a second run of a paused script, no console', async () => {
    const { host } = await loggedInHost();
    const step = await host.client.callTool({ name: 'magic_debug_step', arguments: { action: 'resume' } });
    expect(step.isError).toBe(true);
    expect((step.content as { text: string }[])[0]!.text).toMatch(/no debug run.*magic_debug_call/i);
    const unknown = await host.client.callTool({ name: 'magic_debug_call', arguments: { method: 'GET', path: '/nothing/here', breakpoints: [1] } });
    expect(unknown.isError).toBe(true);
    expect((unknown.content as { text: string }[])[0]!.text).toMatch(/No API .*GET \/nothing\/here.*magic_tree/);
    const noLines = await host.client.callTool({ name: 'magic_debug_call', arguments: { method: 'GET', path: '/order/calculate', breakpoints: [] } });
    expect(noLines.isError).toBe(true);
    expect((noLines.content as { text: string }[])[0]!.text).toMatch(/breakpoints/);

    expect(await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [2], ...WAIT })).toMatchObject({ state: 'paused', line: 2 });
    const again = await host.client.callTool({ name: 'magic_debug_call', arguments: { method: 'GET', path: '/order/calculate', breakpoints: [3] } });
    expect(again.isError).toBe(true);
    expect((again.content as { text: string }[])[0]!.text).toMatch(/debugged already \(paused at line 2\)/);
    expect(await host.tool('magic_debug_step', { action: 'resume', ...WAIT })).toMatchObject({ state: 'finished' });
  });

  test('without a console the debug tools refuse and say why', async () => {
    const server = await emulator(FAST);
    const host = await startHost({ baseUrl: server.baseUrl, console: false });
    const result = await host.client.callTool({ name: 'magic_debug_call', arguments: { method: 'GET', path: '/order/calculate', breakpoints: [2] } });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]!.text).toMatch(/needs the console/);
  });

  test('a run paused longer than debugTimeoutSeconds is resumed with its breakpoints cleared, and finishes', async () => {
    // The emulator's own debug timeout (magic-api.debug.timeout) is far away: the resume is the plugin's.
    const { server, host } = await loggedInHost({ debugTimeoutSeconds: 0.5 }, { debugTimeoutMs: 60_000 });
    expect(await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [4, 7], ...WAIT, logWaitMs: 0 })).toMatchObject({ state: 'paused', line: 4 });
    await waitUntil(() => resumes(server).length === 1, 'the automatic resume', 10_000);
    expect(resumes(server)).toEqual([`resume_breakpoint,${CALCULATE},0,`]);
    const done = await host.tool('magic_debug_step', { action: 'resume', ...WAIT });
    expect(done).toMatchObject({ state: 'finished', autoResumed: true, body: { data: { total: 355.6 } } });
    // The rest of the run went through the queue: its lines are kept for this answer.
    expect(done.logs.map(message)).toEqual(['小计: 384', '折后: 345.6', '含运费: 355.6']);
    expect(resumes(server)).toHaveLength(1);
  });
});

describe('shutdown with a paused run', () => {
  test('the run is resumed (breakpoints cleared) before the console\'s close frame; every tap ok; nothing leaks', async () => {
    const { server, host } = await loggedInHost({}, { debugTimeoutMs: 60_000 });
    expect(await host.tool('magic_debug_call', { method: 'GET', path: '/order/calculate', breakpoints: [4, 7], ...WAIT })).toMatchObject({ state: 'paused' });
    const report = await host.shutdown();
    expect(report.taps.map((tap) => `${tap.plugin} ${tap.outcome}`)).toEqual(['magic-api ok', 'websocket-manager ok', 'resource-manager ok', 'magic-api ok']);
    const frames = server.harness.connections()[0]!.frames.filter((frame) => frame.direction === 'client');
    const resumeAt = frames.findIndex((frame) => frame.kind === 'text' && frame.data === `resume_breakpoint,${CALCULATE},0,`);
    const closeAt = frames.findIndex((frame) => frame.kind === 'close');
    expect(resumeAt).toBeGreaterThan(-1);
    expect(closeAt).toBeGreaterThan(resumeAt);
    expect(frames[closeAt]).toMatchObject({ code: 1001 });
    // The server ran the script to its end: no request thread left waiting.
    await waitUntil(() => server.harness.pausedRuns().length === 0, 'the run to end on the server', 5000);
    await host.assertNoLeaks();
  });
});

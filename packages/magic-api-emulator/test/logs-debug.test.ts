/**
 * What a request "from test" puts on its console: logs, exceptions, breakpoints. Sources:
 * core/web/RequestHandler.java (95 from-test, 170-185 SESSION + debug context, 351-377 exception frame and error
 * log), core/logging/MagicLoggerContext.java + LogbackLoggerContext.java (log lines), WebSocketSessionManager
 * (sendLogs/flushLog 77-97), core/model/DebugRequest.java (breakpoint header, breakpoint frame),
 * core/handler/MagicDebugHandler.java (set_breakpoint, resume_breakpoint), magic-script MagicScriptDebugContext
 * (pause/singal/timeout).
 */
import { describe, expect, it } from 'vitest';
import { DebugContext } from '../src/console/debug-context.js';
import type { SpanLine } from '../src/script/span.js';
import { ConsoleClient, emulator, envelope, frameJson, get, waitUntil } from './helpers.js';

type Emu = Awaited<ReturnType<typeof emulator>>;

function console_(emu: Emu): Promise<{ client: ConsoleClient; id: string }> {
  return ConsoleClient.loggedIn(emu.consoleUrl);
}

/** Wait until the server has received `text` from some console, then let its (synchronous) handler finish. */
async function handled(emu: Emu, text: string): Promise<void> {
  await waitUntil(() => emu.harness.connections().some((c) => c.frames.some((f) => f.direction === 'client' && f.kind === 'text' && f.data === text)), `the server to receive ${text}`);
  await new Promise((resolve) => setImmediate(resolve));
}

function fromTest(id: string, scriptId: string, breakpoints?: string): Record<string, string> {
  return { 'Magic-Request-Client-Id': id, 'Magic-Request-Script-Id': scriptId, ...(breakpoints ? { 'Magic-Request-Breakpoints': breakpoints } : {}) };
}

describe('log lines', () => {
  it('reach only the console named by the request, as log,[line] / logs,[…] JSON arrays after the flush tick', async () => {
    const emu = await emulator({ logFlushIntervalMs: 60_000 });
    const asker = await console_(emu);
    const other = await console_(emu);
    const scriptId = emu.harness.findApi('GET', '/order/calculate')?.id as string;
    await envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(asker.id, scriptId)));
    // buffered until the flush: nothing yet
    expect(asker.client.frames.some((f) => /^logs?,/.test(f))).toBe(false);
    emu.harness.flushLogsNow();
    const frame = await asker.client.waitFor((f) => f.startsWith('logs,'), 'logs');
    const lines = frameJson(frame) as string[];
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  INFO --- \[io-\d+-exec-\d+\] \/订单\/价格计算\(\/order\/calculate\) +: 小计: 384\n$/);
    // the message follows the padded logger name and ": "
    expect(lines.map((line) => line.slice(line.indexOf(') ') + 1).replace(/^ +: /, ''))).toEqual(['小计: 384\n', '折后: 345.6\n', '含运费: 355.6\n']);
    expect(frame.startsWith('logs,[ "')).toBe(true);
    expect(other.client.frames.some((f) => /^logs?,/.test(f))).toBe(false);
  });

  it('one line is `log`, with the SLF4J {} placeholders filled; debug lines stay below the INFO root level', async () => {
    const emu = await emulator({ logFlushIntervalMs: 50 });
    const { client, id } = await console_(emu);
    await envelope(get(`${emu.baseUrl}/user/list?page=2`, fromTest(id, 'x')));
    const frame = await client.waitFor((f) => f.startsWith('log,'), 'log');
    const [line] = frameJson(frame) as string[];
    expect(line?.endsWith(': 查询用户列表 page=2 size=10\n')).toBe(true);
    expect(client.frames.some((f) => f.includes('offset='))).toBe(false);
  });

  it('ordinary requests put nothing on any console', async () => {
    const emu = await emulator({ logFlushIntervalMs: 60_000 });
    const { client } = await console_(emu);
    const before = client.frames.length;
    await envelope(get(`${emu.baseUrl}/order/calculate`));
    await envelope(get(`${emu.baseUrl}/order/stats`));
    emu.harness.flushLogsNow();
    client.send('login,probe,probe');
    await client.waitFor((f) => f.includes('probe'), 'the probe', 5000, before);
    expect(client.frames.slice(before).every((f) => f.startsWith('login_response') || f.startsWith('online_users'))).toBe(true);
  });

  it('logs for a client id no console holds go nowhere (sendByClientId finds no session)', async () => {
    const emu = await emulator({ logFlushIntervalMs: 60_000 });
    const { client } = await console_(emu);
    await envelope(get(`${emu.baseUrl}/order/check`, fromTest('0000000000000000', 'x')));
    emu.harness.flushLogsNow();
    client.send('login,probe,probe');
    await client.waitFor((f) => f.includes('probe'), 'the probe');
    expect(client.frames.some((f) => /^logs?,/.test(f))).toBe(false);
  });
});

describe('script errors from test', () => {
  it('send exception,["<scriptId>","<message>",[line,endLine,startCol,endCol]] at once, the error log line later', async () => {
    const emu = await emulator({ logFlushIntervalMs: 60_000 });
    const { client, id } = await console_(emu);
    const answer = await envelope(get(`${emu.baseUrl}/order/stats`, fromTest(id, 'stats-script')));
    expect(answer).toMatchObject({ code: -1, message: '系统内部出现错误' });
    const frame = await client.waitFor((f) => f.startsWith('exception,'), 'exception');
    // `var pages = total / perPage`: DivisionOperation's message, located at the divisor
    expect(frameJson(frame)).toEqual(['stats-script', '[/]操作值不能为空', [4, 4, 21, 27]]);
    expect(client.frames.some((f) => /^logs?,/.test(f))).toBe(false);
    emu.harness.flushLogsNow();
    const logs = frameJson(await client.waitFor((f) => f.startsWith('logs,'), 'logs')) as string[];
    expect(logs[0]).toContain('开始统计订单, total=1000');
    // RequestHandler's own logger (RequestHandler.java:61, 375), abbreviated as Logback does to 39 characters
    expect(logs[1]).toMatch(/ERROR --- \[.*\] o\.s\.magicapi\.core\.web\.RequestHandler {4}: 接口\/order\/stats请求出错\n\norg\.ssssssss\.script\.exception\.MagicScriptException: \[\/\]操作值不能为空 at Row:4~4,Col:21~27/);
  });
});

describe('breakpoints', () => {
  it('Magic-Request-Breakpoints pauses at those lines: breakpoint,<scriptId>,{variables, range}; the HTTP answer waits', async () => {
    const emu = await emulator();
    const { client, id } = await console_(emu);
    let settled = false;
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '4,7'))).finally(() => {
      settled = true;
    });
    const frame = await client.waitFor((f) => f.startsWith('breakpoint,'), 'the first breakpoint');
    expect(frame.startsWith('breakpoint,calc,{')).toBe(true);
    const info = frameJson(frame, 1) as { variables: { name: string; value: string; type?: string }[]; range: number[] };
    expect(Object.keys(info)).toEqual(['variables', 'range']);
    expect(info.range).toEqual([4, 1, 4, 31]);
    // newest first: the locals assigned so far, then the request's root variables
    expect(info.variables.map((v) => v.name)).toEqual(['quantity', 'price', 'path', 'session', 'header', 'cookie']);
    expect(info.variables[0]).toEqual({ name: 'quantity', type: 'java.lang.Integer', value: '3' });
    expect(emu.harness.pausedRuns()).toMatchObject([{ clientId: id, scriptId: 'calc', range: [4, 1, 4, 31] }]);
    expect(settled).toBe(false);
    // resume without stepping, keeping line 7: the next pause is there
    client.send('resume_breakpoint,calc,0,7');
    const second = frameJson(await client.waitFor((f) => f.startsWith('breakpoint,') && f !== frame, 'the second breakpoint'), 1) as { range: number[]; variables: { name: string; value: string }[] };
    expect(second.range).toEqual([7, 1, 7, 31]);
    expect(second.variables.find((v) => v.name === 'discount')).toMatchObject({ value: '0.9', type: 'java.lang.Double' });
    client.send('resume_breakpoint,calc,0,7');
    expect((await pending).data).toMatchObject({ total: 355.6 });
    expect(emu.harness.pausedRuns()).toEqual([]);
  });

  it('step ("1") pauses at the very next statement whatever its line', async () => {
    const emu = await emulator();
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '2')));
    const count = (): number => client.frames.filter((f) => f.startsWith('breakpoint,')).length;
    await waitUntil(() => count() === 1, 'the breakpoint at line 2');
    client.send('resume_breakpoint,calc,1,2');
    await waitUntil(() => count() === 2, 'the step to line 3');
    const ranges = client.frames.filter((f) => f.startsWith('breakpoint,')).map((f) => (frameJson(f, 1) as { range: number[] }).range[0]);
    expect(ranges).toEqual([2, 3]);
    client.send('resume_breakpoint,calc,0,');
    expect((await pending).code).toBe(1);
    expect(count()).toBe(2);
  });

  it('a resume that sends no lines clears every breakpoint: the run finishes', async () => {
    const emu = await emulator();
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '2,4,7,10')));
    await client.waitFor((f) => f.startsWith('breakpoint,'), 'the first breakpoint');
    client.send('resume_breakpoint,calc,0');
    expect((await pending).code).toBe(1);
    expect(client.frames.filter((f) => f.startsWith('breakpoint,'))).toHaveLength(1);
  });

  it('lines joined with commas are cut by the dispatcher: only the first survives', async () => {
    const emu = await emulator();
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '2')));
    await client.waitFor((f) => f.startsWith('breakpoint,'), 'line 2');
    client.send('resume_breakpoint,calc,0,4,7');
    await waitUntil(() => client.frames.filter((f) => f.startsWith('breakpoint,')).length === 2, 'line 4');
    client.send('resume_breakpoint,calc,0,4,7');
    expect((await pending).code).toBe(1);
    expect(client.frames.filter((f) => f.startsWith('breakpoint,')).map((f) => (frameJson(f, 1) as { range: number[] }).range[0])).toEqual([2, 4]);
  });

  it('set_breakpoint,<scriptId>,<line> changes the lines of a paused run (also cut at the first comma)', async () => {
    const emu = await emulator();
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '2')));
    await client.waitFor((f) => f.startsWith('breakpoint,'), 'line 2');
    client.send('set_breakpoint,calc,9,10');
    client.send('resume_breakpoint,calc,0,9');
    await waitUntil(() => client.frames.filter((f) => f.startsWith('breakpoint,')).length === 2, 'line 9');
    client.send('resume_breakpoint,calc,0,');
    expect((await pending).code).toBe(1);
  });

  it('the run is found by client id + script id: a resume naming another script id does nothing', async () => {
    const emu = await emulator({ debugTimeoutMs: 60_000 });
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '2')));
    await client.waitFor((f) => f.startsWith('breakpoint,'), 'line 2');
    client.send('resume_breakpoint,other,0,');
    // and another console cannot resume it either
    const stranger = await console_(emu);
    stranger.client.send('resume_breakpoint,calc,0,');
    await handled(emu, 'resume_breakpoint,other,0,');
    await handled(emu, 'resume_breakpoint,calc,0,');
    expect(emu.harness.pausedRuns()).toHaveLength(1);
    client.send('resume_breakpoint,calc,0,');
    expect((await pending).code).toBe(1);
  });

  it('a run left paused goes on by itself after the debug timeout (producer.poll(timeout) just returns)', async () => {
    const emu = await emulator({ debugTimeoutMs: 150 });
    const { client, id } = await console_(emu);
    const answer = await envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '4,7')));
    expect(answer.data).toMatchObject({ total: 355.6 });
    expect(client.frames.filter((f) => f.startsWith('breakpoint,'))).toHaveLength(2);
  });

  it('breakpoints need a request from test; without the console headers they are ignored', async () => {
    const emu = await emulator();
    const answer = await envelope(get(`${emu.baseUrl}/order/calculate`, { 'Magic-Request-Breakpoints': '2,3' }));
    expect(answer.code).toBe(1);
  });

  it('breakpoint frames go out at once while log lines wait for the flush', async () => {
    const emu = await emulator({ logFlushIntervalMs: 60_000 });
    const { client, id } = await console_(emu);
    const pending = envelope(get(`${emu.baseUrl}/order/calculate`, fromTest(id, 'calc', '7')));
    await client.waitFor((f) => f.startsWith('breakpoint,'), 'line 7');
    expect(client.frames.some((f) => /^logs?,/.test(f))).toBe(false);
    emu.harness.flushLogsNow();
    expect(frameJson(await client.waitFor((f) => f.startsWith('log,'), 'the line logged before the pause'))).toEqual([expect.stringContaining('小计: 384')]);
    client.send('resume_breakpoint,calc,0,');
    await pending;
  });

});

describe('MagicScriptDebugContext queues (magic-script: pause offers consumer, waits on producer; singal offers producer, takes consumer)', () => {
  const line = (n: number): SpanLine => ({ lineNumber: n, endLineNumber: n, startCol: 1, endCol: 5, lineStart: 0, lineEnd: 5 });

  it('a resume that comes before the next pause is kept: that pause reports and falls straight through', async () => {
    const reports: number[] = [];
    const context = new DebugContext([2, 4], 60_000, ({ range }) => reports.push(range[0]));
    const first = context.pause(line(2), () => []);
    expect(reports).toEqual([2]);
    await context.signal(); // takes the token pause(2) offered
    await first;
    const early = context.signal(); // nothing paused: producer keeps the token, the caller waits for a pause
    let earlyDone = false;
    void early.then(() => (earlyDone = true));
    await Promise.resolve();
    expect(earlyDone).toBe(false);
    await context.pause(line(4), () => []); // reports, finds the producer token, goes on without waiting
    expect(reports).toEqual([2, 4]);
    await early;
    expect(earlyDone).toBe(true);
  });

  it('a resume with no pause ever coming again blocks its caller (the console socket\'s message thread) until released', async () => {
    const context = new DebugContext([2], 60_000, () => {});
    const paused = context.pause(line(2), () => []);
    await context.signal();
    await paused;
    let done = false;
    const stuck = context.signal().then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    context.release();
    await stuck;
    expect(done).toBe(true);
  });

  it('a pause left alone ends by itself after the timeout and the run goes on', async () => {
    const context = new DebugContext([3], 30, () => {});
    const started = Date.now();
    await context.pause(line(3), () => []);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(context.paused).toBeUndefined();
  });

  it('lines not in the list do not pause unless stepping', async () => {
    const reports: number[] = [];
    const context = new DebugContext([9], 60_000, ({ range }) => reports.push(range[0]));
    await context.pause(line(1), () => []);
    context.stepInto = true;
    const stepping = context.pause(line(2), () => []);
    expect(reports).toEqual([2]);
    await context.signal();
    await stepping;
  });
});

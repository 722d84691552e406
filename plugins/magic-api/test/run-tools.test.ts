// magic_call_api through the real host (in-process, SDK Client) against the emulator: the answer, and the console
// lines of that request only (RequestHandler.java:95 routes them; log frames carry no request id, so calls queue).
import { describe, expect, test } from 'vitest';
import { emulator, sleep, startHost } from './support.js';

/** Log flushes every 100 ms here (the server: each second), so a log window of 400 ms is ample and tests stay fast. */
const FAST = { logFlushIntervalMs: 100 };
const LOG_WAIT = 400;

async function loggedInHost(options: Record<string, unknown> = {}) {
  const server = await emulator(FAST);
  const host = await startHost({ baseUrl: server.baseUrl, ...options });
  const until = Date.now() + 10_000;
  while (server.harness.onlineClientIds().length === 0) {
    if (Date.now() > until) throw new Error('the console did not log in');
    await sleep(20);
  }
  return { server, host };
}

/** The message part of a formatted log line (`… <logger> : message`). */
const message = (line: string) => line.slice(line.indexOf(' : ') + 3);

describe('magic_call_api', () => {
  test('two concurrent calls of different scripts each get exactly their own log lines (they queue), with status, body and the API found in the tree', async () => {
    const { host } = await loggedInHost();
    const [list, calculate] = await Promise.all([
      host.tool('magic_call_api', { method: 'get', path: '/user/list', query: { page: 2, size: '10' }, logWaitMs: LOG_WAIT }),
      host.tool('magic_call_api', { method: 'GET', path: '/order/calculate', logWaitMs: LOG_WAIT }),
    ]);
    expect(list).toMatchObject({ status: 200, api: { name: '用户列表', method: 'GET', requestPath: '/user/list', uri: 'magic-api://api/用户管理/用户列表' }, body: { code: 1, data: { page: 2, size: 10, total: 2 } } });
    expect(list.logs.map(message)).toEqual(['查询用户列表 page=2 size=10']);
    expect(calculate.body).toMatchObject({ code: 1, data: { total: 355.6 } });
    expect(calculate.logs.map(message)).toEqual(['小计: 384', '折后: 345.6', '含运费: 355.6']);
    expect(typeof calculate.durationMs).toBe('number');
    expect(calculate.exception).toBeUndefined();
  });

  test('a script error: the server\'s answer (code -1), its exception line (message and position) and the ERROR log line', async () => {
    const { host } = await loggedInHost();
    const result = await host.tool('magic_call_api', { method: 'GET', path: '/order/stats', logWaitMs: LOG_WAIT });
    expect(result.body).toMatchObject({ code: -1, message: '系统内部出现错误' });
    // `var pages = total / perPage` with no size: DivisionOperation's message at the divisor (FACTS.md L5, L11)
    expect(result.exception).toEqual({ message: '[/]操作值不能为空', line: 4, endLine: 4, startColumn: 21, endColumn: 27 });
    expect(result.logs.map(message)[0]).toBe('开始统计订单, total=1000');
    expect(result.logs[1]).toMatch(/ERROR .*接口\/order\/stats请求出错/);
  });

  test('a JSON body goes as application/json and reaches the script as `body`; a POST API', async () => {
    const { server, host } = await loggedInHost();
    const result = await host.tool('magic_call_api', { method: 'POST', path: '/user/create', body: { name: '王五' }, logWaitMs: LOG_WAIT });
    expect(result.body).toMatchObject({ code: 1, data: { id: 3, name: '王五' } });
    expect(result.logs.map(message)).toEqual(['新增用户: 王五', '演示环境，数据不会真正保存']);
    const sent = server.harness.requests().find((request) => request.url === '/user/create')!;
    expect(sent.headers['content-type']).toBe('application/json');
  });

  test('a path variable API is found by its pattern (/user/{id}); the request names the API\'s file id', async () => {
    const { server, host } = await loggedInHost();
    const result = await host.tool('magic_call_api', { method: 'GET', path: '/user/7', logWaitMs: LOG_WAIT });
    expect(result.api).toMatchObject({ name: '用户详情', requestPath: '/user/{id}' });
    expect(result.logs.map(message)).toEqual(['查询用户 7']);
    const sent = server.harness.requests().find((request) => request.url === '/user/7')!;
    expect(sent.headers['magic-request-script-id']).toBe(result.api.id);
    expect(server.harness.onlineClientIds()).toContain(sent.headers['magic-request-client-id']);
  });

  test('no API at that path: the server\'s answer, and a note that no logs could be routed', async () => {
    const { host } = await loggedInHost();
    const result = await host.tool('magic_call_api', { method: 'GET', path: '/no/such/api', logWaitMs: 0 });
    expect(result.api).toBeNull();
    expect(result.logs).toEqual([]);
    expect(result.note).toMatch(/No API in the script tree serves GET \/no\/such\/api/);
    // Spring's error JSON for an unmapped path (FACTS.md E15)
    expect(result.status).toBe(404);
  });

  test('without a console: the answer, and a note that logs need the console', async () => {
    const server = await emulator(FAST);
    const host = await startHost({ baseUrl: server.baseUrl, console: false });
    // Console headers given by the caller are dropped: they are the tools' own (a breakpoint here would pause a run nobody resumes).
    const result = await host.tool('magic_call_api', { method: 'GET', path: '/order/calculate', headers: { 'Magic-Request-Breakpoints': '2', 'Magic-Request-Client-Id': 'x', 'X-Trace': 't1' } });
    expect(result.body).toMatchObject({ code: 1 });
    expect(result.logs).toEqual([]);
    expect(result.note).toMatch(/Logs need the console/);
    const sent = server.harness.requests().find((request) => request.url === '/order/calculate')!.headers;
    expect(sent['magic-request-client-id']).toBeUndefined();
    expect(sent['magic-request-breakpoints']).toBeUndefined();
    expect(sent['x-trace']).toBe('t1');
  });

  test('refusals name the argument: a path that leaves the base path, an unknown method, a negative logWaitMs', async () => {
    const { host } = await loggedInHost();
    const bad = await host.client.callTool({ name: 'magic_call_api', arguments: { method: 'GET', path: '/../magic/web/resource' } });
    expect(bad.isError).toBe(true);
    expect((bad.content as { text: string }[])[0]!.text).toMatch(/API path/);
    const method = await host.client.callTool({ name: 'magic_call_api', arguments: { method: 'TRACE', path: '/user/list' } });
    expect(method.isError).toBe(true);
    expect((method.content as { text: string }[])[0]!.text).toMatch(/method/);
    const wait = await host.client.callTool({ name: 'magic_call_api', arguments: { method: 'GET', path: '/user/list', logWaitMs: -1 } });
    expect(wait.isError).toBe(true);
    expect((wait.content as { text: string }[])[0]!.text).toMatch(/logWaitMs/);
  });
});

describe('the tool list', () => {
  test('run and debug tools: readOnlyHint false (they run scripts) but for magic_debug_status; every field described; no type arrays', async () => {
    const { host } = await loggedInHost();
    const { tools } = await host.client.listTools();
    const ours = tools.filter((tool) => ['magic_call_api', 'magic_debug_call', 'magic_debug_step', 'magic_debug_status'].includes(tool.name));
    expect(ours.map((tool) => tool.name).sort()).toEqual(['magic_call_api', 'magic_debug_call', 'magic_debug_status', 'magic_debug_step']);
    for (const tool of ours) {
      expect(tool.annotations?.readOnlyHint).toBe(tool.name === 'magic_debug_status');
      expect(tool.description!.length).toBeGreaterThan(80);
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, { type?: unknown; description?: string }>;
      for (const [name, schema] of Object.entries(properties)) {
        expect(schema.description, `${tool.name}.${name}`).toBeTruthy();
        expect(typeof schema.type, `${tool.name}.${name} has one type`).toBe('string');
      }
    }
    expect(ours.find((tool) => tool.name === 'magic_debug_call')!.inputSchema.required).toEqual(expect.arrayContaining(['method', 'path', 'breakpoints']));
  });
});

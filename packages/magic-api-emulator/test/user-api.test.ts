/**
 * User APIs at their own paths. Sources: core/web/RequestHandler.java (invoke 86-186, doValidate 218-298,
 * convertValue 303-331, invokeRequest 333-349, processException 351-377, readRequestBody 382-397,
 * afterCompletion 447-468), core/interceptor/ResultProvider.java + DefaultResultProvider.java (the JsonBean),
 * core/service/impl/RequestMagicDynamicRegistry.java (mapping by METHOD + pattern).
 */
import { describe, expect, it } from 'vitest';
import { ConsoleClient, clientId, emulator, envelope, get, postJson } from './helpers.js';

describe('the answer of a user API', () => {
  it('a JsonBean {code 1, message "success", data, timestamp, executeTime}, HTTP 200, chunked application/json', async () => {
    const emu = await emulator();
    const response = await get(`${emu.baseUrl}/user/list`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const text = await response.text();
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(['code', 'message', 'data', 'timestamp', 'executeTime']);
    expect(body).toMatchObject({ code: 1, message: 'success', data: { page: 1, size: 10, total: 2 } });
    expect(typeof body.executeTime).toBe('number');
    expect(body.data.list).toEqual([{ id: 1, name: '张三', role: 'admin' }, { id: 2, name: '李四', role: 'user' }]);
  });

  it('Java numbers keep their type on the wire: a Double is written 345.6 / 355.6, an Integer 384', async () => {
    const emu = await emulator();
    const text = await (await get(`${emu.baseUrl}/order/calculate`)).text();
    expect(text).toContain('"data":{"subtotal":384,"discount":0.9,"shipping":10,"total":355.6}');
  });

  it('exit code, message, data becomes the envelope itself (ResultProvider#buildResult with ExitValue)', async () => {
    const emu = await emulator();
    expect(await envelope(get(`${emu.baseUrl}/order/check`))).toMatchObject({ code: 400, message: '库存不足', data: { stock: 0 } });
  });

  it('a script error is HTTP 200 {code -1, message "系统内部出现错误"} (buildException; throwException is false)', async () => {
    const emu = await emulator();
    expect(await envelope(get(`${emu.baseUrl}/order/stats`))).toMatchObject({ code: -1, message: '系统内部出现错误', data: null });
    expect(await envelope(get(`${emu.baseUrl}/order/stats?size=10`))).toMatchObject({ code: 1, data: { total: 1000, pages: 100 } });
  });

  it('a request creates an HTTP session: Tomcat\'s JSESSIONID cookie, once (request.getSession(), line 145)', async () => {
    const emu = await emulator();
    const first = await get(`${emu.baseUrl}/user/list`);
    const cookie = first.headers.get('set-cookie') as string;
    expect(cookie).toMatch(/^JSESSIONID=[0-9A-F]{32}; Path=\/; HttpOnly$/);
    const second = await get(`${emu.baseUrl}/user/list`, { Cookie: cookie.split(';')[0] as string });
    expect(second.headers.get('set-cookie')).toBeNull();
  });
});

describe('request data reaching the script', () => {
  it('query parameters are converted by their definitions (Integer here) and validated', async () => {
    const emu = await emulator();
    expect((await envelope<{ page: number }>(get(`${emu.baseUrl}/user/list?page=3&size=5`))).data).toMatchObject({ page: 3, size: 5 });
    // not a number: code 0 (RESPONSE_CODE_INVALID) "参数[page]不合法"
    expect(await envelope(get(`${emu.baseUrl}/user/list?page=abc`))).toMatchObject({ code: 0, message: '参数[page]不合法', data: null });
    // decimals truncate: BigDecimal#intValue
    expect((await envelope<{ page: number }>(get(`${emu.baseUrl}/user/list?page=2.9`))).data.page).toBe(2);
  });

  it('a required parameter that is missing is code 0 "参数[name]为必填项"', async () => {
    const emu = await emulator({
      seed: { api: [{ name: 'g', path: 'g', files: [{ name: 'echo', path: 'echo', parameters: [{ name: 'name', required: true }], script: 'return name' }] }] },
    });
    expect(await envelope(get(`${emu.baseUrl}/g/echo`))).toMatchObject({ code: 0, message: '参数[name]为必填项' });
    expect((await envelope(get(`${emu.baseUrl}/g/echo?name=${encodeURIComponent('小明')}`))).data).toBe('小明');
  });

  it('path variables bind by the pattern and are validated as "path[...]"', async () => {
    const emu = await emulator();
    expect((await envelope<{ id: number }>(get(`${emu.baseUrl}/user/7`))).data).toMatchObject({ id: 7 });
    expect(await envelope(get(`${emu.baseUrl}/user/x7`))).toMatchObject({ code: 0, message: 'path[id]不合法' });
  });

  it('a JSON body is the `body` variable', async () => {
    const emu = await emulator();
    expect((await envelope(postJson(`${emu.baseUrl}/user/create`, { name: '王五' }))).data).toEqual({ id: 3, name: '王五' });
  });

  it('a URL only other methods map gets 405 with Allow; OPTIONS gets 200 with Allow (Spring\'s HttpOptionsHandler)', async () => {
    const emu = await emulator({ seed: { api: [{ name: 'g', path: 'g', files: [{ name: 'p', path: 'post-only', method: 'POST', script: 'return 1' }] }] } });
    const wrong = await fetch(`${emu.baseUrl}/g/post-only`, { signal: AbortSignal.timeout(5000) });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    const options = await fetch(`${emu.baseUrl}/g/post-only`, { method: 'OPTIONS', signal: AbortSignal.timeout(5000) });
    expect(options.status).toBe(200);
    expect(options.headers.get('allow')).toBe('POST,OPTIONS');
  });

  it('the method filters before the pattern: GET /user/create runs GET /user/{id}, not a 405 for POST /user/create', async () => {
    const emu = await emulator();
    expect(await envelope(get(`${emu.baseUrl}/user/create`))).toMatchObject({ code: 0, message: 'path[id]不合法' });
  });

  it('a trailing slash still matches (useTrailingSlashMatch); HEAD reaches the GET handler and answers without a body', async () => {
    const emu = await emulator();
    expect((await envelope(get(`${emu.baseUrl}/user/list/`))).code).toBe(1);
    const head = await fetch(`${emu.baseUrl}/user/list`, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('an edit takes effect on the next request, out of band too (harness editScript, as another editor saving)', async () => {
    const emu = await emulator();
    const id = emu.harness.findApi('GET', '/order/check')?.id as string;
    emu.harness.editScript(id, 'return "restocked"');
    expect((await envelope(get(`${emu.baseUrl}/order/check`))).data).toBe('restocked');
  });
});

describe('requests "from test" (RequestHandler.java:95)', () => {
  it('need both Magic-Request-Client-Id and Magic-Request-Script-Id; then every response header is exposed', async () => {
    const emu = await emulator();
    const plain = await get(`${emu.baseUrl}/user/list`);
    expect(plain.headers.get('access-control-expose-headers')).toBeNull();
    const onlyClient = await get(`${emu.baseUrl}/user/list`, { 'Magic-Request-Client-Id': clientId() });
    expect(onlyClient.headers.get('access-control-expose-headers')).toBeNull();
    const fromTest = await get(`${emu.baseUrl}/user/list`, { 'Magic-Request-Client-Id': clientId(), 'Magic-Request-Script-Id': 'any' });
    const exposed = (fromTest.headers.get('access-control-expose-headers') as string).split(',');
    expect(exposed).toEqual(expect.arrayContaining(['Content-Type', 'Set-Cookie', 'Access-Control-Allow-Origin', 'Transfer-Encoding', 'Vary']));
    expect(new Set(exposed).size).toBe(exposed.length);
  });

  it('the script id is not checked against the API: any value makes the request "from test"', async () => {
    const emu = await emulator({ logFlushIntervalMs: 50 });
    const client = await ConsoleClient.open(emu.consoleUrl);
    const id = clientId();
    await client.login('unauthorization', id);
    await get(`${emu.baseUrl}/order/check`, { 'Magic-Request-Client-Id': id, 'Magic-Request-Script-Id': 'not-the-real-id' });
    expect(await client.waitFor((frame) => frame.startsWith('log,'), 'the log line')).toContain('库存不足');
  });
});

describe('scripts outside the subset', () => {
  it('fail loudly: HTTP 500, X-Magic-Api-Emulator, and the reason with the line — never an invented answer', async () => {
    const warnings: string[] = [];
    const emu = await emulator({
      warn: (message) => warnings.push(message),
      seed: { api: [{ name: 'g', path: 'g', files: [{ name: 'sql', path: 'sql', script: 'var rows = db.select("select 1")\nreturn rows' }] }] },
    });
    const response = await get(`${emu.baseUrl}/g/sql`);
    expect(response.status).toBe(500);
    expect(response.headers.get('x-magic-api-emulator')).toBe('unsupported');
    const text = await response.text();
    expect(text).toMatch(/^magic-api-emulator: cannot run GET \/g\/sql .*select\(\).*line 1/);
    expect(warnings.some((warning) => warning.includes('select()'))).toBe(true);
  });

  it('the same for control flow, function calls and unknown operators', async () => {
    const scripts = ['if (a) { return 1 }', 'return now()', 'return a == b', 'for (x in list) { log.info(x) }', 'return `t`'];
    const emu = await emulator({ seed: { api: [{ name: 'g', path: 'g', files: scripts.map((script, index) => ({ name: `s${index}`, path: `s${index}`, script })) }] } });
    for (let index = 0; index < scripts.length; index++) {
      const response = await get(`${emu.baseUrl}/g/s${index}`);
      expect(response.status, scripts[index]).toBe(500);
      expect(await response.text()).toContain('magic-api-emulator: cannot run');
    }
  });
});

describe('subset edges refused rather than guessed', () => {
  it('a second `var` of one name, an assignment without `var`, a member of null', async () => {
    const scripts = ['var a = 1\nvar a = 2\nreturn a', 'b = 1\nreturn b', 'var m = null\nreturn m.x'];
    const emu = await emulator({ seed: { api: [{ name: 'g', path: 'g', files: scripts.map((script, index) => ({ name: `e${index}`, path: `e${index}`, script })) }] } });
    for (let index = 0; index < scripts.length; index++) {
      const response = await get(`${emu.baseUrl}/g/e${index}`);
      expect(response.status, scripts[index]).toBe(500);
      expect(await response.text()).toMatch(/magic-api-emulator: cannot run .*(second time|without declaring|of null)/);
    }
  });
});

describe('the default seed', () => {
  it('every script in it is within the subset (so the seed never shows an emulator refusal)', async () => {
    const { parseScript } = await import('../src/script/parser.js');
    const emu = await emulator();
    const scripts = emu.harness.files().filter((file) => file.script !== null);
    expect(scripts.length).toBeGreaterThanOrEqual(9);
    for (const file of scripts) expect(() => parseScript(file.script as string), String(file.name)).not.toThrow();
  });
});

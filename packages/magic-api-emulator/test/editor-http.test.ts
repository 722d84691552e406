/**
 * The editor HTTP API's envelope, tree and file endpoints, and what Spring answers around them.
 * Sources: core/web/MagicResourceController.java, core/web/MagicWorkbenchController.java, core/model/JsonBean.java,
 * core/web/MagicController.java, core/config/MagicCorsFilter.java (magic-api 2.2.2).
 */
import { describe, expect, it } from 'vitest';
import { envelope, emulator, get, postForm } from './helpers.js';

interface TreeNode {
  node: Record<string, unknown>;
  children: TreeNode[];
}

describe('envelopes (core/model/JsonBean.java:9-31)', () => {
  it('code 1, message "success", data, timestamp and a null executeTime, with HTTP 200 and application/json', async () => {
    const emu = await emulator();
    const response = await postForm(`${emu.webUrl}/resource`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['code', 'message', 'data', 'timestamp', 'executeTime']);
    const body = JSON.parse(text);
    expect(body).toMatchObject({ code: 1, message: 'success', executeTime: null });
    expect(Math.abs(body.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('every answer carries MagicCorsFilter headers (MagicCorsFilter.java:10-22)', async () => {
    const emu = await emulator();
    const plain = await postForm(`${emu.webUrl}/resource`);
    expect(plain.headers.get('access-control-allow-origin')).toBe('*');
    expect(plain.headers.get('access-control-allow-credentials')).toBe('true');
    expect(plain.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS,PUT,DELETE');
    const fromOrigin = await postForm(`${emu.webUrl}/resource`, {}, { Origin: 'http://editor.example', 'Access-Control-Request-Headers': 'magic-token' });
    expect(fromOrigin.headers.get('access-control-allow-origin')).toBe('http://editor.example');
    expect(fromOrigin.headers.get('access-control-allow-headers')).toBe('magic-token');
  });
});

describe('POST {web}/resource (MagicResourceController.java:146-189)', () => {
  it('a map from type to a tree whose root is Group("0","root"); groups carry id, name, type, parentId, path', async () => {
    const emu = await emulator();
    const { data } = await envelope<Record<string, TreeNode>>(postForm(`${emu.webUrl}/resource`));
    expect(Object.keys(data).sort()).toEqual(['api', 'datasource', 'function', 'task']);
    const api = data.api as TreeNode;
    expect(api.node).toMatchObject({ id: '0', name: 'root', type: null, parentId: null });
    const user = api.children.find((child) => child.node.name === '用户管理') as TreeNode;
    expect(user.node).toMatchObject({ type: 'api', parentId: '0', path: 'user' });
    expect(Object.keys(user.node)).toEqual(['properties', 'id', 'name', 'type', 'parentId', 'path', 'createTime', 'updateTime', 'createBy', 'updateBy', 'paths', 'options']);
  });

  it('files are simple() copies: no script, but method, path and lock; child groups come first, files sorted by name', async () => {
    const emu = await emulator();
    const { data } = await envelope<Record<string, TreeNode>>(postForm(`${emu.webUrl}/resource`));
    const user = (data.api as TreeNode).children.find((child) => child.node.name === '用户管理') as TreeNode;
    expect(user.children[0]?.node.name).toBe('角色');
    const files = user.children.slice(1).map((child) => child.node);
    expect(files.map((file) => file.name)).toEqual([...files.map((file) => file.name as string)].sort());
    for (const file of files) {
      expect(file.script).toBeNull();
      expect(file).toHaveProperty('method');
      expect(file).toHaveProperty('path');
      expect(file).toHaveProperty('lock');
      // ApiInfo's defaults survive simple(): empty lists, null description (ApiInfo#simple, ApiInfo.java:188-193)
      expect(file.parameters).toEqual([]);
      expect(file.description).toBeNull();
    }
    const role = user.children[0] as TreeNode;
    expect(role.children[0]?.node).toMatchObject({ name: '角色列表', lock: '1', method: 'GET', path: 'list' });
  });

  it('the datasource tree is rooted at group "datasource:0", and lists the application\'s default data source last', async () => {
    const emu = await emulator();
    const { data } = await envelope<Record<string, TreeNode>>(postForm(`${emu.webUrl}/resource`));
    const root = (data.datasource as TreeNode).children[0] as TreeNode;
    expect(root.node).toMatchObject({ id: 'datasource:0', type: 'datasource', parentId: '0', name: null });
    const names = root.children.map((child) => child.node.name);
    expect(names.at(-1)).toBe('默认数据源');
    expect(root.children.at(-1)?.node).toMatchObject({ id: null, key: '' });
    expect(root.children[0]?.node).toMatchObject({ name: '从库', key: 'slave', url: null, password: null });
  });

  it('a type with no groups is absent from the map (tree() groups groupCache by type)', async () => {
    const emu = await emulator({ seed: { api: [{ name: 'only', path: 'only' }] } });
    const { data } = await envelope<Record<string, TreeNode>>(postForm(`${emu.webUrl}/resource`));
    expect(Object.keys(data).sort()).toEqual(['api', 'datasource']);
  });

  it('there is no GET form: Spring answers 405 with Allow (DefaultHandlerExceptionResolver)', async () => {
    const emu = await emulator();
    const response = await get(`${emu.webUrl}/resource`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toMatchObject({ status: 405, error: 'Method Not Allowed', message: '', path: '/magic/web/resource' });
  });
});

describe('GET {web}/resource/file/{id} (MagicResourceController.java:102-108)', () => {
  it('the whole entity, script included, in Jackson field order', async () => {
    const emu = await emulator();
    const api = emu.harness.findApi('GET', '/user/list');
    const response = await get(`${emu.webUrl}/resource/file/${api?.id}`);
    const text = await response.text();
    const { data } = JSON.parse(text);
    expect(data.script).toContain('查询用户列表');
    expect(Object.keys(data)).toEqual([
      'properties', 'id', 'script', 'groupId', 'name', 'createTime', 'updateTime', 'lock', 'createBy', 'updateBy', 'path', 'method', 'parameters', 'options',
      'requestBody', 'headers', 'paths', 'responseBody', 'description', 'requestBodyDefinition', 'responseBodyDefinition',
    ]);
    expect(data.parameters[0]).toMatchObject({ name: 'page', dataType: 'Integer', defaultValue: '1', required: false });
  });

  it('a datasource file is its configuration (no script)', async () => {
    const emu = await emulator();
    const ds = emu.harness.files().find((file) => file.kind === 'datasource');
    const { data } = await envelope<Record<string, unknown>>(get(`${emu.webUrl}/resource/file/${ds?.id}`));
    expect(data).toMatchObject({ script: null, key: 'slave', url: 'jdbc:mysql://127.0.0.1:3306/demo_slave', maxRows: -1 });
  });

  it('an unknown id is code 1 with data null (file() answers null, allowVisit(null) is true)', async () => {
    const emu = await emulator();
    expect(await envelope(get(`${emu.webUrl}/resource/file/does-not-exist`))).toMatchObject({ code: 1, data: null });
  });
});

describe('around the editor', () => {
  it('unknown paths get Spring Boot\'s error JSON with HTTP 404 (BasicErrorController, message blanked in Boot 2.4)', async () => {
    const emu = await emulator();
    for (const url of [`${emu.baseUrl}/nothing/here`, `${emu.webUrl}/index.html`]) {
      const response = await get(url);
      expect(response.status).toBe(404);
      const body = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['timestamp', 'status', 'error', 'message', 'path']);
      expect(body).toMatchObject({ status: 404, error: 'Not Found', message: '' });
      expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    }
  });

  it('a browser gets the Whitelabel page instead', async () => {
    const emu = await emulator();
    const response = await get(`${emu.baseUrl}/nothing`, { Accept: 'text/html' });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Whitelabel Error Page');
  });

  it('POST to an unmapped {web} path meets the static resource handler: 405, Allow GET, HEAD', async () => {
    const emu = await emulator();
    const response = await postForm(`${emu.webUrl}/nothing`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('GET {web} redirects to the editor page (MagicWorkbenchController.java:71-78)', async () => {
    const emu = await emulator();
    const bare = await fetch(emu.webUrl, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/magic/web/index.html');
    const slash = await fetch(`${emu.webUrl}/`, { redirect: 'manual' });
    expect(slash.headers.get('location')).toBe('./index.html');
  });

  it('GET {web}/config.json is the bare map, not an envelope (MagicWorkbenchController.java:80-92)', async () => {
    const emu = await emulator({ web: '/console-web' });
    const body = await (await get(`${emu.webUrl}/config.json`)).json();
    expect(body).toEqual({ persistenceResponseBody: true, version: '2.2.2', web: '/console-web', prefix: null, autoImportModuleList: ['db'], autoImportPackage: null });
  });

  it('the web path is configurable and normalised like MagicAPIProperties#getWeb (trailing /, /*, /**)', async () => {
    const emu = await emulator({ web: '/admin/magic/**' });
    expect(emu.webUrl.endsWith('/admin/magic')).toBe(true);
    expect(emu.consoleUrl.endsWith('/admin/magic/console')).toBe(true);
    expect((await envelope(postForm(`${emu.webUrl}/resource`))).code).toBe(1);
  });

  it('a blank web path is refused: such a server has no editor API and no console (MagicAPIProperties#getWeb → null)', async () => {
    await expect(emulator({ web: '' })).rejects.toThrow(/web must be a path/);
    await expect(emulator({ web: '/' })).rejects.toThrow(/web must be a path/);
  });

  it('endpoints it does not emulate say so loudly (HTTP 501 with a reason), never a fake answer', async () => {
    const emu = await emulator();
    const response = await get(`${emu.webUrl}/todo`);
    expect(response.status).toBe(501);
    expect(response.headers.get('x-magic-api-emulator')).toBe('unsupported');
    expect(await response.text()).toMatch(/^magic-api-emulator: .*todo.*not emulated/);
  });
});

describe('script classes (MagicWorkbenchController.java:94-137)', () => {
  it('POST {web}/classes: classes, extensions and functions', async () => {
    const emu = await emulator();
    const { data } = await envelope<Record<string, Record<string, Record<string, unknown>> | unknown[]>>(postForm(`${emu.webUrl}/classes`));
    const classes = data.classes as Record<string, Record<string, unknown>>;
    expect(classes['java.lang.String']).toMatchObject({ className: 'java.lang.String', superClass: 'java.lang.Object', module: false });
    expect(classes.log).toMatchObject({ className: 'org.slf4j.Logger', module: true });
    expect(Object.keys(classes['java.lang.String'] as object)).toEqual(['className', 'methods', 'attributes', 'superClass', 'interfaces', 'enums', 'module']);
    expect((data.extensions as Record<string, Record<string, unknown[]>>)['java.lang.Object']?.methods?.length).toBeGreaterThan(0);
    expect((data.functions as { name: string }[]).map((f) => f.name)).toContain('uuid');
  });

  it('POST {web}/class: the class, its interfaces and superclasses; blank or unknown names give []', async () => {
    const emu = await emulator();
    const { data } = await envelope<{ className: string }[]>(postForm(`${emu.webUrl}/class`, { className: 'java.lang.Integer' }));
    expect(data.map((c) => c.className)).toEqual(['java.lang.Integer', 'java.lang.Comparable', 'java.lang.Number']);
    expect((await envelope(postForm(`${emu.webUrl}/class`, { className: '' }))).data).toEqual([]);
    expect((await envelope(postForm(`${emu.webUrl}/class`, { className: 'no.such.Clazz' }))).data).toEqual([]);
  });

  it('GET {web}/classes.txt: sorted "package:A,B" lines (ClassScanner.compress)', async () => {
    const emu = await emulator();
    const response = await get(`${emu.webUrl}/classes.txt`);
    expect(response.headers.get('content-type')).toBe('text/plain;charset=UTF-8');
    const lines = (await response.text()).split('\n');
    expect(lines).toContain('java.lang:Boolean,CharSequence,Comparable,Double,Integer,Long,Number,Object,String');
    // the class names, package by package, come out in the order of the sorted full names
    const names = lines.flatMap((line) => {
      const [pkg, classes = ''] = line.split(':');
      return classes.split(',').map((name) => `${pkg}.${name}`);
    });
    expect(names).toEqual([...names].sort());
  });
});

// The tree index and the magic-api:// URI scheme, on trees as POST {web}/resource sends them
// (MagicResourceController#resources, MagicEntity#simple(); the emulator's FACTS.md T1–T4, T9) and on hostile ones.
import { describe, expect, test } from 'vitest';
import { ScriptTree, canonicalUri, compilePathPattern, encodeSegment, type RawTree, type RawTreeNode } from '../src/index.js';
import { client, emulator } from './support.js';

/** A group node as the server writes it. */
function group(id: string, name: string | null, path: string | null, type: string, children: unknown[] = [], parentId = '0') {
  return { node: { properties: {}, id, name, type, parentId, path, createTime: 1, updateTime: null, createBy: null, updateBy: null, paths: [], options: [] }, children };
}

/** A file node as `simple()` writes it (script null). */
function file(id: string | null, name: string, groupId: string, extra: Record<string, unknown> = {}) {
  return { node: { properties: {}, id, script: null, groupId, name, createTime: 10, updateTime: 20, lock: null, createBy: 'admin', updateBy: 'admin', path: null, ...extra }, children: [] };
}

function root(children: unknown[]): RawTreeNode {
  return { node: { properties: {}, id: '0', name: 'root', type: null, parentId: null, path: null }, children: children as RawTreeNode[] };
}

describe('the tree as the emulator sends it', () => {
  test('every file of the four types, in URI order, with group names, request paths, methods and locks', async () => {
    const server = await emulator();
    const tree = new ScriptTree(await client({ baseUrl: server.baseUrl }).tree());
    const expected = server.harness.files().filter((entity) => entity.id !== null);
    expect(tree.size).toBe(expected.length);
    const uris = tree.files.map((entry) => entry.uri);
    expect(uris).toEqual([...uris].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(tree.byUri('magic-api://api/用户管理/角色/角色列表')).toMatchObject({ method: 'GET', requestPath: '/user/role/list', locked: true, groupNames: '用户管理/角色' });
    expect(tree.byUri('magic-api://api/用户管理/用户详情')).toMatchObject({ requestPath: '/user/{id}' });
    expect(tree.byUri('magic-api://function/工具函数/格式化金额')).toMatchObject({ type: 'function', requestPath: '/util/formatMoney', method: null });
    expect(tree.byUri('magic-api://task/报表/日报')).toMatchObject({ type: 'task', requestPath: '/report/daily' });
    // Data sources sit in the root group datasource:0, which adds no segment; the application's own data
    // source (id null) cannot be fetched and is not listed (FACTS.md T4).
    expect(tree.files.filter((entry) => entry.type === 'datasource').map((entry) => [entry.uri, entry.key])).toEqual([['magic-api://datasource/从库', 'slave']]);
    expect(tree.skipped).toEqual([]);
  });

  test('findApi: the exact mapping first, else the most specific pattern (/user/{id} for /user/7); the method must match', async () => {
    const server = await emulator();
    const tree = new ScriptTree(await client({ baseUrl: server.baseUrl }).tree());
    expect(tree.findApi('get', '/user/list')?.name).toBe('用户列表');
    expect(tree.findApi('GET', '/user/7')?.name).toBe('用户详情');
    expect(tree.findApi('GET', '/user/7')?.id).toBe(server.harness.findApi('GET', '/user/7')?.id);
    expect(tree.findApi('POST', '/user/7')).toBeUndefined();
    expect(tree.findApi('POST', '/user/create')?.name).toBe('新增用户');
    expect(tree.findApi('GET', '/nope')).toBeUndefined();
  });

  test('filter: by type, group (names or path), method, path, name, and free text', async () => {
    const server = await emulator();
    const tree = new ScriptTree(await client({ baseUrl: server.baseUrl }).tree());
    expect(tree.filter({ type: 'api', group: '角色' }).map((entry) => entry.name)).toEqual(['角色列表']);
    expect(tree.filter({ group: 'user/role' }).map((entry) => entry.name)).toEqual(['角色列表']);
    expect(tree.filter({ method: 'post' }).map((entry) => entry.name)).toEqual(['新增用户']);
    expect(tree.filter({ path: '/order/' }).map((entry) => entry.name).sort()).toEqual(['价格计算', '库存检查', '订单统计'].sort());
    expect(tree.filter({ text: 'GET /user/list' }).map((entry) => entry.name)).toEqual(['用户列表']);
    expect(tree.filter({ text: 'slave' }).map((entry) => entry.type)).toEqual(['datasource']);
    expect(tree.filter({ type: 'api' }, 2)).toHaveLength(2);
  });
});

describe('magic-api:// URIs', () => {
  test('names stay readable; structural and unsafe characters are percent-encoded; dot-only names cannot be resolved away', () => {
    expect(encodeSegment('用户列表')).toBe('用户列表');
    expect(encodeSegment('a b/c?d#e%f~g')).toBe('a%20b%2Fc%3Fd%23e%25f%7Eg');
    expect(encodeSegment('..')).toBe('%2E%2E');
    expect(encodeSegment('x(Copy)')).toBe('x(Copy)');
    expect(encodeSegment('tab\tzero\u200b')).toBe('tab%09zero%E2%80%8B');
  });

  test('every spelling of one URI is one resource: fully percent-encoded, lower-case escapes, a fragment, an upper-case scheme', () => {
    const listed = 'magic-api://api/用户管理/用户列表';
    const encoded = `magic-api://api/${encodeURIComponent('用户管理')}/${encodeURIComponent('用户列表')}`;
    expect(canonicalUri(encoded)).toBe(listed);
    expect(canonicalUri(encoded.toLowerCase().replace('magic-api://api', 'magic-api://api'))).toBe(listed);
    expect(canonicalUri(`${listed}#metadata`)).toBe(listed);
    expect(canonicalUri('MAGIC-API://API/用户管理/用户列表')).toBe(listed);
    expect(canonicalUri('magic-api://api/a%7eb')).toBe('magic-api://api/a%7Eb');
    expect(canonicalUri('magic-api://api/x~ID1')).toBe('magic-api://api/x~ID1');
  });

  test('what cannot be a listed URI is undefined: another scheme, no segment, an empty segment, a query, bad escapes', () => {
    for (const uri of ['file:///x', 'magic-api://', 'magic-api://api', 'magic-api://api/', 'magic-api://api//x', 'magic-api://api/x?y=1', 'magic-api://api/%E7%94', 'magic-api://API!/x', 'magic-api://api/x~']) {
      expect(canonicalUri(uri), uri).toBeUndefined();
    }
  });

  test('a group with an odd name (slashes, dots, a tilde) and one without a name get URIs that cannot collide with another', () => {
    const raw: RawTree = {
      api: root([
        group('g1', 'a/b', 'p', 'api', [file('f1', 'x', 'g1', { path: 'x', method: 'GET' })]),
        group('g2', 'a', null, 'api', [group('g3', 'b', 'q', 'api', [file('f2', 'x', 'g3', { path: 'y', method: 'GET' })], 'g2')]),
        group('g4', '', 'r', 'api', [file('f3', 'x', 'g4', { path: 'z', method: 'GET' })]),
        group('g5', '~g4', 's', 'api', [file('f4', 'x', 'g5', { path: 'w', method: 'GET' })]),
        group('g6', '..', 't', 'api', [file('f5', 'x', 'g6', { path: 'v', method: 'GET' })]),
      ]),
    };
    const tree = new ScriptTree(raw);
    const uris = Object.fromEntries(tree.files.map((entry) => [entry.id, entry.uri]));
    expect(uris).toEqual({
      f1: 'magic-api://api/a%2Fb/x',
      f2: 'magic-api://api/a/b/x',
      f3: 'magic-api://api/~g4/x',
      f4: 'magic-api://api/%7Eg4/x',
      f5: 'magic-api://api/%2E%2E/x',
    });
    for (const [id, uri] of Object.entries(uris)) expect(tree.byUri(uri)?.id).toBe(id);
    // The group path skips blank paths (DefaultMagicResourceService#getGroupPath): g2 has none.
    expect(tree.byId('f2')?.requestPath).toBe('/q/y');
  });

  test('two files of one name in one group (a rename by update is not checked): the first created keeps the URI, the other gets ~<id>', () => {
    const raw: RawTree = {
      api: root([
        group('g', '组', 'g', 'api', [
          file('b-newer', '同名', 'g', { path: 'new', method: 'GET', createTime: 200 }),
          file('a-older', '同名', 'g', { path: 'old', method: 'GET', createTime: 100 }),
        ]),
      ]),
    };
    const tree = new ScriptTree(raw);
    expect(tree.byId('a-older')?.uri).toBe('magic-api://api/组/同名');
    expect(tree.byId('b-newer')?.uri).toBe('magic-api://api/组/同名~b-newer');
    expect(tree.byUri(encodeURI('magic-api://api/组/同名~b-newer'))?.id).toBe('b-newer');
  });

  test('the API prefix (magic-api.prefix) goes before every API path, not before functions', () => {
    const raw: RawTree = {
      api: root([group('g', 'G', 'user', 'api', [file('f', 'list', 'g', { path: '/list/', method: 'get' })])]),
      function: root([group('h', 'H', 'util', 'function', [file('u', 'fmt', 'h', { path: 'fmt' })])]),
    };
    const tree = new ScriptTree(raw, { prefix: '/api/' });
    expect(tree.byId('f')).toMatchObject({ method: 'GET', requestPath: '/api/user/list/' });
    expect(tree.findApi('GET', '/api/user/list/')?.id).toBe('f');
    expect(tree.byId('u')?.requestPath).toBe('/util/fmt');
  });
});

describe('hostile trees', () => {
  test('nodes of the wrong shape are skipped and counted, the rest indexed', () => {
    const raw = {
      api: root([
        null,
        'text',
        { node: null, children: [] },
        { node: { id: null, name: 'x', type: 'api', parentId: '0' }, children: [] },
        group('g', 'G', 'g', 'api', [file('ok', 'fine', 'g', { path: 'a', method: 'GET' }), file('nameless', '', 'g'), { node: { groupId: 'g', id: 'n2', name: 42 }, children: 'not an array' }]),
      ]),
      'Bad Type!': root([]),
      function: 'not a tree',
    };
    const tree = new ScriptTree(raw);
    expect(tree.files.map((entry) => entry.id)).toEqual(['n2', 'ok']);
    expect(tree.byId('n2')?.name).toBe('42');
    expect(tree.skipped.length).toBeGreaterThanOrEqual(5);
    expect(() => new ScriptTree([] as unknown)).toThrow(TypeError);
    expect(() => new ScriptTree(null)).toThrow(TypeError);
  });

  test('a tree 20 000 groups deep: built in linear memory, its file refused for a URI over the bound; 500 deep is indexed', () => {
    const chain = (depth: number) => {
      let node: unknown = file('deep', 'leaf', `g${depth - 1}`, { path: 'leaf', method: 'GET' });
      for (let level = depth - 1; level >= 0; level--) node = group(`g${level}`, `n${level}`, `p${level}`, 'api', [node], level === 0 ? '0' : `g${level - 1}`);
      return new ScriptTree({ api: root([node]) });
    };
    const deep = chain(20_000);
    expect(deep.size).toBe(0);
    expect(deep.skipped).toEqual([expect.stringContaining('longer than 4096 characters')]);
    expect(deep.groups.size).toBe(20_000);
    const indexed = chain(500);
    expect(indexed.byId('deep')?.groupNames.split('/')).toHaveLength(500);
    expect(indexed.byId('deep')?.group?.names).toHaveLength(500);
    expect(indexed.byId('deep')?.requestPath).toBe(`/${Array.from({ length: 500 }, (_, level) => `p${level}`).join('/')}/leaf`);
    expect(indexed.groupByNames('api', Array.from({ length: 500 }, (_, level) => `n${level}`))?.id).toBe('g499');
  });

  test('a group name of 100 000 characters above 2 000 files: the files are refused, not given 100 KB URIs each', () => {
    const files = Array.from({ length: 2000 }, (_, index) => file(`f${index}`, `n${index}`, 'g', { path: `p${index}`, method: 'GET' }));
    const tree = new ScriptTree({ api: root([group('g', 'x'.repeat(100_000), 'g', 'api', files), group('h', 'ok', 'h', 'api', [file('fine', 'fine', 'h', { path: 'f', method: 'GET' })])]) });
    expect(tree.files.map((entry) => entry.id)).toEqual(['fine']);
    expect(tree.skipped).toHaveLength(2000);
  });

  test('a pattern path with an invalid regex variable matches only itself instead of throwing', () => {
    const pattern = compilePathPattern('/x/{id:[}');
    expect(() => pattern.matches('/x/1')).not.toThrow();
    expect(compilePathPattern('/files/**').matches('/files/a/b')).toBe(true);
    expect(compilePathPattern('/files/**').matches('/files')).toBe(true);
    expect(compilePathPattern('/u/{id:\\d{2}}').matches('/u/12')).toBe(true);
    expect(compilePathPattern('/u/{id:\\d{2}}').matches('/u/123')).toBe(false);
    expect(compilePathPattern('/u/{id}.json').matches('/u/7.json')).toBe(true);
    expect(compilePathPattern('/u/{id}.json').matches('/u/7/x.json')).toBe(false);
  });
});

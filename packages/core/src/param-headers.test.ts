import { describe, expect, test } from 'vitest';
import { HEADER_MISMATCH_CODE, checkParamHeaders, paramHeadersOf } from './param-headers.js';

const schema = {
  type: 'object',
  properties: {
    region: { type: 'string', 'x-mcp-header': 'Region' },
    count: { type: 'integer', 'x-mcp-header': 'Count' },
    dry: { type: 'boolean', 'x-mcp-header': 'Dry' },
    nested: { type: 'object', properties: { tenant: { type: 'string', 'x-mcp-header': 'Tenant' } } },
    note: { type: 'string' },
  },
};

describe('paramHeadersOf (2026-07-28 x-mcp-header declarations)', () => {
  test('finds marks through chains of properties, at any depth', () => {
    expect(paramHeadersOf(schema)).toEqual([
      { path: ['region'], name: 'Region', type: 'string' },
      { path: ['count'], name: 'Count', type: 'integer' },
      { path: ['dry'], name: 'Dry', type: 'boolean' },
      { path: ['nested', 'tenant'], name: 'Tenant', type: 'string' },
    ]);
    expect(paramHeadersOf({ type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
  });

  test.each([
    ['under items', { type: 'object', properties: { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } } }],
    ['under anyOf', { type: 'object', anyOf: [{ properties: { a: { type: 'string', 'x-mcp-header': 'A' } } }] }],
    ['under $defs', { type: 'object', $defs: { a: { type: 'string', 'x-mcp-header': 'A' } } }],
    ['on the root', { type: 'object', 'x-mcp-header': 'Root' }],
    ['on an object', { type: 'object', properties: { o: { type: 'object', 'x-mcp-header': 'O' } } }],
    ['not a token', { type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'Has Space' } } }],
    ['empty', { type: 'object', properties: { a: { type: 'string', 'x-mcp-header': '' } } }],
    ['twice, in other case', { type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'Same' }, b: { type: 'string', 'x-mcp-header': 'same' } } }],
  ])('a mark %s makes the schema invalid (nothing enforced)', (_, invalid) => {
    expect(paramHeadersOf(invalid)).toBeUndefined();
  });
});

describe('checkParamHeaders', () => {
  const declared = paramHeadersOf(schema)!;
  const ok = { 'mcp-param-region': 'us-west1', 'mcp-param-count': '42', 'mcp-param-dry': 'true', 'mcp-param-tenant': 'acme' };
  const args = { region: 'us-west1', count: 42, dry: true, nested: { tenant: 'acme' }, note: 'x' };

  test('headers that agree with the arguments pass; integers compare as numbers; null or absent arguments need none', () => {
    expect(checkParamHeaders(declared, args, ok)).toBeUndefined();
    expect(checkParamHeaders(declared, args, { ...ok, 'mcp-param-count': '42.0' })).toBeUndefined();
    expect(checkParamHeaders(declared, { region: null }, {})).toBeUndefined();
    expect(checkParamHeaders(declared, {}, { 'mcp-param-region': 'ignored' })).toBeUndefined();
  });

  test('a value that is not plain ASCII travels as =?base64?…?= (UTF-8)', () => {
    const region = '東京';
    const encoded = `=?base64?${Buffer.from(region).toString('base64')}?=`;
    expect(checkParamHeaders(declared, { region }, { 'mcp-param-region': encoded })).toBeUndefined();
  });

  test.each([
    ['a missing header', { ...ok, 'mcp-param-region': undefined }, /Mcp-Param-Region header is absent/],
    ['a different value', { ...ok, 'mcp-param-region': 'eu-north1' }, /says "eu-north1" but the body carries region="us-west1"/],
    ['a different number', { ...ok, 'mcp-param-count': '43' }, /Mcp-Param-Count/],
    ['a boolean spelt otherwise', { ...ok, 'mcp-param-dry': 'TRUE' }, /Mcp-Param-Dry/],
    ['broken Base64', { ...ok, 'mcp-param-region': '=?base64?not base64!?=' }, /not valid Base64/],
    ['Base64 of bytes that are not UTF-8', { ...ok, 'mcp-param-region': `=?base64?${Buffer.from([0xff, 0xfe]).toString('base64')}?=` }, /not valid Base64 of UTF-8/],
    ['a nested argument that differs', { ...ok, 'mcp-param-tenant': 'other' }, /nested\.tenant="acme"/],
  ])('%s is refused with -32020, naming the header', (_, headers, message) => {
    const refusal = checkParamHeaders(declared, args, headers);
    expect(refusal?.code).toBe(HEADER_MISMATCH_CODE);
    expect(refusal?.message).toMatch(message);
    expect(refusal?.data.mismatch.header).toMatch(/^Mcp-Param-/);
  });
});

// Every first-party plugin's tools, as a real Client lists them, have JSON schemas that every client maps: one
// `type` per schema (some clients — and code generators — refuse `"type": ["string", "number"]`) and no schema
// that says nothing (`{}`, `true`), which some clients refuse and which tells a model nothing (issue 11, item 12).
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { startEmulator } from '@mcp-host/magic-api-emulator';
import { ROOT, connectInProcess, tempDir } from '../src/index.js';

const EXAMPLE = path.join(ROOT, 'examples/magic-api/mcp-host.config.json');

/** Keywords that constrain what a schema accepts; a schema with none of them accepts anything. */
const CONSTRAINING = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', '$ref', 'not'];

/** Where in `schema` (a JSON Schema) a type array or an empty schema sits, as JSON-pointer-like paths. */
function schemaProblems(schema: unknown, at: string): string[] {
  if (schema === true) return [`${at}: \`true\` accepts anything`];
  if (schema === false) return [];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [`${at}: not a schema (${JSON.stringify(schema)})`];
  const node = schema as Record<string, unknown>;
  const problems: string[] = [];
  if (Array.isArray(node.type)) problems.push(`${at}: a type array ${JSON.stringify(node.type)}`);
  if (!CONSTRAINING.some((key) => key in node)) problems.push(`${at}: an empty schema ${JSON.stringify(node)}`);
  const each = (key: string) => {
    const value = node[key];
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, child] of Object.entries(value)) problems.push(...schemaProblems(child, `${at}/${key}/${name}`));
    }
  };
  const list = (key: string) => {
    const value = node[key];
    if (Array.isArray(value)) value.forEach((child, index) => problems.push(...schemaProblems(child, `${at}/${key}/${index}`)));
  };
  each('properties');
  each('patternProperties');
  each('$defs');
  each('definitions');
  list('anyOf');
  list('oneOf');
  list('allOf');
  list('prefixItems');
  for (const key of ['items', 'not', 'contains', 'propertyNames']) {
    if (key in node) {
      if (Array.isArray(node[key])) list(key);
      else problems.push(...schemaProblems(node[key], `${at}/${key}`));
    }
  }
  // `additionalProperties: false` is a rule; `true` or `{}` would be "anything" and is reported like any other.
  if ('additionalProperties' in node && node.additionalProperties !== false) problems.push(...schemaProblems(node.additionalProperties, `${at}/additionalProperties`));
  return problems;
}

test('the walker finds what it must (else the test below could not fail)', () => {
  const bad = {
    type: 'object',
    properties: { a: { type: ['string', 'number'] }, b: {}, c: { type: 'array', items: { description: 'anything' } }, d: { anyOf: [{ type: 'string' }, true] } },
    additionalProperties: {},
  };
  expect(schemaProblems(bad, '#')).toEqual([
    '#/properties/a: a type array ["string","number"]',
    '#/properties/b: an empty schema {}',
    '#/properties/c/items: an empty schema {"description":"anything"}',
    '#/properties/d/anyOf/1: `true` accepts anything',
    '#/additionalProperties: an empty schema {}',
  ]);
  expect(schemaProblems({ type: 'object', properties: { s: { type: 'string', description: 'x' } }, additionalProperties: false }, '#')).toEqual([]);
});

test('tools/list of every first-party plugin has no type arrays and no empty schemas', async () => {
  // The magic-api example lists every first-party plugin; a new one must be added to it (or here) to be checked.
  const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { plugins: [string, unknown][] };
  const configured = example.plugins.map(([specifier]) => specifier).sort();
  const firstParty = readdirSync(path.join(ROOT, 'plugins'))
    .map((dir) => (JSON.parse(readFileSync(path.join(ROOT, 'plugins', dir, 'package.json'), 'utf8')) as { name: string }).name)
    .sort();
  expect(configured).toEqual(firstParty);

  const emulator = await startEmulator({ warn: () => {} });
  onTestFinished(() => emulator.close());
  const { client } = await connectInProcess({ cwd: await tempDir(), config: EXAMPLE, env: { MAGIC_API_BASE_URL: emulator.baseUrl } });
  const { tools } = await client.listTools();
  expect(tools.length).toBeGreaterThanOrEqual(4);
  const problems = tools.flatMap((tool) => [
    ...schemaProblems(tool.inputSchema, `${tool.name} inputSchema`),
    ...(tool.outputSchema ? schemaProblems(tool.outputSchema, `${tool.name} outputSchema`) : []),
  ]);
  expect(problems).toEqual([]);
});

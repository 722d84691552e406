import { expect, test } from 'vitest';
import { z } from 'zod';
import { uniqueNames } from './unique-names.js';

const schema = z.strictObject({ connections: z.array(z.strictObject({ name: z.string() })) }).superRefine(uniqueNames('connections', 'connection'));

test('each repeated name is one issue at its own entry, naming the first entry with that name', () => {
  expect(schema.safeParse({ connections: [{ name: 'a' }, { name: 'b' }] }).success).toBe(true);
  const result = schema.safeParse({ connections: [{ name: 'a' }, { name: 'b' }, { name: 'a' }, { name: 'a' }] });
  expect(result.success).toBe(false);
  expect(result.error!.issues.map(({ path, message }) => ({ path, message }))).toEqual([
    { path: ['connections', 2, 'name'], message: 'connection name "a" is used by connections[0] already; names must be unique' },
    { path: ['connections', 3, 'name'], message: 'connection name "a" is used by connections[0] already; names must be unique' },
  ]);
});

/**
 * What `@modelcontextprotocol/server` 2.x takes from its `_shims` entry, for the bundle (scripts/bundle.mjs maps
 * the entry here): Node's `process`, and the JSON Schema validator a 2.x server checks elicitation replies with.
 * The SDK's own Node shim brings a second bundled copy of ajv (≈290 KB) for that; 1.x's ajv validator, which the
 * bundle has already, does the same job (same `getValidator(schema)(value)` contract). A 2026-07-28 server never
 * uses it: the revision has no requests to the client.
 */
export { AjvJsonSchemaValidator as DefaultJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
/** Node's `process` (the object `node:process` exports). */
export const process: NodeJS.Process = globalThis.process;

import { z } from 'zod';
import { hostConfigSchema } from './config-schema.js';
import type { OptionsSchema } from './plugin.js';

/** A plugin as the schema describes it: how the config names it and what its options look like. */
export interface SchemaPlugin {
  specifier: string;
  name: string;
  description?: string | undefined;
  options?: OptionsSchema | undefined;
}

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a plugin's options: zod 4 converts its own; other Standard Schemas that expose none accept anything. */
function optionsJsonSchema(schema: OptionsSchema | undefined): JsonSchema {
  if (!schema) return {};
  const vendor = schema['~standard'].vendor;
  if (vendor === 'zod' && '_zod' in schema) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema as unknown as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    return json;
  }
  const converter = (schema['~standard'] as { jsonSchema?: { input?: (options: { target: string }) => JsonSchema } }).jsonSchema;
  return converter?.input?.({ target: 'draft-2020-12' }) ?? {};
}

/**
 * The JSON Schema of a whole config file, for editors (`"$schema"` in the file, or `mcp-host schema >
 * mcp-host.schema.json`): the host's keys, and for each plugin given, its entry with its options schema.
 */
export function configJsonSchema(plugins: readonly SchemaPlugin[] = []): JsonSchema {
  const host = z.toJSONSchema(hostConfigSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema & {
    properties: Record<string, JsonSchema>;
  };
  const entries: JsonSchema[] = plugins.map((plugin) => {
    const options = optionsJsonSchema(plugin.options);
    const description = `${plugin.name}${plugin.description ? `: ${plugin.description}` : ''}`;
    return {
      description,
      anyOf: [
        { const: plugin.specifier, description },
        { type: 'array', description, prefixItems: [{ const: plugin.specifier }, options], items: false, minItems: 1 },
      ],
    };
  });
  const generic = {
    description: 'A plugin: a module specifier (a path relative to this file, or a package name), or [specifier, options]',
    anyOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', prefixItems: [{ type: 'string', minLength: 1 }, {}], items: false, minItems: 1 },
    ],
  };
  const known = new Set(plugins.map((plugin) => plugin.specifier));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'mcp-host config',
    ...host,
    properties: {
      ...host.properties,
      plugins: {
        description: 'Plugins, applied in this order. Their shutdown taps run in the order they are registered.',
        type: 'array',
        // A known plugin's entry must match its own schema; an unknown specifier only the generic shape.
        items: plugins.length
          ? { anyOf: [...entries, { ...generic, not: { anyOf: [{ enum: [...known] }, { type: 'array', prefixItems: [{ enum: [...known] }] }] } }] }
          : generic,
      },
    },
  };
}

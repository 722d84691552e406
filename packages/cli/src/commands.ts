import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SEARCH_PLACES, configJsonSchema, createHost, isHostError, isPlugin, type Plugin, type ResolvedConfig, type SchemaPlugin } from '@mcp-host/core';
import { PRESETS, presetText } from './presets.js';
import { STARTER_CONFIG, STARTER_CONFIG_FILE, STARTER_SCHEMA_FILE } from './starter-config.js';

/** The first-party plugins, described in the schema even without a config naming them. */
export const FIRST_PARTY_PLUGINS = ['@mcp-host/plugin-websocket-manager', '@mcp-host/plugin-resource-manager', '@mcp-host/plugin-magic-api'] as const;

async function firstPartySchemaPlugins(): Promise<SchemaPlugin[]> {
  const plugins: SchemaPlugin[] = [];
  for (const specifier of FIRST_PARTY_PLUGINS) {
    try {
      const module = (await import(specifier)) as { default?: unknown };
      if (isPlugin(module.default)) plugins.push(describe(specifier, module.default));
    } catch {
      // Not installed next to the CLI: the schema simply does not describe it.
    }
  }
  return plugins;
}

function describe(specifier: string, plugin: Plugin): SchemaPlugin {
  return { specifier, name: plugin.name, description: plugin.description, options: plugin.options };
}

/**
 * The JSON Schema for a config: the host's keys, plus the options of every plugin `config` names (string
 * specifiers; inline plugin objects have no name to match) and of the first-party plugins.
 */
export async function buildSchema(config: ResolvedConfig | undefined): Promise<Record<string, unknown>> {
  const named = (config?.plugins ?? []).filter(({ file }) => file !== undefined).map(({ specifier, plugin }) => describe(specifier, plugin));
  const specifiers = new Set(named.map((plugin) => plugin.specifier));
  const extra = (await firstPartySchemaPlugins()).filter((plugin) => !specifiers.has(plugin.specifier));
  return configJsonSchema([...named, ...extra]);
}

export class InitRefused extends Error {}

/**
 * `mcp-host init`: write the starter config (or a preset's: `PRESETS`) and its schema into `dir`; never overwrite a
 * config. `preset` must be a key of `PRESETS` (the command line checks it).
 */
export async function init(dir: string, options: { yes: boolean; interactive: boolean; preset?: string | undefined }): Promise<string[]> {
  const preset = options.preset === undefined ? undefined : PRESETS[options.preset];
  if (options.preset !== undefined && !preset) throw new InitRefused(`there is no preset "${options.preset}" (presets: ${Object.keys(PRESETS).join(', ')}).`);
  const configName = preset?.file ?? STARTER_CONFIG_FILE;
  const existing = SEARCH_PLACES.filter((place) => place !== 'package.json').map((place) => path.join(dir, place)).filter((file) => existsSync(file));
  if (existing.length > 0) throw new InitRefused(`${existing[0]} exists already; init never overwrites a config. Edit it, or remove it first.`);
  if (existsSync(path.join(dir, STARTER_SCHEMA_FILE))) throw new InitRefused(`${path.join(dir, STARTER_SCHEMA_FILE)} exists already; remove it first.`);
  if (!options.yes) {
    if (!options.interactive) throw new InitRefused('stdin is not a terminal: pass --yes to write the starter config without asking.');
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    const answer = (await prompt.question(`Write ${configName} and ${STARTER_SCHEMA_FILE} in ${dir}? [Y/n] `)).trim().toLowerCase();
    prompt.close();
    if (answer !== '' && answer !== 'y' && answer !== 'yes') throw new InitRefused('nothing written.');
  }
  const configFile = path.join(dir, configName);
  const schemaFile = path.join(dir, STARTER_SCHEMA_FILE);
  await writeFile(configFile, preset ? presetText(preset) : STARTER_CONFIG, { flag: 'wx' });
  await writeFile(schemaFile, `${JSON.stringify(await buildSchema(undefined), null, 2)}\n`, { flag: 'wx' });
  return [configFile, schemaFile];
}

/** Load a config for `schema` when one is given or found; `undefined` when there is none to find. */
export async function loadConfigForSchema(configPath: string | undefined, debug: boolean): Promise<ResolvedConfig | undefined> {
  try {
    return await createHost({ config: configPath, debug, resolveFrom: [import.meta.url] }).load();
  } catch (error) {
    if (configPath === undefined && isHostError(error) && error.code === 'MCPH_CONFIG_NOT_FOUND') return undefined;
    throw error;
  }
}

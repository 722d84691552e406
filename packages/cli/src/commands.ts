import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { HostError, isHostError, type Plugin } from '@mcp-host/core';
import { EXIT_CODES, SEARCH_PLACES, configJsonSchema, createHost, displayPath, exitCodeFor, formatError, isPlugin, type ResolvedConfig, type SchemaPlugin } from '@mcp-host/core/host';
import type { CliIo } from './cli-io.js';
import { formatDescription, formatPluginList } from './format.js';
import type { CommandLine } from './main.js';
import { PRESETS, presetText } from './presets.js';
import { STARTER_CONFIG, STARTER_CONFIG_FILE, STARTER_SCHEMA_FILE } from './starter-config.js';

/** The first-party plugins, described in the schema even without a config naming them. */
export const FIRST_PARTY_PLUGINS = ['@mcp-host/plugin-websocket-manager', '@mcp-host/plugin-resource-manager', '@mcp-host/plugin-magic-api'] as const;

/** Run a command that was understood; resolves with its exit code (`start` never resolves: it exits). */
export async function runCommand(line: CommandLine, io: CliIo): Promise<number> {
  try {
    switch (line.command) {
      case 'init':
        return await runInit(line, io);
      case 'schema':
        io.stdout.write(`${JSON.stringify(await buildSchema(await loadConfigForSchema(line, io)), null, 2)}\n`);
        return EXIT_CODES.OK;
      case 'validate':
        io.stdout.write(formatPluginList(await hostFor(line, io).load(), io.cwd));
        return EXIT_CODES.OK;
      case 'inspect': {
        const host = hostFor(line, io);
        await host.apply();
        const description = host.describe();
        io.stdout.write(line.json ? `${JSON.stringify(description, null, 2)}\n` : formatDescription(description, io.cwd));
        return EXIT_CODES.OK;
      }
      case 'start':
        // The process runner speaks MCP on the process's own stdin and stdout, and exits the process.
        if (io.stdin !== process.stdin || io.stdout !== process.stdout) {
          throw new HostError('MCPH_HOST_STATE', 'start serves MCP on the process\'s own stdin and stdout and exits the process; main() was given other streams. Spawn mcp-host start instead.');
        }
        return await hostFor(line, io).run();
    }
  } catch (error) {
    return failWith(io, error, line.debug);
  }
}

/** Print `error` as the host does (one line per problem, with its code; the stack with --debug) and give its exit code. */
export function failWith(io: CliIo, error: unknown, debug: boolean): number {
  io.stderr.write(formatError(error, { debug }));
  return exitCodeFor(error);
}

function hostFor(line: CommandLine, io: CliIo) {
  return createHost({
    config: line.config,
    cwd: io.cwd,
    env: io.env,
    debug: line.debug,
    stderr: io.stderr,
    resolveFrom: [import.meta.url],
    ...(line.transport ? { transport: line.transport } : {}),
    ...(line.loadTimeoutMs !== undefined ? { loadTimeoutMs: line.loadTimeoutMs } : {}),
  });
}

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

/** Load a config for `schema` when one is given or found; `undefined` when there is none to find. */
async function loadConfigForSchema(line: CommandLine, io: CliIo): Promise<ResolvedConfig | undefined> {
  try {
    return await hostFor(line, io).load();
  } catch (error) {
    if (line.config === undefined && isHostError(error) && error.code === 'MCPH_CONFIG_NOT_FOUND') return undefined;
    throw error;
  }
}

async function runInit(line: CommandLine, io: CliIo): Promise<number> {
  const written = await init(io.cwd, { yes: line.yes, stdin: io.stdin, prompt: io.stderr, preset: line.preset });
  const next = line.preset === undefined ? 'Next: mcp-host validate, then add it to your MCP client (see the README).' : `Next: ${PRESETS[line.preset]!.next}`;
  io.stdout.write(`${written.map((file) => `wrote ${displayPath(file, io.cwd)}`).join('\n')}\n${next}\n`);
  return EXIT_CODES.OK;
}

const refuse = (message: string) => new HostError('MCPH_INIT_REFUSED', `init: ${message}`);

/**
 * `mcp-host init`: write the starter config (or a preset's: `PRESETS`) and its schema into `dir`; never overwrite a
 * config (`MCPH_INIT_REFUSED`). `preset` must be a key of `PRESETS` (the command line checks it).
 */
export async function init(dir: string, options: { yes: boolean; stdin: CliIo['stdin']; prompt: NodeJS.WritableStream; preset?: string | undefined }): Promise<string[]> {
  const preset = options.preset === undefined ? undefined : PRESETS[options.preset];
  if (options.preset !== undefined && !preset) throw refuse(`there is no preset "${options.preset}" (presets: ${Object.keys(PRESETS).join(', ')}).`);
  const configName = preset?.file ?? STARTER_CONFIG_FILE;
  const existing = SEARCH_PLACES.filter((place) => place !== 'package.json').map((place) => path.join(dir, place)).filter((file) => existsSync(file));
  if (existing.length > 0) throw refuse(`${existing[0]} exists already; init never overwrites a config. Edit it, or remove it first.`);
  if (existsSync(path.join(dir, STARTER_SCHEMA_FILE))) throw refuse(`${path.join(dir, STARTER_SCHEMA_FILE)} exists already; remove it first.`);
  if (!options.yes) {
    if (!options.stdin.isTTY) throw refuse('stdin is not a terminal: pass --yes to write the starter config without asking.');
    // Loaded here: every other command (start above all) would pay for node:readline at startup.
    const { createInterface } = await import('node:readline/promises');
    const prompt = createInterface({ input: options.stdin, output: options.prompt });
    const answer = (await prompt.question(`Write ${configName} and ${STARTER_SCHEMA_FILE} in ${dir}? [Y/n] `)).trim().toLowerCase();
    prompt.close();
    if (answer !== '' && answer !== 'y' && answer !== 'yes') throw refuse('not confirmed; nothing written.');
  }
  const configFile = path.join(dir, configName);
  const schemaFile = path.join(dir, STARTER_SCHEMA_FILE);
  await writeFile(configFile, preset ? presetText(preset) : STARTER_CONFIG, { flag: 'wx' });
  await writeFile(schemaFile, `${JSON.stringify(await buildSchema(undefined), null, 2)}\n`, { flag: 'wx' });
  return [configFile, schemaFile];
}

// magic_classes, magic_class: what a script can call — the server's script classes, modules, extension methods and
// functions (`POST {web}/classes`, `POST {web}/class`, `GET {web}/classes.txt`: core/web/MagicWorkbenchController.java
// at v2.2.2; the shapes are magic-script's ScriptClass, ScriptMethod, ScriptAttribute).
import { z, type PluginHost } from '@mcp-host/core';
import type { MagicApi } from '../magic-api.js';
import { jsonResult } from './tool-result.js';
import { ArgumentError, answering } from './workspace-context.js';

/** Names from classes.txt one answer lists at most. */
const OTHER_CLASSES_LIMIT = 100;

interface ScriptMethod {
  name?: string;
  returnType?: string;
  comment?: string | null;
  deprecated?: boolean;
  parameters?: { name?: string; type?: string; varArgs?: boolean; comment?: string | null }[];
}

interface ScriptClass {
  className?: string | null;
  methods?: ScriptMethod[];
  attributes?: { type?: string; name?: string }[];
  superClass?: string | null;
  interfaces?: string[];
  module?: boolean;
}

interface Catalogue {
  classes?: Record<string, ScriptClass>;
  extensions?: Record<string, ScriptClass>;
  functions?: ScriptMethod[];
}

/** `java.lang.String` → `String`. */
function simpleName(type: string | undefined): string {
  if (!type) return '?';
  const generic = type.indexOf('<');
  const base = generic === -1 ? type : type.slice(0, generic);
  return base.slice(base.lastIndexOf('.') + 1) + (generic === -1 ? '' : type.slice(generic));
}

/** `substring(int beginIndex, int endIndex): String` */
function signature(method: ScriptMethod): string {
  const parameters = (method.parameters ?? []).map((parameter) => `${simpleName(parameter.type)}${parameter.varArgs ? '...' : ''} ${parameter.name ?? ''}`.trim());
  return `${method.name ?? '?'}(${parameters.join(', ')}): ${simpleName(method.returnType)}`;
}

function methodEntry(method: ScriptMethod): Record<string, unknown> {
  return { signature: signature(method), ...(method.comment ? { comment: method.comment } : {}), ...(method.deprecated ? { deprecated: true } : {}) };
}

function matches(query: string | undefined, ...texts: (string | null | undefined)[]): boolean {
  return query === undefined || texts.some((text) => (text ?? '').toLowerCase().includes(query));
}

function catalogue(magic: MagicApi, signal: AbortSignal): Promise<Catalogue> {
  return magic.client.editor<Catalogue>('/classes', { method: 'POST', signal }).then((value) => (value && typeof value === 'object' ? value : {}));
}

export function registerClassTools(host: PluginHost, magic: MagicApi): void {
  host.tool(
    'magic_classes',
    {
      title: 'Find Magic-Script classes and functions',
      description:
        'Find what a Magic-Script can use on this server: script classes and modules (e.g. "db", "log", "request" — call them by that name in a script), extension methods every value of a class gets (e.g. asInt() on Object), built-in functions (e.g. uuid()), and other classes on the classpath that can be imported. query filters by part of a name, case-insensitively. magic_class shows one class\'s methods and fields.',
      inputSchema: {
        query: z.string().optional().describe('Part of a class, module, method or function name, e.g. "String", "db", "asInt" or "date"; leave it out for everything the script engine names (classes on the classpath are listed only for a query)'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const query = args.query?.trim().toLowerCase() || undefined;
        const found = await catalogue(magic, extra.signal);
        const classes = Object.entries(found.classes ?? {})
          .filter(([name, entry]) => matches(query, name, entry.className))
          .map(([name, entry]) => ({ name, className: entry.className ?? null, module: entry.module === true, methods: entry.methods?.length ?? 0 }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const extensions = Object.entries(found.extensions ?? {})
          .map(([target, entry]) => ({ target, methods: (entry.methods ?? []).filter((method) => matches(query, method.name, target)).map(methodEntry) }))
          .filter((entry) => entry.methods.length > 0);
        const functions = (found.functions ?? []).filter((method) => matches(query, method.name)).map(methodEntry);
        let otherClasses: string[] = [];
        if (query !== undefined) {
          // classes.txt: `package:Simple,Other` lines, every class the server's scanner found (no login needed).
          const listing = await classesTxt(magic, extra.signal);
          const known = new Set(classes.map((entry) => entry.className));
          otherClasses = listing.filter((name) => name.toLowerCase().includes(query) && !known.has(name));
        }
        return jsonResult({
          ...(query !== undefined ? { query: args.query } : {}),
          classes,
          extensions,
          functions,
          ...(query !== undefined ? { otherClasses: otherClasses.slice(0, OTHER_CLASSES_LIMIT), ...(otherClasses.length > OTHER_CLASSES_LIMIT ? { otherClassesTruncated: otherClasses.length - OTHER_CLASSES_LIMIT } : {}) } : {}),
        });
      }),
  );

  host.tool(
    'magic_class',
    {
      title: 'Show a Magic-Script class',
      description:
        'Show one class as a Magic-Script sees it: its methods (signature, comment) and fields, then those of its interfaces and superclasses. Name it fully ("java.lang.String"), by its simple name when magic_classes lists it ("String"), or by a module name ("db", "log").',
      inputSchema: {
        name: z.string().min(1).describe('The class: "java.util.List", "String", or a module name such as "db"'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) =>
      answering(async () => {
        const name = args.name.trim();
        if (name === '') throw new ArgumentError('name', 'is blank: give a class name such as "java.lang.String".');
        const lookup = (className: string) => magic.client.editor<unknown>('/class', { method: 'POST', form: { className }, signal: extra.signal }).then((value) => (Array.isArray(value) ? (value as ScriptClass[]) : []));
        let resolved = name;
        let found = await lookup(name);
        if (found.length === 0) {
          // A module name or a simple name: what the catalogue calls it.
          const entries = Object.entries((await catalogue(magic, extra.signal)).classes ?? {});
          const hit = entries.find(([key]) => key === name) ?? entries.find(([, entry]) => simpleName(entry.className ?? undefined) === name);
          const candidate = hit?.[1].className;
          if (candidate) {
            resolved = candidate;
            found = await lookup(candidate);
          }
        }
        if (found.length === 0) {
          throw new ArgumentError('name', `the server knows no class ${JSON.stringify(name)}.`, 'Find the full name with magic_classes { query } (e.g. "java.util.Date").');
        }
        return jsonResult({
          name: resolved,
          classes: found.map((entry) => ({
            className: entry.className ?? null,
            ...(entry.superClass ? { superClass: entry.superClass } : {}),
            ...(entry.interfaces && entry.interfaces.length > 0 ? { interfaces: entry.interfaces } : {}),
            module: entry.module === true,
            fields: (entry.attributes ?? []).map((attribute) => ({ name: attribute.name ?? '?', type: simpleName(attribute.type) })),
            methods: (entry.methods ?? []).map(methodEntry),
          })),
        });
      }),
  );
}

/** The class names of `GET {web}/classes.txt` (`ClassScanner.compress`: `package:A,B` per line). */
async function classesTxt(magic: MagicApi, signal: AbortSignal): Promise<string[]> {
  const text = await magic.client.classesText(signal);
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const pkg = line.slice(0, colon);
    for (const simple of line.slice(colon + 1).split(',')) if (simple !== '') names.push(pkg === '' ? simple : `${pkg}.${simple}`);
  }
  return names;
}

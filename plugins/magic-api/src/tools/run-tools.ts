// The run and debug tools: magic_call_api, magic_debug_call, magic_debug_step, magic_debug_status.
import { z, type CallToolResult, type PluginHost } from '@mcp-host/core';
import { ConsoleCalls, DEFAULT_LOG_WAIT_MS, RunRefusal, type CallInput, type ConsoleException, type LogCollector } from '../console-calls.js';
import { DebugSessions, describe, isPaused, type DebugAnswer, type DebugRun } from '../debug-sessions.js';
import type { MagicApi } from '../magic-api.js';
import type { ApiResponse } from '../magic-client.js';
import type { MagicApiOptions } from '../options.js';
import type { ScriptFile } from '../script-tree.js';
import { errorResult, jsonResult, toolError } from './tool-result.js';

const DEFAULT_DEBUG_WAIT_MS = 30_000;
const MAX_DEBUG_WAIT_MS = 600_000;
const MAX_LOG_WAIT_MS = 10_000;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

// Single-type schemas (some clients refuse type arrays or empty schemas); what a client sends beyond them is still
// taken: a lower-case method, numbers and booleans as query values, any JSON value as the body (sent as JSON text).
const upper = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const asText = (value: unknown) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value);
const asJsonText = (value: unknown) => (typeof value === 'string' || value === undefined ? value : JSON.stringify(value));

const requestShape = {
  method: z.preprocess(upper, z.enum(METHODS)).describe('The HTTP method the API is registered with (GET, POST, PUT, DELETE, PATCH); magic_tree shows it'),
  path: z
    .string()
    .min(1)
    .describe('The request path under the server\'s base URL, starting with "/", as magic_tree shows it (requestPath, prefix included), with path variables filled in: "/user/7" for "/user/{id}". No query string: use query'),
  query: z.record(z.string(), z.preprocess(asText, z.string())).optional().describe('Query parameters, name → value, e.g. {"page": "2", "size": "10"}'),
  body: z
    .preprocess(asJsonText, z.string())
    .optional()
    .describe('The request body as text; a JSON object or array given here is sent as JSON. JSON text goes as application/json unless headers set a Content-Type'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra request headers, name → value (the console headers are added by the tool)'),
  logWaitMs: z
    .number()
    .int()
    .min(0)
    .max(MAX_LOG_WAIT_MS)
    .optional()
    .describe(`How long to wait after the answer for log lines the server still buffers (it flushes them once a second); default ${DEFAULT_LOG_WAIT_MS}`),
};

const breakpointLines = z.array(z.number().int().min(1)).min(1).max(100);

/** What an answer shows of the API a request reached. */
function apiSummary(file: ScriptFile | undefined): Record<string, unknown> | null {
  return file ? { id: file.id, name: file.name, group: file.groupNames, method: file.method, requestPath: file.requestPath, uri: file.uri } : null;
}

function responseSummary(response: ApiResponse): Record<string, unknown> {
  return { status: response.status, durationMs: response.durationMs, headers: response.headers, body: response.json !== undefined ? response.json : response.text };
}

function exceptionSummary(exception: ConsoleException): Record<string, unknown> {
  const [line, endLine, startColumn, endColumn] = exception.range ?? [];
  return { message: exception.message, ...(line !== undefined ? { line, endLine, startColumn, endColumn } : {}) };
}

function logsSummary(logs: LogCollector): Record<string, unknown> {
  return {
    logs: logs.lines,
    ...(logs.dropped > 0 ? { logsDropped: logs.dropped } : {}),
    ...(logs.exceptions.length > 0 ? { exception: exceptionSummary(logs.exceptions[0]!) } : {}),
  };
}

/** A variable as the server reported it, its JSON text parsed (a number stays a number, a string a string). */
function variable(entry: { name: string; value: string; type?: string }): Record<string, unknown> {
  let value: unknown = entry.value;
  try {
    value = JSON.parse(entry.value);
  } catch {
    // not JSON text: shown as it came
  }
  return { name: entry.name, value, ...(entry.type !== undefined ? { type: entry.type } : {}) };
}

function pauseSummary(run: DebugRun, debugTimeoutMs: number): Record<string, unknown> {
  const pause = run.pause!;
  const [line, startColumn, endLine, endColumn] = pause.range;
  const pausedForMs = Date.now() - pause.at;
  return {
    scriptId: run.scriptId,
    api: apiSummary(run.file),
    line,
    range: { line, startColumn, endLine, endColumn },
    variables: pause.variables.map(variable),
    breakpoints: run.breakpoints,
    pausedForMs,
    resumesAutomaticallyInMs: Math.max(0, debugTimeoutMs - pausedForMs),
  };
}

function debugResult(answer: DebugAnswer, debugTimeoutMs: number): CallToolResult {
  const { run, logs } = answer;
  if (answer.state === 'paused' && run.pause) {
    return jsonResult({
      state: 'paused',
      ...pauseSummary(run, debugTimeoutMs),
      ...logsSummary(logs),
      next: 'magic_debug_step with action "step" (the next statement) or "resume" (the next breakpoint, or the end).',
    });
  }
  if (answer.state === 'finished') {
    const outcome = run.outcome!;
    const base = { state: 'finished', scriptId: run.scriptId, api: apiSummary(run.file), ...(run.autoResumed ? { autoResumed: true } : {}) };
    if ('response' in outcome) return jsonResult({ ...base, ...responseSummary(outcome.response), ...logsSummary(logs) });
    return errorResult(outcome.error, `The debug run of ${describe(run.file)} got no answer.${logs.lines.length > 0 ? ` Its log lines: ${JSON.stringify(logs.lines)}` : ''}`);
  }
  return jsonResult({
    state: 'running',
    scriptId: run.scriptId,
    api: apiSummary(run.file),
    runningForMs: Date.now() - run.startedAt,
    breakpoints: run.breakpoints,
    ...logsSummary(logs),
    next: 'Neither a breakpoint nor the answer came yet: magic_debug_step waits for the next of them (it resumes nothing while the run is not paused).',
  });
}

function refusal(error: unknown, next?: string): CallToolResult {
  if (error instanceof RunRefusal) return toolError(error.message, error.next);
  return errorResult(error, next);
}

/**
 * Register the run and debug tools on `host`; the debug runs are resumed in the plugin's first shutdown tap (before
 * the console closes), through `magic.beforeStopCalls`.
 */
export function registerRunTools(host: PluginHost, magic: MagicApi, options: Pick<MagicApiOptions, 'debugTimeoutSeconds'>): void {
  const calls = new ConsoleCalls(magic, host.logger);
  const debugTimeoutMs = Math.round(options.debugTimeoutSeconds * 1000);
  const sessions = new DebugSessions({ calls, logger: host.logger, debugTimeoutMs });
  magic.beforeStopCalls(async () => {
    await sessions.stop();
    calls.close();
  });
  const signalOf = (signal: AbortSignal) => AbortSignal.any([signal, host.signal]);

  host.tool(
    'magic_call_api',
    {
      title: 'Call a Magic-API endpoint and read its logs',
      description:
        'Call one of the server\'s APIs (it runs the script) and get its answer — status, headers, body (parsed when JSON), duration — with the console log lines of this request only, and for a script error the server\'s exception (message and line). ' +
        'The request names this console and the API\'s script id found from the tree, so the server sends its logs here; calls run one at a time. Find method and path with magic_tree.',
      inputSchema: requestShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      try {
        const input: CallInput = { method: args.method, path: args.path, query: args.query, headers: args.headers, body: args.body };
        const outcome = await calls.call(input, { logWaitMs: args.logWaitMs ?? DEFAULT_LOG_WAIT_MS, signal: signalOf(extra.signal) });
        return jsonResult({
          api: apiSummary(outcome.file),
          ...responseSummary(outcome.response),
          ...(outcome.collector ? logsSummary(outcome.collector) : { logs: [] }),
          ...(outcome.note ? { note: outcome.note } : {}),
        });
      } catch (error) {
        return refusal(error, 'Check method and path with magic_tree, and that the server is up.');
      }
    },
  );

  host.tool(
    'magic_debug_call',
    {
      title: 'Call a Magic-API endpoint with breakpoints',
      description:
        'Call an API (it runs the script) with breakpoints on script lines: answers "paused" at the first breakpoint reached — the line, the variables as the server reports them, the log lines so far — or "finished" with the response and its logs when no breakpoint was reached. ' +
        'Continue with magic_debug_step. Needs the console. A run left paused longer than debugTimeoutSeconds is resumed with its breakpoints cleared.',
      inputSchema: {
        ...requestShape,
        breakpoints: breakpointLines.describe('Script line numbers (1-based, as magic_get shows the script) to pause at, e.g. [4, 7]'),
        timeoutMs: z
          .number()
          .int()
          .min(0)
          .max(MAX_DEBUG_WAIT_MS)
          .optional()
          .describe(`How long to wait for the first pause or the end before answering "running"; default ${DEFAULT_DEBUG_WAIT_MS}`),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      try {
        const input: CallInput = { method: args.method, path: args.path, query: args.query, headers: args.headers, body: args.body };
        const answer = await sessions.start(input, args.breakpoints, { timeoutMs: args.timeoutMs ?? DEFAULT_DEBUG_WAIT_MS, logWaitMs: args.logWaitMs ?? DEFAULT_LOG_WAIT_MS, signal: signalOf(extra.signal) });
        return debugResult(answer, debugTimeoutMs);
      } catch (error) {
        return refusal(error);
      }
    },
  );

  host.tool(
    'magic_debug_step',
    {
      title: 'Step or resume a paused debug run',
      description:
        'Continue a debug run paused by magic_debug_call: action "step" runs to the very next statement, "resume" to the next breakpoint (or the end). Answers the next pause (line, variables, logs) or "finished" with the response and its logs. ' +
        'scriptId is needed only when several runs are open (magic_debug_status lists them).',
      inputSchema: {
        action: z.enum(['step', 'resume']).describe('"step": pause again at the next statement; "resume": run on to the next breakpoint or the end'),
        scriptId: z.string().min(1).optional().describe('The run\'s script id (from magic_debug_call or magic_debug_status); may be left out when only one run is open'),
        breakpoints: breakpointLines.optional().describe('Replace the run\'s breakpoints from now on (default: keep them)'),
        timeoutMs: z.number().int().min(0).max(MAX_DEBUG_WAIT_MS).optional().describe(`How long to wait for the next pause or the end; default ${DEFAULT_DEBUG_WAIT_MS}`),
        logWaitMs: requestShape.logWaitMs,
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      try {
        const answer = await sessions.step(args.scriptId, args.action, args.breakpoints, { timeoutMs: args.timeoutMs ?? DEFAULT_DEBUG_WAIT_MS, logWaitMs: args.logWaitMs ?? DEFAULT_LOG_WAIT_MS, signal: signalOf(extra.signal) });
        return debugResult(answer, debugTimeoutMs);
      } catch (error) {
        return refusal(error);
      }
    },
  );

  host.tool(
    'magic_debug_status',
    {
      title: 'Open debug runs',
      description: 'List the open debug runs: for each its script id and API, whether it is paused (line, variables, how long paused, when it will be resumed automatically) or running. Changes nothing.',
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () =>
      jsonResult({
        debugTimeoutSeconds: options.debugTimeoutSeconds,
        runs: sessions.runs().map((run) =>
          isPaused(run) && run.pause
            ? { state: 'paused', ...pauseSummary(run, debugTimeoutMs) }
            : { state: run.outcome !== undefined ? 'finished' : 'running', scriptId: run.scriptId, api: apiSummary(run.file), runningForMs: Date.now() - run.startedAt, breakpoints: run.breakpoints },
        ),
      }),
  );
}

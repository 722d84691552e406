// Breakpoint debugging through the console. Paths are under magic-api/src/main/java/org/ssssssss/magicapi/ in
// ssssssss-team/magic-api at v2.2.2; [script] marks magic-script's MagicScriptDebugContext (see the emulator's FACTS.md).
import type { Logger } from '@mcp-host/core';
import type { MagicApiBufferedMessage } from '@mcp-host/plugin-websocket-manager';
import { BREAKPOINTS_HEADER, CLIENT_ID_HEADER } from './console-link.js';
import { ConsoleCalls, DEFAULT_LOG_WAIT_MS, RunRefusal, apiRequest, delay, newCollector, type CallInput, type ConsoleException, type LogCollector } from './console-calls.js';
import type { ApiResponse } from './magic-client.js';
import type { ScriptFile } from './script-tree.js';

/**
 * The HTTP bound of a debug run's request. Paused time counts, and a run may pause many times: the ordinary
 * `timeoutSeconds` would cut it off mid-session. Each pause is bounded by `debugTimeoutSeconds` anyway.
 */
const DEBUG_REQUEST_BOUND_MS = 3_600_000;
/** How long an automatic resume holds the call queue waiting for the run's end (a longer run goes on unwatched). */
const AUTO_RESUME_WAIT_MS = 30_000;
/** How long the shutdown waits to hand one resume frame to the console. */
const RESUME_SEND_BOUND_MS = 1000;

export interface PauseState {
  /** `[startLine, startCol, endLine, endCol]`, 1-based (`breakpoint` frame, `core/model/DebugRequest.java`). */
  range: number[];
  /** As the server reported them: newest first, `value` as JSON text, `type` the Java class (absent for null). */
  variables: { name: string; value: string; type?: string }[];
  at: number;
}

/** One debug run: a request sent with `Magic-Request-Breakpoints`, tracked until its answer has been handed over. */
export interface DebugRun {
  readonly scriptId: string;
  readonly file: ScriptFile;
  /** The console client id the request named: only that session can resume it (`MagicDebugHandler#resumeBreakpoint`). */
  readonly clientId: string;
  readonly startedAt: number;
  breakpoints: number[];
  /**
   * `breakpoint` frames received and resumes sent. The server's run offers one token per pause and a resume takes
   * one ([script] `pause` / `singal()`); a resume with none to take blocks that console socket until the next pause
   * (FACTS.md L9). So a resume is sent only while `pauses > resumes`, and then it never blocks.
   */
  pauses: number;
  resumes: number;
  pause: PauseState | undefined;
  /** The HTTP answer, or why there is none; set once. */
  outcome: { response: ApiResponse } | { error: unknown } | undefined;
  readonly collector: LogCollector;
  autoResumed: boolean;
  /** Bumped on every pause and on the answer. */
  version: number;
  readonly controller: AbortController;
  timer: NodeJS.Timeout | undefined;
  readonly waiters: Set<() => void>;
}

export type DebugAnswer =
  | { state: 'paused'; run: DebugRun; logs: LogCollector }
  | { state: 'running'; run: DebugRun; logs: LogCollector }
  | { state: 'finished'; run: DebugRun; logs: LogCollector };

export interface DebugSessionsOptions {
  calls: ConsoleCalls;
  logger: Logger;
  /** Paused longer than this, a run is resumed with its breakpoints cleared. */
  debugTimeoutMs: number;
}

export function isPaused(run: DebugRun): boolean {
  return run.pauses > run.resumes;
}

/**
 * The debug runs of this console. A run is started by `start` (the request goes out with the breakpoints and the
 * console headers, and the answer is awaited in the background); a `breakpoint` frame naming its script id pauses
 * it; `step` sends `resume_breakpoint,<scriptId>,<1 = step | 0>,<lines joined with |>` — the lines to keep, since a
 * resume without lines clears them all (`MagicDebugHandler.java`). Runs paused longer than `debugTimeoutMs` are
 * resumed without breakpoints so they finish; at shutdown every paused run is resumed that way, then the requests
 * are aborted — all before the console closes.
 */
export class DebugSessions {
  readonly #options: DebugSessionsOptions;
  readonly #runs = new Map<string, DebugRun>();
  readonly #unsubscribe: () => void;
  #isStopping = false;

  constructor(options: DebugSessionsOptions) {
    this.#options = options;
    this.#unsubscribe = options.calls.onMessage((message) => this.#onMessage(message));
  }

  /** Runs not handed over yet, oldest first. */
  runs(): DebugRun[] {
    return [...this.#runs.values()];
  }

  /** `magic_debug_call`: send the request with breakpoints; answer at the first pause, at the end, or after `timeoutMs`. */
  start(input: CallInput, breakpoints: number[], options: { timeoutMs: number; logWaitMs: number; signal?: AbortSignal | undefined }): Promise<DebugAnswer> {
    const { calls } = this.#options;
    return calls.exclusive(async () => {
      if (this.#isStopping) throw new RunRefusal('The host is shutting down: no new debug run.');
      if (options.signal?.aborted) throw new RunRefusal('Cancelled before the request was sent.');
      const link = calls.magic.console;
      if (!link) throw new RunRefusal('Debugging needs the console, and this plugin has none (console: false).', 'Enable the console option, or call the API with magic_call_api.');
      const file = await calls.resolveApi(input.method, input.path, options.signal);
      if (!file) throw new RunRefusal(`No API in the script tree serves ${input.method.toUpperCase()} ${input.path}.`, 'Find the API with magic_tree (requestPath) and call that path.');
      const existing = this.#runs.get(file.id);
      if (existing && existing.outcome === undefined) {
        throw new RunRefusal(
          `${describe(file)} is being debugged already (${isPaused(existing) ? `paused at line ${existing.pause?.range[0]}` : 'running'}): the server keys a run by console and script, so a second one would take its place.`,
          'Finish it first with magic_debug_step (action "resume"), or see magic_debug_status.',
        );
      }
      const headers = link.requestHeaders(file.id);
      if (!headers) throw new RunRefusal('The console is not logged in right now (see ws_connections), so no breakpoint could reach it.', 'Try again in a moment.');
      calls.subscribe();
      const run: DebugRun = {
        scriptId: file.id,
        file,
        clientId: headers[CLIENT_ID_HEADER]!,
        startedAt: Date.now(),
        breakpoints: [...breakpoints],
        pauses: 0,
        resumes: 0,
        pause: undefined,
        outcome: undefined,
        collector: newCollector(file.id),
        autoResumed: false,
        version: 0,
        controller: new AbortController(),
        timer: undefined,
        waiters: new Set(),
      };
      this.#runs.set(file.id, run);
      calls.collect(run.collector);
      try {
        const request = apiRequest(input, { ...headers, [BREAKPOINTS_HEADER]: breakpoints.join(',') }, run.controller.signal, DEBUG_REQUEST_BOUND_MS);
        calls.magic.client.callApi(request).then(
          (response) => this.#settle(run, { response }),
          (error: unknown) => this.#settle(run, { error }),
        );
        return await this.#answerAfterChange(run, 0, options);
      } finally {
        calls.collect(undefined);
      }
    });
  }

  /**
   * `magic_debug_step`: resume a paused run (`step`: to the very next statement; `resume`: to the next breakpoint)
   * and answer at its next pause or its end; a run still running is only waited for.
   */
  step(scriptId: string | undefined, action: 'step' | 'resume', breakpoints: number[] | undefined, options: { timeoutMs: number; logWaitMs: number; signal?: AbortSignal | undefined }): Promise<DebugAnswer> {
    const { calls } = this.#options;
    return calls.exclusive(async () => {
      const run = this.#pick(scriptId);
      if (run.outcome !== undefined) return this.#answer(run);
      if (breakpoints !== undefined) run.breakpoints = [...breakpoints];
      const version = run.version;
      calls.collect(run.collector);
      try {
        if (isPaused(run)) {
          const clientId = calls.magic.console?.clientId;
          if (clientId !== run.clientId) {
            throw new RunRefusal(
              `The console reconnected since ${describe(run.file)} paused (client id ${run.clientId} → ${clientId ?? 'none'}); the server resumes only from the session that started it.`,
              'The server lets the run go on by itself after its own debug timeout (magic-api.debug.timeout, 60 s by default).',
            );
          }
          await this.#resume(run, action === 'step', run.breakpoints);
        }
        return await this.#answerAfterChange(run, version, options);
      } finally {
        calls.collect(undefined);
      }
    });
  }

  /**
   * At shutdown, while the console is still open: resume every paused run with no breakpoints (it runs to its end
   * and frees its request thread), then abort the requests. Nothing starts any more.
   */
  async stop(): Promise<void> {
    this.#isStopping = true;
    const paused = this.runs().filter(isPaused);
    await Promise.all(paused.map((run) => this.#resume(run, false, [], true).catch((error: unknown) => this.#options.logger.warning('could not resume %s at shutdown: %s', describe(run.file), (error as Error).message))));
    for (const run of this.#runs.values()) {
      clearTimeout(run.timer);
      run.controller.abort(new Error('the host is shutting down'));
    }
    this.#unsubscribe();
  }

  #pick(scriptId: string | undefined): DebugRun {
    if (scriptId !== undefined) {
      const run = this.#runs.get(scriptId);
      if (!run) throw new RunRefusal(`No debug run of script ${scriptId}.`, this.#runs.size > 0 ? `The runs are: ${this.runs().map((candidate) => `${candidate.scriptId} (${describe(candidate.file)})`).join(', ')}.` : 'Start one with magic_debug_call.');
      return run;
    }
    const runs = this.runs();
    if (runs.length === 0) throw new RunRefusal('There is no debug run.', 'Start one with magic_debug_call.');
    if (runs.length > 1) throw new RunRefusal(`There are ${runs.length} debug runs: say which with scriptId.`, `The runs are: ${runs.map((candidate) => `${candidate.scriptId} (${describe(candidate.file)})`).join(', ')}.`);
    return runs[0]!;
  }

  /** Wait until the run pauses again or ends (or `timeoutMs`), then `logWaitMs` for the lines still buffered, and answer. */
  async #answerAfterChange(run: DebugRun, version: number, options: { timeoutMs: number; logWaitMs: number; signal?: AbortSignal | undefined }): Promise<DebugAnswer> {
    const changed = await this.#waitForChange(run, version, options.timeoutMs, options.signal);
    if (changed) await delay(options.logWaitMs, options.signal);
    return this.#answer(run);
  }

  #answer(run: DebugRun): DebugAnswer {
    const logs = { ...run.collector, lines: run.collector.lines.splice(0), exceptions: run.collector.exceptions.splice(0) };
    run.collector.dropped = 0;
    if (run.outcome !== undefined) {
      // Handed over: forget it (a paused one is never forgotten, see #settle).
      if (this.#runs.get(run.scriptId) === run && !isPaused(run)) this.#runs.delete(run.scriptId);
      return { state: 'finished', run, logs };
    }
    return { state: isPaused(run) ? 'paused' : 'running', run, logs };
  }

  #waitForChange(run: DebugRun, version: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (run.version > version) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        run.waiters.delete(onChange);
        signal?.removeEventListener('abort', onAbort);
      };
      const onChange = () => {
        if (run.version <= version) return;
        finish();
        resolve(true);
      };
      const onAbort = () => {
        finish();
        resolve(false);
      };
      const timer = setTimeout(onAbort, timeoutMs);
      run.waiters.add(onChange);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #changed(run: DebugRun): void {
    run.version++;
    for (const waiter of [...run.waiters]) waiter();
  }

  async #resume(run: DebugRun, stepInto: boolean, lines: number[], isShutdown = false): Promise<void> {
    if (!isPaused(run)) return;
    const handle = this.#options.calls.magic.console?.handle;
    if (!handle) throw new RunRefusal('The console is gone: the run cannot be resumed.');
    // Counted before the send: two resumes for one pause would block the console socket.
    run.resumes++;
    run.pause = undefined;
    clearTimeout(run.timer);
    run.timer = undefined;
    await handle.send(`resume_breakpoint,${run.scriptId},${stepInto ? '1' : '0'},${lines.join('|')}`, isShutdown ? { timeoutMs: RESUME_SEND_BOUND_MS } : {});
  }

  #onMessage(message: MagicApiBufferedMessage): void {
    if (message.type !== 'BREAKPOINT') return;
    const run = this.#runs.get(message.data.scriptId);
    if (!run || run.outcome !== undefined) return;
    run.pauses++;
    run.pause = { range: message.data.range, variables: message.data.variables as PauseState['variables'], at: message.receivedAt };
    clearTimeout(run.timer);
    const pauses = run.pauses;
    run.timer = setTimeout(() => void this.#autoResume(run, pauses), this.#options.debugTimeoutMs);
    run.timer.unref();
    this.#changed(run);
  }

  /**
   * Past `debugTimeoutMs`: resume with the breakpoints cleared, through the queue like any call — the lines of the
   * rest of the run are its own, kept for the answer that hands it over (`magic_debug_step`).
   */
  async #autoResume(run: DebugRun, pauses: number): Promise<void> {
    const { calls, logger, debugTimeoutMs } = this.#options;
    await calls.exclusive(async () => {
      if (run.pauses !== pauses || !isPaused(run) || this.#isStopping) return;
      run.autoResumed = true;
      logger.info('%s paused longer than %d s (debugTimeoutSeconds): resumed with its breakpoints cleared', describe(run.file), Math.round(debugTimeoutMs / 1000));
      const version = run.version;
      calls.collect(run.collector);
      try {
        await this.#resume(run, false, []);
        if (await this.#waitForChange(run, version, AUTO_RESUME_WAIT_MS, undefined)) await delay(DEFAULT_LOG_WAIT_MS);
      } catch (error) {
        logger.warning('could not resume %s: %s', describe(run.file), (error as Error).message);
      } finally {
        calls.collect(undefined);
      }
    });
  }

  #settle(run: DebugRun, outcome: { response: ApiResponse } | { error: unknown }): void {
    run.outcome = outcome;
    clearTimeout(run.timer);
    // No answer (the request timed out or was aborted) while the server still holds the run paused: let it go.
    if ('error' in outcome && isPaused(run) && !this.#isStopping) {
      this.#resume(run, false, []).catch((error: unknown) => this.#options.logger.warning('could not resume %s: %s', describe(run.file), (error as Error).message));
    }
    this.#changed(run);
  }
}

/** `GET /order/calculate (价格计算)`. */
export function describe(file: ScriptFile): string {
  return `${file.method ?? ''} ${file.requestPath ?? ''} (${file.name})`.trim();
}

export type { ConsoleException };

/**
 * A paused-able run: MagicScriptDebugContext (magic-script library; the version Magic-API 2.x calls with
 * `pause(startRow, startCol, endRow, endCol, variables)`, setBreakpoints, setStepInto and singal()).
 *
 * Its two queues are modelled exactly, because their counts decide what a client sees:
 * - pause(): when stepping, or when the statement's start line is a breakpoint, it records the range, offers a
 *   token to `consumer`, reports the variables (the `breakpoint` frame), then waits on `producer` for at most the
 *   debug timeout — and on timeout simply goes on (the run is not aborted).
 * - singal() (the resume_breakpoint handler): offers to `producer`, then takes from `consumer`, blocking the
 *   console session's message thread until a pause has offered one. A resume while the run is between pauses
 *   therefore lets the next pause fall straight through and holds that socket's incoming messages until a later
 *   pause (or forever, if none comes).
 */
import type { JavaValue } from '../java/values.js';
import type { SpanLine } from '../script/span.js';

export interface PauseInfo {
  /** [startRow, startCol, endRow, endCol] */
  range: [number, number, number, number];
  variables: [string, JavaValue][];
  pausedAt: number;
}

export class DebugContext {
  breakpoints: number[];
  stepInto = false;
  private producer = 0;
  private consumer = 0;
  private wakePause: (() => void) | undefined;
  private readonly consumerWaiters: (() => void)[] = [];
  /** The pause the run is waiting in, if any (harness view). */
  paused: PauseInfo | undefined;
  private closed = false;

  constructor(
    breakpoints: number[],
    /** seconds (MagicConfiguration.debugTimeout, magic-api.debug.timeout, default 60) — here in milliseconds. */
    private readonly timeoutMs: number,
    private readonly report: (info: { variables: [string, JavaValue][]; range: [number, number, number, number] }) => void,
  ) {
    this.breakpoints = breakpoints;
  }

  async pause(line: SpanLine, variables: () => [string, JavaValue][]): Promise<void> {
    if (!(this.stepInto || this.breakpoints.includes(line.lineNumber))) return;
    const range: [number, number, number, number] = [line.lineNumber, line.startCol, line.endLineNumber, line.endCol];
    this.offerConsumer();
    const snapshot = variables();
    this.paused = { range, variables: snapshot, pausedAt: Date.now() };
    this.report({ variables: snapshot, range });
    try {
      await this.pollProducer();
    } finally {
      this.paused = undefined;
    }
  }

  private pollProducer(): Promise<void> {
    if (this.producer > 0 || this.closed) {
      if (this.producer > 0) this.producer--;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakePause = undefined;
        resolve();
      }, this.timeoutMs);
      this.wakePause = () => {
        clearTimeout(timer);
        this.wakePause = undefined;
        resolve();
      };
    });
  }

  private offerConsumer(): void {
    const waiter = this.consumerWaiters.shift();
    if (waiter) waiter();
    else this.consumer++;
  }

  /** singal(): offer to producer, then take from consumer (resolves when a token is available). */
  signal(): Promise<void> {
    if (this.wakePause) this.wakePause();
    else this.producer++;
    if (this.consumer > 0 || this.closed) {
      if (this.consumer > 0) this.consumer--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.consumerWaiters.push(resolve));
  }

  /** The emulator is stopping: release every waiter so nothing hangs. */
  release(): void {
    this.closed = true;
    if (this.wakePause) this.wakePause();
    for (const waiter of this.consumerWaiters.splice(0)) waiter();
  }
}

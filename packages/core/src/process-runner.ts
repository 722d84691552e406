import { HostError, describeError, formatError, isHostError } from './errors.js';
import { EXIT_CODES, HANDLED_SIGNALS, exitCodeFor, signalExitCode, type HandledSignal } from './exit-codes.js';
import type { Host } from './host.js';
import { createHttpSessionServer } from './lazy-http.js';
import type { SessionListener } from './session-pool.js';
import { StdioTransport } from './stdio-transport.js';
import { guardStdout, type StdoutGuard } from './stdout-guard.js';

export interface ProcessRunOptions {
  /** Stack traces in errors, and a list of handles left open after shutdown. */
  debug: boolean;
  /** Where errors, the listening line and the leak report go (the host writes its logs and report there too). */
  stderr: NodeJS.WritableStream;
}

/**
 * A host as a whole process, as `mcp-host start` runs it: the process owns the signals (SIGINT, SIGTERM, SIGHUP;
 * a second one forces exit), uncaught errors and stdin EOF as shutdown triggers; keeps stdout for JSON-RPC alone
 * (the stdout guard); chooses and wires the transport the config names; and exits with the documented code once
 * stdout is flushed, never later than a second after the shutdown deadline. The host itself knows nothing of the
 * process: everything here reaches it through `load`, `serve`, `shutdown` and `whenStopped`.
 */
export async function runProcess(host: Host, options: ProcessRunOptions): Promise<never> {
  return new ProcessRunner(host, options).run();
}

class ProcessRunner {
  readonly #host: Host;
  readonly #options: ProcessRunOptions;
  readonly #listeners: (() => void)[] = [];
  #baseline: string[] = [];
  #guard: StdoutGuard | undefined;
  #stdio: StdioTransport | undefined;
  /** `host.serve()` under way: stdin EOF during startup waits for it when requests are waiting to be served. */
  #serving: Promise<void> | undefined;
  #signalCount = 0;

  constructor(host: Host, options: ProcessRunOptions) {
    this.#host = host;
    this.#options = options;
  }

  async run(): Promise<never> {
    const host = this.#host;
    this.#baseline = process.getActiveResourcesInfo();
    // Before any plugin module is imported: their top-level console.log must not reach stdout either.
    this.#guard = guardStdout();
    this.#bindProcess();
    let config;
    try {
      config = await host.load();
    } catch (error) {
      // A signal while the config loads: the shutdown it began decides the exit code, as at any other moment.
      if (isHostError(error) && error.code === 'MCPH_STARTUP_ABORTED') {
        const report = await host.whenStopped();
        return this.#exit(report.exitCode, Math.max(250, (host.deadline ?? Date.now()) - Date.now()));
      }
      this.#print(error);
      return this.#exit(exitCodeFor(error));
    }
    const transport = config.host.transport;
    let target: StdioTransport | SessionListener;
    if (transport.type === 'stdio') {
      target = this.#stdio = this.#stdioTransport();
    } else {
      // Over HTTP stdout is no protocol channel, and stdin (often /dev/null under a supervisor) is no trigger.
      this.#guard.restore();
      this.#guard = undefined;
      // One parseable line, for scripts and tests that asked for port 0.
      target = await createHttpSessionServer(transport, { onListening: (url) => this.#options.stderr.write(`mcp-host: listening on ${url.href}\n`) });
    }
    const serving = (this.#serving = host.serve(target));
    try {
      await serving;
    } catch (error) {
      // serve() began the shutdown (fatal-error); say why here, with the stack under --debug.
      this.#print(error);
    }
    const report = await host.whenStopped();
    this.#reportLeaks();
    return this.#exit(report.exitCode, Math.max(250, (host.deadline ?? Date.now()) - Date.now()));
  }

  /** stdio, read from now on: a client that is gone before startup ends is noticed. */
  #stdioTransport(): StdioTransport {
    const host = this.#host;
    const guard = this.#guard;
    return new StdioTransport({
      stdin: process.stdin,
      stdout: process.stdout,
      write: guard ? guard.write : (chunk, callback) => process.stdout.write(chunk, callback),
      onInputClosed: () => void this.#onInputClosed(),
      onOutputClosed: (error) => {
        host.logger.debug('stdout closed: %s', error.message);
        void host.shutdown('transport-closed');
      },
      onBadLine: (message) => host.logger.warning(message),
      // Clients write their first message as soon as they spawn us: it is usually read while plugins load.
      onFirstMessage: (message) => host.preloadFor(message),
    });
  }

  /**
   * stdin EOF: the client is done. Requests it wrote before closing are still served, even when EOF comes
   * during startup (scripted clients write everything and close at once): then shutdown waits until the
   * transport is connected (startup is bounded, and any other trigger still ends it at once).
   */
  async #onInputClosed(): Promise<void> {
    if (this.#stdio?.hasQueuedRequests && this.#serving) await this.#serving.catch(() => {});
    void this.#host.shutdown('stdin-closed');
  }

  /** Signals, uncaught errors, the watchdog; removed again when the process exits. */
  #bindProcess(): void {
    const listen = (event: string, listener: (...args: any[]) => void) => {
      process.on(event, listener);
      this.#listeners.push(() => process.off(event, listener));
    };
    for (const signal of HANDLED_SIGNALS) listen(signal, () => this.#onSignal(signal));
    const fatal = (kind: string) => (error: unknown) => {
      const fatalError = new HostError('MCPH_HOST_UNEXPECTED', `fatal error (${kind}): ${describeError(error)}`, { cause: error });
      this.#print(fatalError);
      void this.#host.shutdown('fatal-error', fatalError);
    };
    listen('uncaughtException', fatal('uncaughtException'));
    listen('unhandledRejection', fatal('unhandledRejection'));
    // A client that stopped reading stderr must not crash us either.
    listen('SIGPIPE', () => {});
    process.stderr.on('error', () => {});
    // However shutdown began, the process is gone a second after its deadline.
    this.#host.signal.addEventListener('abort', () => this.#armWatchdog(), { once: true });
  }

  #onSignal(signal: HandledSignal): void {
    this.#signalCount++;
    const host = this.#host;
    const isStopping = host.state === 'stopping' || host.state === 'stopped';
    if (isStopping && this.#signalCount >= 2) {
      const still = host.pendingTaps;
      this.#options.stderr.write(`mcp-host: ${signal} again; forcing exit${still.length ? ` with taps still pending: ${still.join(', ')}` : ''}\n`);
      process.exit(signalExitCode(signal));
    }
    if (isStopping) {
      host.logger.info('%s received; shutdown is under way (send it again to force exit)', signal);
      return;
    }
    void host.shutdown(signal);
  }

  #armWatchdog(): void {
    const deadline = this.#host.deadline ?? Date.now();
    // A ref'd timer: it must fire even if everything else let go of the event loop.
    setTimeout(() => {
      this.#print(new HostError('MCPH_SHUTDOWN_TIMEOUT', 'shutdown.timeoutMs exceeded by a second: exiting now, without waiting for the rest'));
      process.exit(EXIT_CODES.FAILURE);
    }, Math.max(0, deadline + 1000 - Date.now()));
  }

  #print(error: unknown): void {
    this.#options.stderr.write(formatError(error, { debug: this.#options.debug }));
  }

  /** With --debug: the handles still open after the taps ran, against the baseline taken before anything began. */
  #reportLeaks(): void {
    if (!this.#options.debug) return;
    const baseline = [...this.#baseline];
    const left: string[] = [];
    for (const resource of process.getActiveResourcesInfo()) {
      const index = baseline.indexOf(resource);
      if (index !== -1) baseline.splice(index, 1);
      else left.push(resource);
    }
    // The watchdog timer and the stdio pipes are the runner's own.
    const ignored = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback']);
    let watchdog = 1;
    const leaks = left.filter((resource) => !ignored.has(resource) && !(resource === 'Timeout' && watchdog-- > 0));
    if (leaks.length > 0) this.#options.stderr.write(`mcp-host: still open after shutdown (debug): ${summarize(leaks)}\n`);
    else this.#options.stderr.write('mcp-host: nothing left open after shutdown (debug)\n');
  }

  /** Exit once stdout is flushed: `process.exit()` right after writing to a pipe truncates the output. */
  async #exit(code: number, capMs = 1000): Promise<never> {
    for (const remove of this.#listeners.splice(0)) remove();
    // Signals from now on: a second one still forces the exit.
    for (const signal of HANDLED_SIGNALS) process.on(signal, () => process.exit(signalExitCode(signal)));
    process.on('uncaughtException', () => {});
    const cap = setTimeout(() => process.exit(code), capMs);
    try {
      if (this.#stdio && !this.#stdio.isOutputDead) {
        await this.#stdio.flush();
        const write = this.#guard?.write ?? ((chunk: string, callback: () => void) => process.stdout.write(chunk, callback));
        await new Promise<void>((resolve) => write('', () => resolve()));
      }
      await new Promise<void>((resolve) => process.stderr.write('', () => resolve()));
    } finally {
      clearTimeout(cap);
      process.exit(code);
    }
  }
}

function summarize(resources: string[]): string {
  const counts = new Map<string, number>();
  for (const resource of resources) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  return [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ');
}

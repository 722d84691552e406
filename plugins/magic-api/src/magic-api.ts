import type { Logger } from '@mcp-host/core';
import type { WebSocketManagerService } from '@mcp-host/plugin-websocket-manager';
import { ConsoleLink } from './console-link.js';
import { MagicClient } from './magic-client.js';
import { resolveEndpoints, type MagicApiOptions, type MagicEndpoints } from './options.js';
import { TreeRefresher } from './tree-refresher.js';
import { TreeResources } from './tree-resources.js';

export interface MagicApiContext {
  logger: Logger;
  /** The host's signal: aborts when shutdown begins. */
  signal: AbortSignal;
  /** websocket-manager's service, when the console is wanted. */
  manager?: WebSocketManagerService | undefined;
  /** Serve the tree as resources (resource-manager is there to contribute to). */
  withResources: boolean;
  userAgent?: string;
}

/**
 * One Magic-API server as the plugin holds it — what the tools build on:
 * - `client`: the editor HTTP API (`editor(endpoint, …)`, `tree()`, `file(id)`, `callApi(…)`, login, token);
 * - `tree`: the current script tree (`tree.current`, a `ScriptTree`) and `tree.refresh()` (call it after an edit);
 * - `console`: the console connection (`console.handle` for `waitFor`/`messages`, `console.requestHeaders(scriptId)`
 *   for a request whose logs should reach it), when enabled;
 * - `resources`: the `magic-api://` resource source.
 */
export class MagicApi {
  readonly endpoints: MagicEndpoints;
  readonly client: MagicClient;
  readonly tree: TreeRefresher;
  readonly console: ConsoleLink | undefined;
  readonly resources: TreeResources | undefined;
  readonly #logger: Logger;
  readonly #hasCredentials: boolean;
  readonly #stopSteps: (() => Promise<void>)[] = [];
  #isStarted = false;

  constructor(options: MagicApiOptions, context: MagicApiContext) {
    this.endpoints = resolveEndpoints(options);
    this.#logger = context.logger;
    const credentials = options.username !== undefined && options.password !== undefined ? { username: options.username, password: options.password } : undefined;
    this.#hasCredentials = credentials !== undefined;
    this.client = new MagicClient({
      baseUrl: options.baseUrl,
      web: options.web,
      token: options.token,
      credentials,
      timeoutMs: Math.round(options.timeoutSeconds * 1000),
      maxResponseBytes: options.maxResponseBytes,
      maxSockets: options.maxSockets,
      logger: context.logger,
      signal: context.signal,
      ...(context.userAgent ? { userAgent: context.userAgent } : {}),
    });
    this.tree = new TreeRefresher({ client: this.client, logger: context.logger, intervalMs: Math.round(options.refreshSeconds * 1000) });
    this.console =
      options.console !== false && context.manager
        ? new ConsoleLink({ manager: context.manager, name: options.console.name, url: this.endpoints.consoleUrl, bufferSize: options.console.bufferSize, client: this.client, logger: context.logger })
        : undefined;
    this.resources = context.withResources ? new TreeResources({ refresher: this.tree, client: this.client, logger: context.logger, pageSize: options.pageSize }) : undefined;
    if (context.signal.aborted) this.tree.stop();
    else context.signal.addEventListener('abort', () => this.tree.stop(), { once: true });
  }

  /**
   * From the `start` tap; returns at once, the network work goes on in the background (a server that is down or
   * slow does not hold the host's startup; the first listing waits for the tree instead). Without a username and
   * password, or with a token, the console opens now (with the token, or as the guest); with credentials alone,
   * after the login the first fetch of the tree makes. Then the tree's schedule.
   */
  start(): void {
    if (this.#isStarted) return;
    this.#isStarted = true;
    this.#logger.debug('Magic-API at %s (console %s)', this.endpoints.webUrl, this.console ? this.endpoints.consoleUrl : 'off');
    // With credentials and no token the first request (the tree's first fetch) logs in, and the console opens from
    // the login listener once a login succeeded; a refused login is warned about by the tree, and the next request
    // (its schedule, a read) logs in again. A token given is used at once, by both sides.
    if (!this.#hasCredentials || this.client.token !== undefined) this.console?.open();
    this.tree.start();
  }

  /**
   * Run `step` in `stopCalls`, while the console is still open (the debugging tools resume their paused runs there).
   * A step that throws is logged; the others still run.
   */
  beforeStopCalls(step: () => Promise<void>): void {
    this.#stopSteps.push(step);
  }

  /**
   * The first shutdown tap, before the console closes: the steps of `beforeStopCalls` (paused debug runs resumed),
   * no more scheduled fetches, every call in flight aborted (the host's signal did that already when shutdown began;
   * this makes sure of it).
   */
  async stopCalls(): Promise<void> {
    this.tree.stop();
    for (const step of this.#stopSteps) {
      try {
        await step();
      } catch (error) {
        this.#logger.warning('stopping calls: %s', (error as Error).message);
      }
    }
    this.client.pool.abortAll('the host is shutting down');
  }

  /** The last shutdown tap, after the console and the resources closed: the HTTP client's sockets. */
  async close(signal?: AbortSignal): Promise<void> {
    this.tree.stop();
    this.console?.close();
    await this.resources?.close();
    await this.client.close(signal);
  }
}

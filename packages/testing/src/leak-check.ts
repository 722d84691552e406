import { createHook } from 'node:async_hooks';

/**
 * Async resource types that hold the event loop open: sockets, servers, timers (an `Immediate` only while it is
 * pending, so after the settle it is one that keeps rescheduling itself), watchers, child processes. Not an HTTP
 * request object: it holds nothing itself (its socket does, and is counted), and its destroy hook comes a loop
 * turn after its socket closed, so counting it would report a request already released.
 */
const HOLDING_TYPES = new Set(['Timeout', 'Immediate', 'TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'UDPWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'PROCESSWRAP', 'TLSWRAP']);

/** How `process.getActiveResourcesInfo()` names them, for messages that match what `--debug` prints. */
const DISPLAY: Record<string, string> = {
  TCPWRAP: 'TCPSocketWrap',
  TCPSERVERWRAP: 'TCPServerWrap',
  PIPEWRAP: 'PipeWrap',
  PIPESERVERWRAP: 'PipeServerWrap',
  UDPWRAP: 'UDPWrap',
  FSEVENTWRAP: 'FSEventWrap',
  STATWATCHER: 'StatWatcher',
  PROCESSWRAP: 'ProcessWrap',
  TLSWRAP: 'TLSWrap',
};

export interface LeakCheck {
  /** Resources created since tracking began that still hold the event loop (after up to `settleMs`). */
  leaked(settleMs?: number): Promise<string[]>;
  /** Throws, listing them, if any resource created since tracking began still holds the event loop. */
  assertNone(settleMs?: number): Promise<void>;
  /** Stop tracking. */
  stop(): void;
}

interface Tracked {
  type: string;
  resource: WeakRef<object>;
}

/**
 * Track the resources created from now on (async_hooks), so a leak is told apart from the test runner's own
 * timers and sockets. Later, after the host's shutdown, `assertNone()` fails if one of them still holds the
 * event loop: a ref'd timer, an open socket, server or watcher. Sockets close a tick or two after
 * `destroy()`, so it waits up to `settleMs` for them before judging.
 *
 * While tracking, async_hooks are on for the whole process, which makes promise-heavy code slower: timing
 * races in a test show up more readily. Call `stop()` (or `assertNoLeaks()`) when done.
 */
export function trackResources(): LeakCheck {
  const live = new Map<number, Tracked>();
  const hook = createHook({
    init(asyncId, type, _trigger, resource) {
      if (HOLDING_TYPES.has(type)) live.set(asyncId, { type, resource: new WeakRef(resource as object) });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  const holding = (): string[] => {
    const names: string[] = [];
    for (const { type, resource } of live.values()) {
      const target = resource.deref() as { hasRef?: () => boolean; _destroyed?: boolean } | undefined;
      if (!target) continue;
      // A cleared timer may stay in the map until its destroy hook runs; a timer that no longer holds the loop is no leak.
      if (typeof target.hasRef === 'function' && !target.hasRef()) continue;
      if (target._destroyed === true) continue;
      names.push(DISPLAY[type] ?? type);
    }
    return names;
  };
  const leaked = async (settleMs = 500): Promise<string[]> => {
    const until = Date.now() + settleMs;
    let left = holding();
    while (left.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setImmediate(resolve));
      left = holding();
    }
    return left;
  };
  return {
    leaked,
    async assertNone(settleMs) {
      const left = await leaked(settleMs);
      if (left.length > 0) {
        const counts = new Map<string, number>();
        for (const resource of left) counts.set(resource, (counts.get(resource) ?? 0) + 1);
        const summary = [...counts].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name)).join(', ');
        throw new Error(`Resources left open after shutdown: ${summary}. A plugin's shutdown tap must close every socket, timer and watcher it opened.`);
      }
    },
    stop: () => hook.disable(),
  };
}

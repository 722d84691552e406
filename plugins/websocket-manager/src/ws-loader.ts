import type { connect as tlsConnect } from 'node:tls';
import type WebSocketClass from 'ws';

/**
 * `ws` loaded on first need: importing it costs more at startup than the rest of this plugin (it pulls in
 * node:http, node:https, node:tls, node:zlib and tries its optional native add-ons), and a host whose config lists no
 * connection, or adds them later (plugin-magic-api's console), should not pay that before it answers `initialize`.
 */
/** What a connection needs to open a socket; node:tls comes with it (ws loads it anyway), for wss: URLs. */
export interface WebSocketRuntime {
  WebSocket: typeof WebSocketClass;
  tlsConnect: typeof tlsConnect;
}

let loaded: WebSocketRuntime | undefined;
let loading: Promise<WebSocketRuntime> | undefined;

export function loadWebSocket(): Promise<WebSocketRuntime> {
  loading ??= Promise.all([import('ws'), import('node:tls')]).then(([ws, tls]) => (loaded = { WebSocket: ws.default, tlsConnect: tls.connect }));
  return loading;
}

/** The runtime once `loadWebSocket()` settled, else undefined. */
export function loadedWebSocket(): WebSocketRuntime | undefined {
  return loaded;
}

/** `WebSocket#readyState` values (the class's static constants, without loading the class). */
export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

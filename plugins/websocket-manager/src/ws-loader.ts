import type WebSocketClass from 'ws';

/**
 * `ws` loaded on first need: importing it costs more at startup than the rest of this plugin (it pulls in
 * node:http, node:https, node:zlib and tries its optional native add-ons), and a host whose config lists no
 * connection, or adds them later (plugin-magic-api's console), should not pay that before it answers `initialize`.
 */
let loaded: typeof WebSocketClass | undefined;
let loading: Promise<typeof WebSocketClass> | undefined;

export function loadWebSocket(): Promise<typeof WebSocketClass> {
  loading ??= import('ws').then((module) => (loaded = module.default));
  return loading;
}

/** The `WebSocket` class once `loadWebSocket()` settled, else undefined. */
export function loadedWebSocket(): typeof WebSocketClass | undefined {
  return loaded;
}

/** `WebSocket#readyState` values (the class's static constants, without loading the class). */
export const READY_STATE = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

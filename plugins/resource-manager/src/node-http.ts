import type * as http from 'node:http';
import type * as https from 'node:https';
import { createRequire } from 'node:module';

// node:http and node:https are loaded on the first request, and only the one its URL needs: together ~11 ms at
// startup (node:https brings node:tls), before the host has answered `initialize`, for a client that may never send
// a request, or never to an https: URL. `require` of a built-in is synchronous, so the first request is sent as
// before, in the same tick.
const require = createRequire(import.meta.url);

/** The client module for a URL's protocol: node:https for `https:`, node:http otherwise. */
export function httpModuleFor(protocol: string): typeof http | typeof https {
  return protocol === 'https:' ? (require('node:https') as typeof https) : (require('node:http') as typeof http);
}

import type { ConnectionOptions } from '../options.js';
import { createJsonProtocol } from './json.js';
import { createMagicApiProtocol } from './magic-api.js';
import type { Protocol } from './protocol.js';
import { createTextProtocol } from './text.js';

/** The protocol instance for one connection, from its options. */
export function createProtocol(options: Pick<ConnectionOptions, 'name' | 'protocol' | 'auth'>): Protocol {
  switch (options.protocol) {
    case 'text':
      return createTextProtocol();
    case 'json':
      return createJsonProtocol();
    case 'magic-api':
      return createMagicApiProtocol(options.name, options.auth);
  }
}

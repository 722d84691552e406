export * from './host-process.js';
export * from './probes.js';
// The helpers every package's tests share live in the kit.
export { freePort, listAllPages, listenForTest, sleep, waitUntil } from '@mcp-host/testing';
export * from './cli-in-process.js';
export * from './in-process-host.js';
export * from './fuzz.js';

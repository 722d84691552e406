export * from './host-process.js';
export * from './probes.js';
export * from './loopback.js';
export * from './cli-in-process.js';
export * from './in-process-host.js';

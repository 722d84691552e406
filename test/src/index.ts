export * from './host-process.js';
export * from './probes.js';
export * from './loopback.js';

export * from './host-process.js';
export * from './probes.js';

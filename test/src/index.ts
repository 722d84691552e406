export * from './host-process.js';

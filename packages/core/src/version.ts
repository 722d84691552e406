import { readFileSync } from 'node:fs';

/** This package's version: what a plugin's `core` range is checked against. */
export const CORE_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

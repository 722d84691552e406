#!/usr/bin/env node
import { main } from '../dist/main.js';

const code = await main(process.argv.slice(2));
// Exit once stdout is flushed: exiting at once would truncate piped output.
process.stdout.write('', () => process.exit(code));

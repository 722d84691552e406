#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): a lone `--version` or `--help` is answered here, from package.json and usage.txt,
// without starting Node's ES module loader — what a client or a user runs most to check an install, at ~1.05×
// `node -e 0` instead of ~1.15× (issue 13). Everything else, those flags with anything beside them included, goes
// to main() in dist/main.js, which reads the same two files.
const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;
if (only === '--version' || only === '-v' || only === '--help' || only === '-h') {
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  const { version } = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8'));
  process.stdout.write(only === '--version' || only === '-v' ? `${version}\n` : readFileSync(join(__dirname, 'usage.txt'), 'utf8').replace('{version}', version));
} else {
  void import('../dist/main.js')
    .then(({ main }) => main(argv))
    // Exit once stdout is flushed: exiting at once would truncate piped output.
    .then((code) => process.stdout.write('', () => process.exit(code)));
}

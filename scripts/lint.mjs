// The project's own lint: rules no off-the-shelf linter here knows.
// 1. No console.log/info/debug in our sources: in stdio mode stdout is the protocol channel.
// 2. No process.exit() in plugins: the host owns the process.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const problems = [];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const file = join(dir, name);
    if (statSync(file).isDirectory()) yield* sources(file);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) yield file;
  }
}

for (const top of ['packages', 'plugins']) {
  let entries;
  try {
    entries = readdirSync(join(root, top));
  } catch {
    continue;
  }
  for (const pkg of entries) {
    const src = join(root, top, pkg, 'src');
    try {
      statSync(src);
    } catch {
      continue;
    }
    for (const file of sources(src)) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        const where = `${relative(root, file)}:${index + 1}`;
        if (/\bconsole\.(log|info|debug)\s*\(/.test(line) && !line.includes('lint-allow-console')) {
          problems.push(`${where}: console.${line.match(/console\.(\w+)/)[1]} writes to stdout; use host.logger`);
        }
        if (top === 'plugins' && /\bprocess\.exit\s*\(/.test(line)) {
          problems.push(`${where}: process.exit() in a plugin; tap host.hooks.shutdown or call host.shutdown()`);
        }
      });
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n${problems.length} lint problem(s)\n`);
  process.exit(1);
}
process.stdout.write('lint: ok\n');

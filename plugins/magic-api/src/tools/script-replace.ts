// The text change behind magic_replace_in_script, and the lines it touched — kept apart from the tool so it can be
// reasoned about on its own: offsets into the old script map to lines of the old and of the new one.

export interface LineChange {
  /** The first changed line, 1-based, in the script after the change. */
  line: number;
  /** The whole lines the matches were on, before (joined with "\n"). */
  before: string;
  /** The same lines after the change. */
  after: string;
}

export interface Replacement {
  script: string;
  /** Matches replaced. */
  count: number;
  /** One entry per run of lines touched (matches on one line are one change). */
  changes: LineChange[];
}

export interface ReplaceRequest {
  search: string;
  replacement: string;
  /** A `g` expression: `search` as a regular expression, `replacement` with `$1`…; undefined: both plain text. */
  pattern?: RegExp | undefined;
  all: boolean;
}

interface Match {
  start: number;
  end: number;
  text: string;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const next = text.indexOf('\n', offset);
  return next === -1 ? text.length : next;
}

function lineNumber(text: string, offset: number): number {
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/** `replacement` with `$$`, `$&`, `` $` ``, `$'`, `$1`…`$99` and `$<name>` filled in from `found`, as `String#replace` does. */
function expand(replacement: string, found: RegExpExecArray, subject: string): string {
  const groups = found.length - 1;
  return replacement.replace(/\$(\$|&|`|'|\d{1,2}|<[^>]*>)/g, (token: string, key: string) => {
    if (key === '$') return '$';
    if (key === '&') return found[0];
    if (key === '`') return subject.slice(0, found.index);
    if (key === "'") return subject.slice(found.index + found[0].length);
    if (key.startsWith('<')) return found.groups ? (found.groups[key.slice(1, -1)] ?? '') : token;
    // "$12" is group 12 when there are that many, else group 1 followed by "2".
    const two = Number(key);
    if (key.length === 2 && two >= 1 && two <= groups) return found[two] ?? '';
    const one = Number(key[0]);
    if (one >= 1 && one <= groups) return (found[one] ?? '') + key.slice(1);
    return token;
  });
}

/** Replace in `script` as asked; `count` 0 means nothing matched (and the script is returned as it was). */
export function replaceInScript(script: string, request: ReplaceRequest): Replacement {
  const matches: Match[] = [];
  if (request.pattern) {
    const pattern = new RegExp(request.pattern.source, request.pattern.flags.includes('g') ? request.pattern.flags : `${request.pattern.flags}g`);
    for (let found = pattern.exec(script); found !== null; found = pattern.exec(script)) {
      matches.push({ start: found.index, end: found.index + found[0].length, text: expand(request.replacement, found, script) });
      if (found[0].length === 0) pattern.lastIndex++;
      if (!request.all) break;
    }
  } else {
    for (let at = script.indexOf(request.search); at !== -1; at = script.indexOf(request.search, at + request.search.length)) {
      matches.push({ start: at, end: at + request.search.length, text: request.replacement });
      if (!request.all) break;
    }
  }
  if (matches.length === 0) return { script, count: 0, changes: [] };

  // The new script, and where each match's replacement landed in it.
  let result = '';
  let copied = 0;
  const placed: { oldStart: number; oldEnd: number; newStart: number; newEnd: number }[] = [];
  for (const match of matches) {
    result += script.slice(copied, match.start);
    const newStart = result.length;
    result += match.text;
    placed.push({ oldStart: match.start, oldEnd: match.end, newStart, newEnd: result.length });
    copied = match.end;
  }
  result += script.slice(copied);

  // Runs of whole lines: matches whose lines touch or overlap are one change.
  const changes: LineChange[] = [];
  let run: { oldFrom: number; oldTo: number; newFrom: number; newTo: number } | undefined;
  const flush = () => {
    if (!run) return;
    changes.push({ line: lineNumber(result, run.newFrom), before: script.slice(run.oldFrom, run.oldTo), after: result.slice(run.newFrom, run.newTo) });
  };
  for (const spot of placed) {
    const oldFrom = lineStart(script, spot.oldStart);
    const oldTo = lineEnd(script, spot.oldEnd);
    const newFrom = lineStart(result, spot.newStart);
    const newTo = lineEnd(result, spot.newEnd);
    if (run && oldFrom <= run.oldTo) {
      run.oldTo = Math.max(run.oldTo, oldTo);
      run.newTo = Math.max(run.newTo, newTo);
    } else {
      flush();
      run = { oldFrom, oldTo, newFrom, newTo };
    }
  }
  flush();
  return { script: result, count: matches.length, changes };
}

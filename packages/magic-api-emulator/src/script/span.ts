/**
 * Source positions as magic-script reports them (org.ssssssss.script.parsing.Span#getLine).
 *
 * Read from the magic-script library's Span.java (the 2021 source in the bluegitter/magic-script fork; the 1.9.0
 * source Magic-API 2.2.2 ships is not fetchable here, and Magic-API itself uses the same `getLine()` numbers for
 * search hits, MagicWorkbenchController.java:220-225, and exception frames, RequestHandler.java:364-368).
 * Lines and columns are 1-based, endCol inclusive. One quirk kept on purpose: the backwards newline count stops
 * before index 0, so a script whose very first character is "\n" numbers every later line one too low.
 */
export interface SpanLine {
  lineNumber: number;
  endLineNumber: number;
  startCol: number;
  endCol: number;
  /** Offsets of the whole line(s) the span is on. */
  lineStart: number;
  lineEnd: number;
}

export interface Span {
  start: number;
  end: number;
}

export function spanLine(source: string, start: number, end: number): SpanLine {
  let lineStart = start;
  while (lineStart < end) {
    if (lineStart < 0) break;
    if (source[lineStart] === '\n') {
      lineStart += 1;
      break;
    }
    lineStart--;
  }
  if (lineStart < 0) lineStart = 0;
  let lineEnd = end;
  for (;;) {
    if (lineEnd > source.length - 1) break;
    if (source[lineEnd] === '\n') break;
    lineEnd++;
  }
  let lineNumber = 0;
  let idx = lineStart;
  while (idx > 0 && idx < end) {
    if (source[idx] === '\n') lineNumber++;
    idx--;
  }
  lineNumber++;
  idx = lineStart + 1;
  let endLineNumber = lineNumber;
  while (idx < lineEnd) {
    if (source[idx] === '\n') endLineNumber++;
    idx++;
  }
  const startCol = start - lineStart + 1;
  const endCol = startCol + end - start - 1;
  return { lineNumber, endLineNumber, startCol, endCol, lineStart, lineEnd };
}

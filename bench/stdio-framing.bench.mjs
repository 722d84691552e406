// stdin framing benchmark (issue 11, item 6): how long the host's stdio transport takes to frame one long line,
// against the floor of reading the same bytes once (Buffer.concat of the chunks and one newline scan), in-process.
//
//   node bench/stdio-framing.bench.mjs [--runs N] [--json]
//
// Each case writes one line of 5, 20 or 50 MB (a JSON string, so it parses as a message), in 64 KiB chunks as a
// pipe delivers them, to a real PassThrough that the transport reads as its stdin, and times from the first chunk
// to the message arriving. The limit is raised above the size for the run. Target: linear framing, a ratio to
// the floor that does not grow with the size (the quadratic framing it replaced took 0.4 s / 4.1 s / 30 s).
import { PassThrough } from 'node:stream';
import { StdioTransport } from '../packages/core/dist/stdio-transport.js';
import { benchCli, reportHeader } from './harness.mjs';
import { median, p90 } from './stats.mjs';

const { parseFlags, emit } = benchCli('stdio-framing.bench');
const flags = parseFlags({ runs: [3, 1, 50] });
const CHUNK = 64 * 1024;
const SIZES_MB = [5, 20, 50];

function lineOf(mb) {
  const payload = 'x'.repeat(mb * 1024 * 1024);
  return Buffer.from(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/bench', params: { payload } })}\n`);
}

function chunksOf(line) {
  const chunks = [];
  for (let at = 0; at < line.length; at += CHUNK) chunks.push(line.subarray(at, at + CHUNK));
  return chunks;
}

async function frameWithTransport(chunks, limit) {
  const stdin = new PassThrough({ highWaterMark: CHUNK });
  const stdout = new PassThrough();
  const transport = new StdioTransport({
    stdin,
    stdout,
    write: (chunk, callback) => stdout.write(chunk, callback),
    onInputClosed: () => {},
    onOutputClosed: () => {},
    onBadLine: (message) => process.stderr.write(`bad line: ${message}\n`),
    maxLineBytes: limit,
  });
  const arrived = new Promise((resolve) => (transport.onmessage = resolve));
  await transport.start();
  const began = performance.now();
  for (const chunk of chunks) if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
  await arrived;
  const ms = performance.now() - began;
  await transport.close();
  return ms;
}

async function frameFloor(chunks) {
  const stdin = new PassThrough({ highWaterMark: CHUNK });
  const parts = [];
  const arrived = new Promise((resolve) =>
    stdin.on('data', (chunk) => {
      parts.push(chunk);
      if (chunk.indexOf(0x0a) !== -1) resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
    }),
  );
  const began = performance.now();
  for (const chunk of chunks) if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
  await arrived;
  return performance.now() - began;
}

const rows = [];
for (const mb of SIZES_MB) {
  const line = lineOf(mb);
  const chunks = chunksOf(line);
  const host = [];
  const floor = [];
  for (let run = 0; run < flags.runs; run++) {
    floor.push(await frameFloor(chunks));
    host.push(await frameWithTransport(chunks, line.length + 1));
  }
  rows.push({ mb, hostMedianMs: median(host), hostP90Ms: p90(host), floorMedianMs: median(floor), ratio: median(host) / median(floor) });
}

const ratios = rows.map((row) => row.ratio);
const isLinear = Math.max(...ratios) < 3 * Math.min(...ratios) + 2;
let table = `${JSON.stringify(reportHeader('stdio-framing'))}\n| line | transport median | p90 | floor median | ratio |\n|---|---|---|---|---|\n`;
for (const row of rows) table += `| ${row.mb} MB | ${row.hostMedianMs.toFixed(0)} ms | ${row.hostP90Ms.toFixed(0)} ms | ${row.floorMedianMs.toFixed(0)} ms | ${row.ratio.toFixed(2)} |\n`;
table += isLinear ? 'target met: the ratio does not grow with the line size (linear framing)\n' : 'TARGET MISSED: the ratio grows with the line size (framing is not linear)\n';
emit(table, { bench: 'stdio-framing', runs: flags.runs, rows, isLinear }, flags.json);

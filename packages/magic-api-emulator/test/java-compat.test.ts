/**
 * The Java behaviours the emulator re-implements, pinned by unit tests and — where a JDK (and the Jackson jars of
 * a local Maven repository) are on this machine — compared with the real thing, as a hand-written replacement for
 * a library must be.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { javaStringHash, hashMapOrder, copiedCapacity } from '../src/java/hash-order.js';
import { JavaDouble, JavaInt, JavaList, JavaMap, javaDoubleToString, javaToString } from '../src/java/values.js';
import { toJson, toPrettyJson } from '../src/java/jackson-writer.js';
import { readJson } from '../src/java/jackson-reader.js';
import { decryptSaveBody, encryptSaveBody, javaBase64Decode, rot13 } from '../src/java/rot13-body.js';
import { spanLine } from '../src/script/span.js';
import { ConsoleServer, buildMessage, javaIntegerValueOf } from '../src/console/console-server.js';
import { abbreviateLoggerName, formatLogLine } from '../src/console/log-line.js';

describe('Java value semantics', () => {
  it('String#hashCode (well-known values)', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('Double#toString: ".0" on whole numbers, E notation outside [1e-3, 1e7)', () => {
    expect(javaDoubleToString(100)).toBe('100.0');
    expect(javaDoubleToString(345.6)).toBe('345.6');
    expect(javaDoubleToString(1e7)).toBe('1.0E7');
    expect(javaDoubleToString(1.5e-5)).toBe('1.5E-5');
    expect(javaDoubleToString(0.001)).toBe('0.001');
    expect(javaDoubleToString(-0)).toBe('-0.0');
  });

  it('String.valueOf of maps and lists (AbstractMap / AbstractCollection#toString)', () => {
    const map = new JavaMap('java.util.LinkedHashMap', [['a', new JavaInt(1)], ['b', new JavaList('java.util.ArrayList', ['x', null])]]);
    expect(javaToString(map)).toBe('{a=1, b=[x, null]}');
    expect(javaToString(new JavaDouble(2))).toBe('2.0');
  });
});

describe('Jackson output', () => {
  it('compact: nulls written, doubles as Java prints them (Spring MVC @ResponseBody)', () => {
    expect(toJson({ code: 1, message: null, data: new JavaDouble(5), list: [] })).toBe('{"code":1,"message":null,"data":5.0,"list":[]}');
  });

  it('pretty (JsonUtils.toJsonString): " : ", two-space objects, one-line arrays, "[ ]" and "{ }"', () => {
    expect(toPrettyJson({ a: 1, b: ['x', 'y'], c: {}, d: [], e: [{ f: true }] })).toBe(
      '{\n  "a" : 1,\n  "b" : [ "x", "y" ],\n  "c" : { },\n  "d" : [ ],\n  "e" : [ {\n    "f" : true\n  } ]\n}',
    );
    expect(toPrettyJson(['line'])).toBe('[ "line" ]');
  });

  it('escapes control characters upper-case (\\u001F), keeps non-ASCII', () => {
    expect(toJson('\u001f\t"\\中')).toBe('"\\u001F\\t\\"\\\\中"');
  });

  it('reads the first JSON value and ignores what follows (FAIL_ON_TRAILING_TOKENS off)', () => {
    const value = readJson('{"a":1} and then garbage');
    expect(value).toBeInstanceOf(JavaMap);
    expect(() => readJson('{"a":01}')).toThrow();
    expect(() => readJson('')).toThrow(/No content/);
  });
});

describe('save bodies: ROT13Utils.decrypt (utils/ROT13Utils.java:50-57)', () => {
  it('decodes the editor encoding (Base64, then ROT13) and strips one pair of quotes', () => {
    const text = '{"name":"用户列表","script":"return 1"}';
    expect(decryptSaveBody(encryptSaveBody(text))).toBe(text);
    expect(decryptSaveBody(`"${encryptSaveBody(text)}"`)).toBe(text);
    expect(rot13('Hello, World')).toBe('Uryyb, Jbeyq');
  });

  it('falls back to the body as sent whenever java.util.Base64 throws: plain JSON saves as it is', () => {
    const plain = '{"name":"a"}';
    expect(decryptSaveBody(plain)).toBe(plain);
    // whitespace, a lone last character, bad padding: all throw in Java, unlike Node's lenient Buffer.from
    expect(javaBase64Decode('YWJj ZA==')).toBeUndefined();
    expect(javaBase64Decode('YWJjZ')).toBeUndefined();
    expect(javaBase64Decode('YW=')).toBeUndefined();
    expect(javaBase64Decode('YQ==YQ==')).toBeUndefined();
    expect(javaBase64Decode('YWI')?.toString()).toBe('ab');
  });
});

describe('console frames', () => {
  it('WebSocketSessionManager#buildMessage: raw parts, last value raw if a string or number, else pretty JSON (WebSocketSessionManager.java:132-146)', () => {
    expect(buildMessage('ping')).toBe('ping');
    expect(buildMessage('login_response', '-1')).toBe('login_response,-1');
    expect(buildMessage('log', ['one line\n'])).toBe('log,[ "one line\\n" ]');
    expect(buildMessage('into_file_id', 'cid', null)).toBe('into_file_id,cid,null');
  });

  it('MagicWebSocketDispatcher#findHandleAndInvoke argument cutting (MagicWebSocketDispatcher.java:53-84)', () => {
    expect(ConsoleServer.parseArguments('login,tok,cid', 2).args).toEqual(['tok', 'cid']);
    // the last argument stops at the next comma …
    expect(ConsoleServer.parseArguments('resume_breakpoint,s,0,3,5', 3).args).toEqual(['s', '0', '3']);
    // … and one past the last found repeats the rest
    expect(ConsoleServer.parseArguments('login,tok', 2).args).toEqual(['tok', 'tok']);
    expect(ConsoleServer.parseArguments('login', 2).args).toEqual([null, null]);
  });

  it('Integer.valueOf refuses spaces and decimals (MagicDebugHandler.java:31,47 maps it over the lines)', () => {
    expect(javaIntegerValueOf('+3')).toBe(3);
    expect(() => javaIntegerValueOf(' 3')).toThrow(/NumberFormatException/);
    expect(() => javaIntegerValueOf('3.0')).toThrow(/NumberFormatException/);
    expect(() => javaIntegerValueOf('2147483648')).toThrow(/NumberFormatException/);
  });

  it('log lines as MagicLogbackAppender formats them (core/logging/LogbackLoggerContext.java:29-50, Formatter.java)', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    const line = formatLogLine({ timestamp: at, level: 'INFO', thread: 'http-nio-10712-exec-1', logger: '/用户管理/用户列表(/user/list)', message: 'hello' });
    expect(line).toBe(`2024-01-02 03:04:05.006  INFO --- [io-10712-exec-1] ${'/用户管理/用户列表(/user/list)'.padEnd(40)}: hello\n`);
    expect(abbreviateLoggerName('org.ssssssss.magicapi.core.web.RequestHandler')).toBe('o.s.magicapi.core.web.RequestHandler');
  });
});

describe('Span#getLine (magic-script parsing/Span.java)', () => {
  it('1-based line and columns, endCol inclusive', () => {
    const source = 'var a = 1\nreturn a + b';
    const start = source.indexOf('b');
    expect(spanLine(source, start, start + 1)).toMatchObject({ lineNumber: 2, endLineNumber: 2, startCol: 12, endCol: 12 });
  });

  it('a script starting with "\\n" numbers its lines one too low (the backwards count stops before index 0)', () => {
    const source = '\nvar a = 1\nreturn a';
    expect(spanLine(source, source.indexOf('return'), source.length).lineNumber).toBe(2);
    expect(spanLine(source, source.indexOf('var'), source.indexOf('var') + 3).lineNumber).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const java = spawnSync('java', ['-version'], { encoding: 'utf8' }).status === 0 ? 'java' : undefined;

/** Jackson 2.x jars of one version present in all three artifacts of the local Maven repository (the oldest such). */
function jacksonJars(): string[] | undefined {
  const base = join(homedir(), '.m2/repository/com/fasterxml/jackson/core');
  const artifacts = ['jackson-databind', 'jackson-core', 'jackson-annotations'];
  const jar = (artifact: string, version: string): string => join(base, artifact, version, `${artifact}-${version}.jar`);
  const dir = join(base, 'jackson-databind');
  if (!existsSync(dir)) return undefined;
  const numeric = (v: string): number[] => v.split('.').map(Number);
  const versions = readdirSync(dir)
    .filter((version) => artifacts.every((artifact) => existsSync(jar(artifact, version))))
    .sort((a, b) => {
      const [x, y] = [numeric(a), numeric(b)];
      for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
      return 0;
    });
  const version = versions[0];
  return version ? artifacts.map((artifact) => jar(artifact, version)) : undefined;
}

const JAVA_SOURCE = `
import java.util.*;
public class Compare {
  public static void main(String[] args) throws Exception {
    String[][] keySets = {
      {"cid", "id", "ip", "username"}, {"cid", "id", "ip", "username", "fileId"}, {"name", "value", "type"}, {"variables", "range"},
      {"id", "text", "line"}, {"api", "function", "datasource", "task"}, {"classes", "extensions", "functions"},
      {"a1b2", "c3d4", "zz", "Aa", "BB", "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "q"}
    };
    for (String[] keys : keySets) {
      Map<String, Integer> map = new HashMap<>();
      for (String key : keys) map.put(key, 1);
      System.out.println("order\\t" + String.join(",", keys) + "\\t" + String.join(",", map.keySet()));
      Map<String, Integer> copy = new HashMap<>(new LinkedHashMap<String, Integer>() {{ for (String k : keys) put(k, 1); }});
      System.out.println("copy\\t" + String.join(",", keys) + "\\t" + String.join(",", copy.keySet()));
    }
    double[] doubles = {100.0, 345.6, 1e7, 1.5e-5, 0.001, 0.1 + 0.2, 384 * 0.9, 1e21, 123456789.125, -2.5};
    for (double d : doubles) System.out.println("double\\t" + Double.toString(d) + "\\t" + Double.doubleToLongBits(d));
    String[] base64 = {"YWJjZA==", "YWJjZA", "YWJj ZA==", "YWJjZ", "YW=", "YQ==YQ==", "YWI", "", "e30=", "{\\"a\\":1}"};
    for (String text : base64) {
      String result;
      try { result = "ok:" + Base64.getEncoder().encodeToString(Base64.getDecoder().decode(text.getBytes())); } catch (IllegalArgumentException e) { result = "throws"; }
      System.out.println("base64\\t" + text + "\\t" + result);
    }
    if (args.length > 0) {
      com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
      Map<String, Object> value = new LinkedHashMap<>();
      value.put("a", 1); value.put("b", Arrays.asList("x", "y")); value.put("c", new HashMap<>()); value.put("d", new ArrayList<>());
      Map<String, Object> inner = new LinkedHashMap<>(); inner.put("f", true); value.put("e", Arrays.asList(inner)); value.put("g", 5.0); value.put("h", "\\u001f\\t\\"\\\\中");
      System.out.println("pretty\\t" + mapper.writerWithDefaultPrettyPrinter().writeValueAsString(value).replace("\\n", "\\\\n"));
      System.out.println("compact\\t" + mapper.writeValueAsString(value));
    }
  }
}
`;

describe.skipIf(!java)('compared with the JDK on this machine', () => {
  function runJava(): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'magic-emulator-java-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'Compare.java');
    writeFileSync(file, JAVA_SOURCE);
    const jars = jacksonJars();
    const args = jars ? ['-cp', jars.join(':'), file, 'jackson'] : [file];
    return execFileSync(java as string, args, { encoding: 'utf8', timeout: 60_000 }).trim().split('\n');
  }

  it('HashMap order, Double#toString, Base64 strictness (and Jackson, when its jars are here)', { timeout: 90_000 }, () => {
    const lines = runJava();
    let checked = 0;
    for (const line of lines) {
      const [kind, input = '', expected = ''] = line.split('\t');
      if (kind === 'order') expect(hashMapOrder(input.split(',')).join(','), `HashMap order of ${input}`).toBe(expected);
      else if (kind === 'copy') {
        const keys = input.split(',');
        expect(hashMapOrder(keys, copiedCapacity(keys.length)).join(','), `new HashMap<>(map) order of ${input}`).toBe(expected);
      } else if (kind === 'double') {
        const bits = BigInt(expected);
        const view = new DataView(new ArrayBuffer(8));
        view.setBigInt64(0, bits);
        expect(javaDoubleToString(view.getFloat64(0)), `Double.toString bits ${expected}`).toBe(input);
      } else if (kind === 'base64') {
        const decoded = javaBase64Decode(input);
        expect(decoded === undefined ? 'throws' : `ok:${decoded.toString('base64')}`, `Base64 decode of ${JSON.stringify(input)}`).toBe(expected);
      } else if (kind === 'pretty') {
        const value = { a: 1, b: ['x', 'y'], c: {}, d: [], e: [{ f: true }], g: new JavaDouble(5), h: '\u001f\t"\\中' };
        expect(toPrettyJson(value).replace(/\n/g, '\\n')).toBe(input);
      } else if (kind === 'compact') {
        const value = { a: 1, b: ['x', 'y'], c: {}, d: [], e: [{ f: true }], g: new JavaDouble(5), h: '\u001f\t"\\中' };
        expect(toJson(value)).toBe(input);
      } else continue;
      checked++;
    }
    // 8 key sets × (put order, copy order) + 10 doubles + 10 Base64 texts, and 2 Jackson renderings when its jars are here
    expect(checked).toBe(jacksonJars() ? 38 : 36);
  });
});

/**
 * User APIs at their own paths: RequestHandler#invoke (core/web/RequestHandler.java, magic-api 2.2.2) over the
 * mappings RequestMagicDynamicRegistry keeps (core/service/impl/RequestMagicDynamicRegistry.java), with the
 * default result provider (DefaultResultProvider → JsonBean) and the Logback appender that copies a request's log
 * lines to the console that asked for them.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { readJson } from '../java/jackson-reader.js';
import { toJson } from '../java/jackson-writer.js';
import { grownCapacity, hashMapOrder } from '../java/hash-order.js';
import { JavaInt, JavaMap, javaClassName, javaToString, type JavaValue } from '../java/values.js';
import { formatLogLine, type LogEvent } from '../console/log-line.js';
import { DebugContext } from '../console/debug-context.js';
import type { ConsoleServer } from '../console/console-server.js';
import type { ApiEntity, Definition } from '../workspace/entities.js';
import { isNotBlank } from '../workspace/json-codes.js';
import type { ResourceService } from '../workspace/resource-service.js';
import { parseScript, ScriptUnsupportedError } from '../script/parser.js';
import { ExitValue, MagicScriptError, ScriptRun, convert, isJavaDecimal, type LogLevel } from '../script/interpreter.js';
import { spanLine } from '../script/span.js';
import { bestMatch } from './path-pattern.js';
import { applyHeaders, corsHeaders, jsonBean, sendEmulatorRefusal, sendSpringError, writeBody } from './spring-responses.js';
import { header, type ServletRequest } from './servlet-request.js';

/** The logger of `RequestHandler`'s own lines (`LoggerFactory.getLogger(RequestHandler.class)`, RequestHandler.java:61). */
const REQUEST_HANDLER_LOGGER = 'org.ssssssss.magicapi.core.web.RequestHandler';
/** Constants.java:75-79 */
const HEADER_SCRIPT_ID = 'Magic-Request-Script-Id';
const HEADER_CLIENT_ID = 'Magic-Request-Client-Id';
const HEADER_BREAKPOINTS = 'Magic-Request-Breakpoints';

/** RequestHandler.java:63-65, DEFAULT_ALLOW_READ_RESPONSE_HEADERS (ACCESS_CONTROL_ALLOW_METHODS is listed twice). */
const DEFAULT_ALLOW_READ_RESPONSE_HEADERS = [
  'Access-Control-Allow-Credentials', 'Access-Control-Allow-Headers', 'Access-Control-Allow-Methods', 'Access-Control-Allow-Methods',
  'Content-Type', 'Date', 'Server', 'Set-Cookie', 'Connection', 'Content-Length', 'Content-Encoding', 'Transfer-Encoding', 'Vary',
];

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

class ValidateError extends Error {}

/** The parameter, path-variable or header map doValidate reads and rewrites (headers: case-insensitive). */
interface ValueMap {
  readonly size: number;
  has(name: string): boolean;
  get(name: string): JavaValue | undefined;
  set(name: string, value: JavaValue): unknown;
  clear(): void;
}

/** LinkedCaseInsensitiveMap over the header entries: lookups ignore case, a put keeps the existing key's case. */
class CaseInsensitiveEntries implements ValueMap {
  constructor(private readonly entries: Map<string, JavaValue>) {}

  get size(): number {
    return this.entries.size;
  }

  private keyOf(name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const key of this.entries.keys()) if (key.toLowerCase() === wanted) return key;
    return undefined;
  }

  has(name: string): boolean {
    return this.keyOf(name) !== undefined;
  }

  get(name: string): JavaValue | undefined {
    const key = this.keyOf(name);
    return key === undefined ? undefined : this.entries.get(key);
  }

  set(name: string, value: JavaValue): void {
    this.entries.set(this.keyOf(name) ?? name, value);
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface UserApiOptions {
  debugTimeoutMs: number;
  /** The root logger's level (Spring Boot's default: INFO): events below it reach no appender. */
  logLevel: LogLevel;
  /** Also print each log line (the server's own console); the CLI uses it. */
  onLog?: (line: string) => void;
  /** Where the emulator reports a script it cannot run. */
  warn: (message: string) => void;
}

export interface PausedRun {
  clientId: string;
  scriptId: string;
  apiId: string | null;
  range: [number, number, number, number];
  variables: [string, JavaValue][];
  pausedAt: number;
}

/**
 * DebugRequest#getRequestedBreakpoints (core/model/DebugRequest.java:33-42): split at commas, each converted with
 * ObjectConvertExtension.asInt(val, -1), kept when > 0.
 */
export function requestedBreakpoints(value: string | null): number[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((part) => (isJavaDecimal(part) ? (convert('asInt', part) as JavaInt).value : -1))
    .filter((n) => n > 0);
}

export class UserApiHandler {
  private threadCounter = 0;
  private readonly sessions = new Set<string>();
  private readonly running = new Set<{ clientId: string; scriptId: string; apiId: string | null; context: DebugContext }>();

  constructor(
    private readonly workspace: ResourceService,
    private readonly consoleServer: ConsoleServer,
    private readonly port: () => number,
    private readonly options: UserApiOptions,
  ) {}

  private cache: { revision: number; mappings: Map<string, ApiEntity>; patterns: Map<string, string[]> } | undefined;

  /** METHOD:pattern → API, as the registry holds them (every api file whose group exists). */
  mappings(): Map<string, ApiEntity> {
    return this.registry().mappings;
  }

  private registry(): { mappings: Map<string, ApiEntity>; patterns: Map<string, string[]> } {
    if (this.cache?.revision === this.workspace.revision) return this.cache;
    const mappings = new Map<string, ApiEntity>();
    const patterns = new Map<string, string[]>();
    for (const entity of this.workspace.files.values()) {
      if (entity.kind !== 'api' || entity.groupId === null || this.workspace.getGroup(entity.groupId)?.type !== 'api') continue;
      let key: string;
      try {
        key = this.workspace.mappingKey(entity);
      } catch {
        continue; // an API whose key cannot be built was refused at save time
      }
      if (mappings.has(key)) continue;
      mappings.set(key, entity);
      const colon = key.indexOf(':');
      const list = patterns.get(key.slice(0, colon)) ?? [];
      list.push(key.slice(colon + 1));
      patterns.set(key.slice(0, colon), list);
    }
    this.cache = { revision: this.workspace.revision, mappings, patterns };
    return this.cache;
  }

  /**
   * Spring's lookup (RequestMappingInfoHandlerMapping#lookupHandlerMethod): a direct path match first, else the best
   * pattern among the mappings of the request's method (HEAD also matches GET); when only other methods' patterns
   * match, the methods they have.
   */
  match(path: string, method: string): { pattern: string; variables: [string, string][] } | { methodMismatch: string[] } | undefined {
    const { mappings, patterns } = this.registry();
    const wanted = method === 'HEAD' ? 'GET' : method;
    // Direct paths are the mappings without pattern syntax (Spring keeps them in a separate lookup).
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    for (const candidate of [path, trimmed]) {
      if (!/[{*?]/.test(candidate) && mappings.has(`${wanted}:${candidate}`)) return { pattern: candidate, variables: [] };
    }
    const found = bestMatch(patterns.get(wanted) ?? [], path);
    if (found) return found;
    const others = [...patterns].filter(([, list]) => bestMatch(list, path) !== undefined).map(([name]) => name);
    return others.length > 0 ? { methodMismatch: others } : undefined;
  }

  pausedRuns(): PausedRun[] {
    const out: PausedRun[] = [];
    for (const run of this.running) {
      const paused = run.context.paused;
      if (paused) out.push({ clientId: run.clientId, scriptId: run.scriptId, apiId: run.apiId, range: paused.range, variables: paused.variables, pausedAt: paused.pausedAt });
    }
    return out;
  }

  private nextThread(): string {
    this.threadCounter = (this.threadCounter % 10) + 1;
    return `http-nio-${this.port()}-exec-${this.threadCounter}`;
  }

  async handle(request: ServletRequest, response: ServerResponse, pattern: string, pathVariables: [string, string][]): Promise<void> {
    const requestTime = Date.now();
    const thread = this.nextThread();
    const clientId = header(request, HEADER_CLIENT_ID);
    const scriptId = header(request, HEADER_SCRIPT_ID);
    // RequestHandler.java:95: enableWeb and both headers present. The script id is not compared with the API's id.
    const requestedFromTest = clientId !== null && scriptId !== null;
    applyHeaders(response, corsHeaders(request));
    const finish = (bean: Record<string, unknown>): void => {
      this.exposeHeaders(response, requestedFromTest);
      writeBody(request, response, 200, 'application/json', toJson(bean));
    };
    const executeTime = (): number => Date.now() - requestTime;
    const info = this.mappings().get(`${request.method}:${pattern}`);
    if (!info) {
      // A HEAD request reaches the GET handler but finds no "HEAD:" mapping (lines 104-108).
      finish(jsonBean(1035, '找不到接口', '接口不存在', executeTime()));
      return;
    }
    if (info.paths === null || info.parameters === null || info.headers === null) {
      // `new ArrayList<>(info.getPaths())` and the validations dereference these lists outside the try: an NPE
      // escapes RequestHandler, which has no exception handler, to Spring's error page.
      sendSpringError(request, response, 500);
      return;
    }
    let parsed;
    try {
      parsed = parseScript(info.script ?? '');
    } catch (error) {
      this.refuse(request, response, info, error);
      return;
    }
    const headers = new JavaMap('org.springframework.util.LinkedCaseInsensitiveMap', request.headers.map(([name, value]) => [name, value] as const));
    const headerValues = new CaseInsensitiveEntries(headers.entries);
    const paths: Definition[] = [...info.paths];
    for (const group of this.groupsOf(info)) for (const path of group.paths ?? []) if (!paths.some((p) => samePath(p, path))) paths.push(path);
    const body = this.readRequestBody(request);
    const scriptName = this.workspace.scriptName(info);
    const breakpoints = requestedBreakpoints(header(request, HEADER_BREAKPOINTS));
    const root = new Map<string, JavaValue>();
    const parameters = new Map<string, JavaValue>([...request.parameters].map(([name, values]) => [name, values[0] ?? null] as [string, JavaValue]));
    const pathVariableMap = new Map<string, JavaValue>(pathVariables);
    let debug: DebugContext | undefined;
    let setCookie: string | undefined;
    try {
      const disabledUnknown = optionValue(info, 'disabled_unknown_parameter', this.groupsOf(info))?.toLowerCase() === 'true';
      this.validate('参数', info.parameters, parameters, disabledUnknown);
      const wrap = optionValue(info, 'wrap_request_parameter', this.groupsOf(info));
      if (wrap !== null && isNotBlank(wrap)) root.set(wrap, JavaMap.copyOf('java.util.LinkedHashMap', parameters));
      const dataSource = optionValue(info, 'default_data_source', this.groupsOf(info));
      if (dataSource !== null) root.set('default_data_source', dataSource);
      for (const [name, value] of parameters) root.set(name, value);
      this.validate('path', paths, pathVariableMap, disabledUnknown);
      for (const [name, value] of pathVariableMap) root.set(name, value);
      root.set('cookie', new JavaMap('org.ssssssss.magicapi.core.context.CookieContext'));
      this.validate('header', info.headers, headerValues, disabledUnknown);
      root.set('header', headers);
      // `request.getSession()` creates a session: Tomcat sends its cookie with this answer.
      const sessionId = request.cookies.get('JSESSIONID');
      if (!sessionId || !this.sessions.has(sessionId)) {
        const fresh = randomBytes(16).toString('hex').toUpperCase();
        this.sessions.add(fresh);
        setCookie = `JSESSIONID=${fresh}; Path=/; HttpOnly`;
        response.setHeader('Set-Cookie', setCookie);
      }
      root.set('session', new JavaMap('org.ssssssss.magicapi.core.context.SessionContext'));
      root.set('path', JavaMap.copyOf('java.util.HashMap', pathVariableMap));
      if (body !== null) root.set('body', body);
      if (info.requestBodyDefinition && (info.requestBodyDefinition.children?.length ?? 0) > 0 &&
          optionValue(info, 'disabled_validate_request_body', this.groupsOf(info))?.toLowerCase() !== 'true') {
        throw new ScriptUnsupportedError('validating a request body definition (requestBodyDefinition with children)', 0);
      }
    } catch (error) {
      if (error instanceof ValidateError) {
        // RESPONSE_CODE_INVALID (0) with the validation message (lines 159-160).
        finish(jsonBean(0, error.message, null, executeTime()));
        return;
      }
      this.refuse(request, response, info, error);
      return;
    }
    if (requestedFromTest && breakpoints.length > 0) {
      const id = scriptId as string;
      debug = new DebugContext(breakpoints, this.options.debugTimeoutMs, ({ variables, range }) => {
        this.consoleServer.sendByClientId(clientId as string, 'breakpoint', id, breakpointInfo(variables, range));
      });
    }
    const key = `${String(clientId)}${String(scriptId)}`;
    const tracked = debug ? { clientId: clientId as string, scriptId: scriptId as string, apiId: info.id, context: debug } : undefined;
    if (debug && tracked) {
      this.consoleServer.contexts.set(key, debug);
      this.running.add(tracked);
    }
    const log = (level: LogLevel, message: string, throwable?: string, logger = scriptName): void => {
      if (LEVELS.indexOf(level) < LEVELS.indexOf(this.options.logLevel)) return;
      const event: LogEvent = { timestamp: Date.now(), level, thread, logger, message };
      if (throwable !== undefined) event.throwable = throwable;
      const line = formatLogLine(event);
      this.options.onLog?.(line);
      // MagicLoggerContext.println: only while SESSION holds the client id, i.e. for a request from test.
      if (requestedFromTest) this.consoleServer.sendLogs(clientId as string, line);
    };
    const run = new ScriptRun(parsed, root, {
      beforeStatement: async (statement, variables) => {
        if (debug) await debug.pause(spanLine(parsed.source, statement.span.start, statement.span.end), variables);
      },
      log: (level, message) => log(level, message),
    });
    try {
      const result = await run.run();
      finish(this.result(result.value, executeTime()));
    } catch (error) {
      if (error instanceof MagicScriptError) {
        if (requestedFromTest) {
          const line = spanLine(parsed.source, error.span.start, error.span.end);
          this.consoleServer.sendByClientId(clientId as string, 'exception', [scriptId, error.simpleMessage, [line.lineNumber, line.endLineNumber, line.startCol, line.endCol]]);
        }
        // logger.error("接口{}请求出错", uri, root) — RequestHandler's own logger (RequestHandler.java:61, 375), on the
        // request thread, so it reaches the console too.
        log('ERROR', `接口${request.rawPath}请求出错`, `org.ssssssss.script.exception.MagicScriptException: ${longMessage(parsed.source, error)}`, REQUEST_HANDLER_LOGGER);
        finish(jsonBean(-1, '系统内部出现错误', null, executeTime()));
        return;
      }
      this.refuse(request, response, info, error);
    } finally {
      if (debug && tracked) {
        // removeMagicScriptContext(clientId + scriptId) — whichever run holds that key now.
        this.consoleServer.contexts.delete(key);
        this.running.delete(tracked);
      }
    }
  }

  private groupsOf(info: ApiEntity): { paths: Definition[] | null; options: Definition[] | null }[] {
    // getGroupsByFileId: the file's group, then its parents.
    const out: { paths: Definition[] | null; options: Definition[] | null }[] = [];
    let id = info.groupId;
    const seen = new Set<string>();
    while (id !== null && !seen.has(id)) {
      seen.add(id);
      const group = this.workspace.getGroup(id);
      if (!group) break;
      out.push(group);
      id = group.parentId;
    }
    return out;
  }

  /** ResultProvider#buildResult(requestEntity, data) with ExitValue handling (ResultProvider.java:59-68). */
  private result(value: JavaValue | ExitValue, executeTime: number): Record<string, unknown> {
    if (value instanceof ExitValue) {
      const [first, second, third] = value.values;
      const code = value.values.length > 0 ? (convertOr(first ?? null, 1) as number) : 1;
      const message = value.values.length > 1 && second !== null && second !== undefined ? javaToString(second) : 'success';
      return jsonBean(code, message, value.values.length > 2 ? (third ?? null) : null, executeTime);
    }
    return jsonBean(1, 'success', value, executeTime);
  }

  /** afterCompletion (lines 447-468): a request from test exposes every header the response has. */
  private exposeHeaders(response: ServerResponse, requestedFromTest: boolean): void {
    if (!requestedFromTest) return;
    const names = [...response.getHeaderNames().map((name) => canonical(name)), ...DEFAULT_ALLOW_READ_RESPONSE_HEADERS];
    const unique = [...new Set(names)];
    response.setHeader('Access-Control-Expose-Headers', hashMapOrder(unique, grownCapacity(unique.length)).join(','));
  }

  /** readRequestBody (lines 382-397): only JSON reaches a converter that reads Object; unreadable JSON is null. */
  private readRequestBody(request: ServletRequest): JavaValue {
    const type = request.contentType;
    if (!type || !/^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.test(type.trim())) return null;
    try {
      return readJson(request.body.toString('utf8'));
    } catch {
      return null;
    }
  }

  /** doValidate (lines 218-298) for the simple data types; the rest is refused loudly. */
  private validate(comment: string, definitions: Definition[], values: ValueMap, disabledUnknown: boolean): void {
    if (definitions.length === 0) return;
    if (disabledUnknown && values.size > 0) {
      const kept = new Map<string, JavaValue>();
      for (const definition of definitions) kept.set(String(definition.name), values.get(String(definition.name)) ?? null);
      values.clear();
      for (const [name, value] of kept) values.set(name, value);
    }
    for (const definition of definitions) {
      const dataType = definition.dataType ?? 'String';
      if (dataType === 'Any') continue;
      if (dataType === 'Object' || dataType === 'Array') throw new ScriptUnsupportedError(`validating ${comment} "${definition.name}" of type ${dataType}`, 0);
      const name = definition.name;
      if (!(isNotBlank(name) || values.has(String(name)))) continue;
      const isFile = dataType === 'MultipartFile' || dataType === 'MultipartFiles';
      const given = values.has(String(name)) ? values.get(String(name)) ?? null : null;
      const givenText = given === null ? '' : javaToString(given);
      const requestValue = isNotBlank(givenText) ? givenText : (definition.defaultValue ?? '');
      if (!isNotBlank(requestValue) && !isFile) {
        if (!definition.required) continue;
        throw new ValidateError(isNotBlank(definition.error) ? definition.error : `${comment}[${String(name)}]为必填项`);
      }
      let value: JavaValue;
      try {
        value = convertParameter(dataType, requestValue);
      } catch (error) {
        if (error instanceof ScriptUnsupportedError) throw error;
        throw new ValidateError(isNotBlank(definition.error) ? definition.error : `${comment}[${String(name)}]不合法`);
      }
      if (definition.validateType === 'pattern' && isNotBlank(definition.expression)) {
        let matches: boolean;
        try {
          // PatternUtils.match: Pattern#find, a match anywhere in the value.
          matches = new RegExp(definition.expression).test(javaToString(value));
        } catch {
          throw new ValidateError(isNotBlank(definition.error) ? definition.error : `${comment}[${String(name)}]不合法`);
        }
        if (!matches) throw new ValidateError(isNotBlank(definition.error) ? definition.error : `${comment}[${String(name)}]不满足正则表达式`);
      }
      values.set(String(name), value);
    }
    for (const definition of definitions) {
      if (definition.validateType === 'expression' && isNotBlank(definition.expression) && values.get(String(definition.name)) != null) {
        throw new ScriptUnsupportedError(`validating ${comment} "${definition.name}" with an expression`, 0);
      }
    }
  }

  private refuse(request: ServletRequest, response: ServerResponse, info: ApiEntity, error: unknown): void {
    if (error instanceof ScriptUnsupportedError) {
      const where = info.script ? spanLine(info.script, Math.min(error.offset, info.script.length), Math.min(error.offset + 1, info.script.length)) : undefined;
      const reason = `cannot run ${request.method} ${request.path} (api ${String(info.id)}): ${error.reason}${where ? ` at line ${where.lineNumber}, column ${where.startCol}` : ''}. See the script subset in the emulator's README.`;
      this.options.warn(reason);
      sendEmulatorRefusal(request, response, 500, reason);
      return;
    }
    const reason = `internal error running ${request.method} ${request.path}: ${(error as Error).stack ?? String(error)}`;
    this.options.warn(reason);
    sendEmulatorRefusal(request, response, 500, reason);
  }
}

function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
}

function samePath(a: Definition, b: Definition): boolean {
  return a.name === b.name && a.dataType === b.dataType && a.defaultValue === b.defaultValue && a.description === b.description && a.expression === b.expression &&
    a.validateType === b.validateType && a.error === b.error;
}

/** ApiInfo#getOptionValue (ApiInfo.java:157-170): the API's option, else the first group (upwards) that sets it. */
function optionValue(info: ApiEntity, key: string, groups: { options: Definition[] | null }[]): string | null {
  const own = (info.options ?? []).find((option) => option.name === key);
  if (own) return own.value === null ? null : javaToString(own.value);
  for (const group of groups) {
    const found = (group.options ?? []).find((option) => option.name === key);
    if (found) return found.value === null ? null : javaToString(found.value);
  }
  return null;
}

function convertOr(value: JavaValue, fallback: number): number {
  // ObjectConvertExtension.asInt(values[0], RESPONSE_CODE_SUCCESS)
  if (value === null || !isJavaDecimal(javaToString(value))) return fallback;
  return (convert('asInt', value) as JavaInt).value;
}

/** RequestHandler#convertValue (lines 303-331) for the data types the emulator converts. */
function convertParameter(dataType: string, value: string): JavaValue {
  switch (dataType) {
    case 'String':
      return value;
    case 'Integer':
    case 'Long':
    case 'Double': {
      // ObjectConvertExtension.asDecimal(value, null) === null → IllegalArgumentException
      if (!isJavaDecimal(value)) throw new Error('not a number');
      if (dataType === 'Integer') return convert('asInt', value);
      if (dataType === 'Long') return convert('asLong', value);
      return convert('asDouble', value);
    }
    case 'Boolean':
      // Boolean.valueOf(String)
      return value.toLowerCase() === 'true';
    default:
      throw new ScriptUnsupportedError(`converting a parameter to ${dataType}`, 0);
  }
}

/**
 * The `breakpoint` frame's JSON (MagicScriptDebugContext#getDebugInfo + DebugRequest#createMagicScriptContext): a
 * HashMap {variables, range}; each variable a HashMap {name, value, type} in reverse order, its value turned into
 * compact JSON text, `type` its Java class; a null value is the string "null" (then JSON-encoded) with no type.
 */
export function breakpointInfo(variables: [string, JavaValue][], range: [number, number, number, number]): Map<string, unknown> {
  const list = variables
    .filter(([name]) => name !== '_')
    .map(([name, value]) => {
      const entries = new Map<string, unknown>();
      entries.set('name', name);
      if (value !== null) {
        entries.set('value', toJson(value));
        entries.set('type', javaClassName(value));
      } else entries.set('value', toJson('null'));
      return orderedMap(entries);
    })
    .reverse();
  return orderedMap(new Map<string, unknown>([['variables', list], ['range', range]]));
}

function orderedMap(entries: Map<string, unknown>): Map<string, unknown> {
  return new Map(hashMapOrder([...entries.keys()]).map((key) => [key, entries.get(key)]));
}

/** MagicScriptError#error's message: "<message> at Row:l~l,Col:c~c\n\n<line>\n<carets>". */
function longMessage(source: string, error: MagicScriptError): string {
  const line = spanLine(source, error.span.start, error.span.end);
  const text = source.slice(line.lineStart, line.lineEnd);
  const errorStart = error.span.start - line.lineStart;
  const errorEnd = errorStart + (error.span.end - error.span.start) - 1;
  let carets = '';
  for (let i = 0; i < text.length; i++) carets += i >= errorStart && i <= errorEnd ? '^' : text[i] === '\t' ? '\t' : ' ';
  return `${error.simpleMessage} at Row:${line.lineNumber}~${line.endLineNumber},Col:${line.startCol}~${line.endCol}\n\n${text}\n${carets}`;
}


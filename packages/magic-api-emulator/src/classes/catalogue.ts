/**
 * The script class catalogue behind `POST {web}/classes`, `POST {web}/class` and `GET {web}/classes.txt`
 * (MagicWorkbenchController.java:94-137). A real server reflects over its classpath and reports hundreds of
 * classes; this is a small, real subset: the JDK classes MagicScriptEngine#getScriptClassMap seeds
 * (String, Object, Date, Integer, Double, Float, Long, List, Short, Byte, Boolean, BigDecimal — here the first few),
 * the modules a default server registers (`log` → org.slf4j.Logger, MagicAPIAutoConfiguration.java:267-268; `db`,
 * `request`, `response`, `env` — modules/*), ObjectConvertExtension on java.lang.Object, and a few functions.
 * Signatures are the real ones (parameters of type RuntimeContext are hidden, as ScriptMethod's constructor does).
 *
 * ScriptClass JSON (magic-script ScriptClass.java): className, methods, attributes, superClass, interfaces, enums,
 * module; ScriptMethod: name, returnType, comment, origin, deprecated, parameters; ScriptMethodParameter: name,
 * type, varArgs, comment; ScriptAttribute: type, name.
 */

export interface ScriptMethodParameter {
  name: string;
  type: string;
  varArgs: boolean;
  comment: string | null;
}

export interface ScriptMethod {
  name: string;
  returnType: string;
  comment: string | null;
  origin: boolean;
  deprecated: boolean;
  parameters: ScriptMethodParameter[];
}

export interface ScriptClass {
  className: string;
  methods: ScriptMethod[];
  attributes: { type: string; name: string }[];
  superClass: string | null;
  interfaces: string[];
  enums: null;
  module: boolean;
}

type Param = [name: string, type: string, comment?: string];

function m(name: string, returnType: string, params: Param[] = [], comment: string | null = null, varArgs = false): ScriptMethod {
  return {
    name,
    returnType,
    comment,
    origin: false,
    deprecated: false,
    parameters: params.map(([pname, type, pcomment], index) => ({
      name: pname,
      type,
      varArgs: varArgs && index === params.length - 1,
      comment: pcomment ?? null,
    })),
  };
}

function cls(className: string, superClass: string | null, interfaces: string[], methods: ScriptMethod[], module = false): ScriptClass {
  const attributes: { type: string; name: string }[] = [];
  // MagicScriptEngine#appendMethod: a public no-argument getX()/isX() also lists attribute `x` (not `class`).
  for (const method of methods) {
    const getter = /^(get|is)(.+)$/.exec(method.name);
    if (getter && method.parameters.length === 0) {
      const name = (getter[2] as string).charAt(0).toLowerCase() + (getter[2] as string).slice(1);
      if (name.toLowerCase() !== 'class') attributes.push({ type: method.returnType, name });
    }
  }
  return { className, methods, attributes, superClass, interfaces, enums: null, module };
}

const OBJECT = cls('java.lang.Object', null, [], [
  m('equals', 'boolean', [['obj', 'java.lang.Object']]),
  m('toString', 'java.lang.String'),
  m('hashCode', 'int'),
  m('getClass', 'java.lang.Class'),
  m('notify', 'void'),
  m('notifyAll', 'void'),
  m('wait', 'void'),
  m('wait', 'void', [['timeout', 'long']]),
]);

const CHAR_SEQUENCE = cls('java.lang.CharSequence', null, [], [
  m('length', 'int'),
  m('charAt', 'char', [['index', 'int']]),
  m('subSequence', 'java.lang.CharSequence', [['start', 'int'], ['end', 'int']]),
  m('toString', 'java.lang.String'),
]);

const COMPARABLE = cls('java.lang.Comparable', null, [], [m('compareTo', 'int', [['o', 'java.lang.Object']])]);

const STRING = cls('java.lang.String', 'java.lang.Object', ['java.io.Serializable', 'java.lang.Comparable', 'java.lang.CharSequence'], [
  m('length', 'int'),
  m('isEmpty', 'boolean'),
  m('charAt', 'char', [['index', 'int']]),
  m('substring', 'java.lang.String', [['beginIndex', 'int']]),
  m('substring', 'java.lang.String', [['beginIndex', 'int'], ['endIndex', 'int']]),
  m('indexOf', 'int', [['str', 'java.lang.String']]),
  m('indexOf', 'int', [['str', 'java.lang.String'], ['fromIndex', 'int']]),
  m('lastIndexOf', 'int', [['str', 'java.lang.String']]),
  m('contains', 'boolean', [['s', 'java.lang.CharSequence']]),
  m('startsWith', 'boolean', [['prefix', 'java.lang.String']]),
  m('endsWith', 'boolean', [['suffix', 'java.lang.String']]),
  m('equals', 'boolean', [['anObject', 'java.lang.Object']]),
  m('equalsIgnoreCase', 'boolean', [['anotherString', 'java.lang.String']]),
  m('toUpperCase', 'java.lang.String'),
  m('toLowerCase', 'java.lang.String'),
  m('trim', 'java.lang.String'),
  m('replace', 'java.lang.String', [['target', 'java.lang.CharSequence'], ['replacement', 'java.lang.CharSequence']]),
  m('replaceAll', 'java.lang.String', [['regex', 'java.lang.String'], ['replacement', 'java.lang.String']]),
  m('split', 'String[]', [['regex', 'java.lang.String']]),
  m('matches', 'boolean', [['regex', 'java.lang.String']]),
  m('concat', 'java.lang.String', [['str', 'java.lang.String']]),
  m('getBytes', 'byte[]'),
  m('toCharArray', 'char[]'),
  m('compareTo', 'int', [['anotherString', 'java.lang.String']]),
  m('hashCode', 'int'),
  m('toString', 'java.lang.String'),
]);

const NUMBER = cls('java.lang.Number', 'java.lang.Object', ['java.io.Serializable'], [
  m('intValue', 'int'),
  m('longValue', 'long'),
  m('floatValue', 'float'),
  m('doubleValue', 'double'),
  m('byteValue', 'byte'),
  m('shortValue', 'short'),
]);

const INTEGER = cls('java.lang.Integer', 'java.lang.Number', ['java.lang.Comparable'], [
  m('intValue', 'int'),
  m('longValue', 'long'),
  m('doubleValue', 'double'),
  m('floatValue', 'float'),
  m('compareTo', 'int', [['anotherInteger', 'java.lang.Integer']]),
  m('equals', 'boolean', [['obj', 'java.lang.Object']]),
  m('hashCode', 'int'),
  m('toString', 'java.lang.String'),
]);

const LONG = cls('java.lang.Long', 'java.lang.Number', ['java.lang.Comparable'], [
  m('intValue', 'int'),
  m('longValue', 'long'),
  m('doubleValue', 'double'),
  m('compareTo', 'int', [['anotherLong', 'java.lang.Long']]),
  m('toString', 'java.lang.String'),
]);

const DOUBLE = cls('java.lang.Double', 'java.lang.Number', ['java.lang.Comparable'], [
  m('isNaN', 'boolean'),
  m('isInfinite', 'boolean'),
  m('intValue', 'int'),
  m('longValue', 'long'),
  m('doubleValue', 'double'),
  m('compareTo', 'int', [['anotherDouble', 'java.lang.Double']]),
  m('toString', 'java.lang.String'),
]);

const BOOLEAN = cls('java.lang.Boolean', 'java.lang.Object', ['java.io.Serializable', 'java.lang.Comparable'], [
  m('booleanValue', 'boolean'),
  m('compareTo', 'int', [['b', 'java.lang.Boolean']]),
  m('toString', 'java.lang.String'),
]);

const COLLECTION = cls('java.util.Collection', null, ['java.lang.Iterable'], [
  m('size', 'int'),
  m('isEmpty', 'boolean'),
  m('contains', 'boolean', [['o', 'java.lang.Object']]),
  m('add', 'boolean', [['e', 'java.lang.Object']]),
  m('remove', 'boolean', [['o', 'java.lang.Object']]),
  m('clear', 'void'),
  m('stream', 'java.util.stream.Stream'),
]);

const LIST = cls('java.util.List', null, ['java.util.Collection'], [
  m('size', 'int'),
  m('isEmpty', 'boolean'),
  m('get', 'java.lang.Object', [['index', 'int']]),
  m('set', 'java.lang.Object', [['index', 'int'], ['element', 'java.lang.Object']]),
  m('add', 'boolean', [['e', 'java.lang.Object']]),
  m('add', 'void', [['index', 'int'], ['element', 'java.lang.Object']]),
  m('remove', 'java.lang.Object', [['index', 'int']]),
  m('indexOf', 'int', [['o', 'java.lang.Object']]),
  m('contains', 'boolean', [['o', 'java.lang.Object']]),
  m('subList', 'java.util.List', [['fromIndex', 'int'], ['toIndex', 'int']]),
]);

const LOGGER = cls('org.slf4j.Logger', null, [], (['trace', 'debug', 'info', 'warn', 'error'] as const).flatMap((level) => [
  m(level, 'void', [['msg', 'java.lang.String']]),
  m(level, 'void', [['format', 'java.lang.String'], ['arg', 'java.lang.Object']]),
  m(level, 'void', [['format', 'java.lang.String'], ['arg1', 'java.lang.Object'], ['arg2', 'java.lang.Object']]),
  m(level, 'void', [['format', 'java.lang.String'], ['arguments', 'Object[]']], null, true),
  m(level, 'void', [['msg', 'java.lang.String'], ['t', 'java.lang.Throwable']]),
  m(`is${level.charAt(0).toUpperCase()}${level.slice(1)}Enabled`, 'boolean'),
]).concat([m('getName', 'java.lang.String')]), true);

const SQL_PARAMS: Param[] = [['sqlOrXml', 'java.lang.String', '`SQL`语句或`xml`']];
const SQL_PARAMS_VARS: Param[] = [...SQL_PARAMS, ['params', 'java.util.Map', '变量信息']];

const SQL_MODULE = cls('org.ssssssss.magicapi.modules.db.SQLModule', 'java.util.HashMap', ['org.ssssssss.magicapi.modules.DynamicAttribute'], [
  m('select', 'java.util.List', SQL_PARAMS, '查询SQL，返回List类型结果'),
  m('select', 'java.util.List', SQL_PARAMS_VARS, '查询SQL，并传入变量信息，返回List类型结果'),
  m('selectInt', 'java.lang.Integer', SQL_PARAMS, '查询int值，适合单行单列int的结果'),
  m('selectInt', 'java.lang.Integer', SQL_PARAMS_VARS, '查询int值，并传入变量信息，适合单行单列int的结果'),
  m('selectOne', 'java.util.Map', SQL_PARAMS, '查询单条结果，查不到返回null'),
  m('selectOne', 'java.util.Map', SQL_PARAMS_VARS, '查询单条结果，并传入变量信息，查不到返回null'),
  m('selectValue', 'java.lang.Object', SQL_PARAMS, '查询单行单列的值'),
  m('update', 'int', SQL_PARAMS, '执行update操作，返回受影响行数'),
  m('update', 'int', SQL_PARAMS_VARS, '执行update操作，并传入变量信息，返回受影响行数'),
  m('insert', 'java.lang.Object', SQL_PARAMS, '执行insert操作，返回插入主键'),
  m('page', 'java.lang.Object', SQL_PARAMS, '执行分页查询，分页条件自动获取'),
  m('count', 'java.lang.Integer', SQL_PARAMS, '查询总条目数'),
  m('cache', 'org.ssssssss.magicapi.modules.db.SQLModule', [['cacheName', 'java.lang.String', '缓存名']], '使用缓存'),
  m('camel', 'org.ssssssss.magicapi.modules.db.SQLModule', [], '驼峰命名转换'),
  m('table', 'org.ssssssss.magicapi.modules.db.table.NamedTable', [['tableName', 'java.lang.String', '表名']], '指定table，进行单表操作'),
  m('transaction', 'java.lang.Object', [['function', 'java.util.function.Function', '回调函数，如：()=>{....}']], '开启事务，在一个回调函数中进行操作'),
], true);

const REQUEST_MODULE = cls('org.ssssssss.magicapi.modules.servlet.RequestModule', 'java.lang.Object', [], [
  m('getFile', 'org.springframework.web.multipart.MultipartFile', [['name', 'java.lang.String', '参数名']], '获取文件'),
  m('getFiles', 'java.util.List', [['name', 'java.lang.String', '参数名']], '获取多个文件'),
  m('get', 'org.ssssssss.magicapi.core.servlet.MagicHttpServletRequest', [], '获取原生HttpServletRequest对象'),
  m('getValues', 'java.util.List', [['name', 'java.lang.String', '参数名']], '根据请求参数名获取值'),
  m('getHeaders', 'java.util.List', [['name', 'java.lang.String', 'header名']], '根据header名获取值'),
  m('getClientIP', 'java.lang.String', [['otherHeaderNames', 'String[]']], '获取客户端IP', true),
], true);

const RESPONSE_MODULE = cls('org.ssssssss.magicapi.modules.servlet.ResponseModule', 'java.lang.Object', [], [
  m('page', 'java.lang.Object', [['total', 'long', '总条数'], ['values', 'java.util.List', '当前数据']], '返回自定义分页结果'),
  m('json', 'org.springframework.http.ResponseEntity', [['value', 'java.lang.Object', '返回对象']], '自定义返回json内容'),
  m('addHeader', 'org.ssssssss.magicapi.modules.servlet.ResponseModule', [['key', 'java.lang.String', 'header名'], ['value', 'java.lang.String', 'header值']], '添加response header'),
  m('setHeader', 'org.ssssssss.magicapi.modules.servlet.ResponseModule', [['key', 'java.lang.String', 'header名'], ['value', 'java.lang.String', 'header值']], '设置response header'),
  m('end', 'org.ssssssss.magicapi.modules.servlet.ResponseModule$NullValue', [], '终止输出，执行此方法后不会对结果进行任何输出及处理'),
  m('text', 'org.springframework.http.ResponseEntity', [['text', 'java.lang.String', '文本内容']], '输出文本'),
  m('redirect', 'org.ssssssss.magicapi.modules.servlet.ResponseModule$NullValue', [['url', 'java.lang.String', '目标网址']], '重定向'),
], true);

const ENV_MODULE = cls('org.ssssssss.magicapi.modules.spring.EnvModule', 'java.lang.Object', [], [
  m('get', 'java.lang.String', [['key', 'java.lang.String', '配置项']], '获取配置'),
  m('get', 'java.lang.String', [['key', 'java.lang.String', '配置项'], ['defaultValue', 'java.lang.String', '未配置时的默认值']], '获取配置'),
], true);

/** Every class a `POST {web}/class` can answer, by name. */
const ALL: ScriptClass[] = [OBJECT, CHAR_SEQUENCE, COMPARABLE, STRING, NUMBER, INTEGER, LONG, DOUBLE, BOOLEAN, COLLECTION, LIST, LOGGER, SQL_MODULE, REQUEST_MODULE, RESPONSE_MODULE, ENV_MODULE];
const BY_NAME = new Map(ALL.map((entry) => [entry.className, entry]));

/** `classes` of POST {web}/classes: the seeded JDK classes by class name, then the modules by module name. */
export function classMap(): [string, ScriptClass][] {
  const seeded = [STRING, OBJECT, INTEGER, LONG, DOUBLE, BOOLEAN, LIST].flatMap((entry) => classAndSupers(entry.className));
  const entries: [string, ScriptClass][] = seeded.map((entry) => [entry.className, entry]);
  entries.push(['db', SQL_MODULE], ['log', LOGGER], ['request', REQUEST_MODULE], ['response', RESPONSE_MODULE], ['env', ENV_MODULE]);
  return dedupe(entries);
}

function dedupe(entries: [string, ScriptClass][]): [string, ScriptClass][] {
  const seen = new Map<string, ScriptClass>();
  for (const [key, value] of entries) seen.set(key, value);
  return [...seen];
}

/** ObjectConvertExtension (magic-script) registered on java.lang.Object: `extensions` of POST {web}/classes. */
export function extensionMap(): [string, ScriptClass][] {
  const convert = cls('java.lang.Object', null, [], [
    m('asInt', 'int', [], '将值转换为int类型，转换失败时为0'),
    m('asInt', 'int', [['defaultValue', 'int', '转换失败时的默认值']], '将值转换为int类型'),
    m('asDouble', 'double', [], '将对象转为double类型，转换失败时为0.0'),
    m('asLong', 'long', [], '将对象转为long类型，转换失败时为0L'),
    m('asString', 'java.lang.String', [], '将对象转为String类型'),
    m('asDecimal', 'java.math.BigDecimal', [], '将对象转为BigDecimal类型'),
    m('asDate', 'java.util.Date', [], '将对象转为Date类型，默认字符串格式为yyyy-MM-dd HH:mm:ss'),
  ]);
  // getExtensionScriptClass builds each ScriptClass without a class name (only its methods).
  return [['java.lang.Object', { ...convert, className: null as unknown as string, attributes: [], superClass: null, interfaces: [] }]];
}

/** `functions` of POST {web}/classes: a few of magic-script's built-in functions. */
export function functions(): ScriptMethod[] {
  return [
    m('uuid', 'java.lang.String', [], '生成uuid字符串，不包含`-`'),
    m('now', 'java.util.Date', [], '返回当前时间'),
    m('current_timestamp_millis', 'long', [], '取当前时间戳(毫秒)'),
    m('not_null', 'boolean', [['target', 'java.lang.Object', '目标对象']], '判断值不是null'),
    m('is_null', 'boolean', [['target', 'java.lang.Object', '目标对象']], '判断值是否为null'),
    m('not_blank', 'boolean', [['target', 'java.lang.CharSequence', '目标字符串']], '判断字符串不是空'),
    m('is_blank', 'boolean', [['target', 'java.lang.CharSequence', '目标字符串']], '判断字符串是否为空'),
    m('print', 'void', [['target', 'java.lang.Object', '目标对象']], '打印'),
  ];
}

/** MagicScriptEngine#getScriptClass(className): the class, its interfaces (recursively) and superclasses up to Object. */
export function classAndSupers(className: string): ScriptClass[] {
  const out: ScriptClass[] = [];
  let current = BY_NAME.get(className);
  while (current) {
    out.push(current);
    for (const name of current.interfaces) {
      const iface = BY_NAME.get(name);
      if (iface) out.push(...classAndSupers(iface.className));
    }
    const parent = current.superClass;
    if (parent === null || parent === 'java.lang.Object' || parent === 'java.lang.Class') break;
    current = BY_NAME.get(parent);
  }
  return dedupeList(out);
}

function dedupeList(list: ScriptClass[]): ScriptClass[] {
  const seen = new Set<string>();
  return list.filter((entry) => (seen.has(entry.className) ? false : (seen.add(entry.className), true)));
}

export function hasClass(className: string): boolean {
  return BY_NAME.has(className);
}

/**
 * ClassScanner.compress (utils/ClassScanner.java:79-113): sorted class names, one line per package as
 * `package:Class1,Class2`, lines joined with "\n".
 */
export function classesTxt(): string {
  const names = [
    ...ALL.map((entry) => entry.className),
    'java.util.ArrayList', 'java.util.HashMap', 'java.util.LinkedHashMap', 'java.util.Map', 'java.util.Date', 'java.math.BigDecimal',
    'java.text.SimpleDateFormat', 'java.util.UUID', 'java.util.regex.Pattern', 'org.ssssssss.magicapi.core.model.JsonBean',
  ].sort();
  let out = '';
  let currentPackage: string | undefined;
  for (const full of [...new Set(names)]) {
    const dot = full.lastIndexOf('.');
    const pkg = dot < 0 ? '' : full.slice(0, dot);
    const simple = dot < 0 ? full : full.slice(dot + 1);
    if (pkg === currentPackage) out += `,${simple}`;
    else {
      if (out.length > 0) out += '\n';
      out += `${pkg}:${simple}`;
      currentPackage = pkg;
    }
  }
  return out;
}

/** ScriptClass JSON in Jackson property order. */
export function scriptClassJson(entry: ScriptClass): Record<string, unknown> {
  return {
    className: entry.className,
    methods: entry.methods.map((method) => ({ ...method, parameters: method.parameters.map((p) => ({ ...p })) })),
    attributes: entry.attributes.map((a) => ({ type: a.type, name: a.name })),
    superClass: entry.superClass,
    interfaces: entry.interfaces,
    enums: entry.enums,
    module: entry.module,
  };
}

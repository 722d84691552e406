/**
 * The entities of a Magic-API workspace and how Jackson reads and writes them.
 *
 * Classes (magic-api 2.2.2): MagicEntity (core/model/MagicEntity.java) → PathMagicEntity → ApiInfo
 * (core/model/ApiInfo.java), FunctionInfo (function/model/FunctionInfo.java), TaskInfo (plugin-task
 * task/model/TaskInfo.java); DataSourceInfo (datasource/model/DataSourceInfo.java) extends MagicEntity directly;
 * Group (core/model/Group.java); BaseDefinition and its subclasses Parameter, Header, Path, Option.
 * All extend Attributes (`properties`, a HashMap). JSON property order is Jackson's default: fields, superclass
 * first, in declaration order; every property is written, nulls included (Spring Boot's ObjectMapper).
 */
import { JavaDouble, JavaInt, JavaList, JavaLong, JavaMap, javaDoubleToString, type JavaValue } from '../java/values.js';

export type ResourceType = 'api' | 'function' | 'datasource' | 'task';
export const RESOURCE_TYPES: readonly ResourceType[] = ['api', 'function', 'datasource', 'task'];

/** core/model/DataType.java, in declaration order (Jackson reads an enum by name, or by ordinal from a number). */
export const DATA_TYPES = [
  'Object', 'Array', 'Any', 'Boolean', 'String', 'Integer', 'Double', 'Long', 'Float', 'Byte', 'Short', 'Date', 'MultipartFile', 'MultipartFiles',
] as const;
export type DataTypeName = (typeof DATA_TYPES)[number];

/** core/model/BaseDefinition.java fields, in order. */
export interface Definition {
  name: string | null;
  value: JavaValue;
  description: string | null;
  required: boolean;
  dataType: DataTypeName | null;
  type: string | null;
  defaultValue: string | null;
  validateType: string | null;
  error: string | null;
  expression: string | null;
  children: Definition[] | null;
}

export interface Group {
  properties: JavaMap;
  id: string | null;
  name: string | null;
  type: string | null;
  parentId: string | null;
  path: string | null;
  createTime: number | null;
  updateTime: number | null;
  createBy: string | null;
  updateBy: string | null;
  paths: Definition[] | null;
  options: Definition[] | null;
}

interface EntityCommon {
  properties: JavaMap;
  id: string | null;
  script: string | null;
  groupId: string | null;
  name: string | null;
  createTime: number | null;
  updateTime: number | null;
  lock: string | null;
  createBy: string | null;
  updateBy: string | null;
}

export interface ApiEntity extends EntityCommon {
  kind: 'api';
  path: string | null;
  method: string | null;
  parameters: Definition[] | null;
  options: Definition[] | null;
  requestBody: string | null;
  headers: Definition[] | null;
  paths: Definition[] | null;
  responseBody: string | null;
  description: string | null;
  requestBodyDefinition: Definition | null;
  responseBodyDefinition: Definition | null;
}

export interface FunctionEntity extends EntityCommon {
  kind: 'function';
  path: string | null;
  description: string | null;
  returnType: string | null;
  mappingPath: string | null;
  parameters: Definition[] | null;
}

export interface TaskEntity extends EntityCommon {
  kind: 'task';
  path: string | null;
  cron: string | null;
  enabled: boolean;
  description: string | null;
}

export interface DataSourceEntity extends EntityCommon {
  kind: 'datasource';
  url: string | null;
  username: string | null;
  password: string | null;
  key: string | null;
  maxRows: number;
  driverClassName: string | null;
  type: string | null;
}

export type Entity = ApiEntity | FunctionEntity | TaskEntity | DataSourceEntity;

function common(): EntityCommon {
  return {
    properties: new JavaMap('java.util.HashMap'),
    id: null,
    script: null,
    groupId: null,
    name: null,
    createTime: null,
    updateTime: null,
    lock: null,
    createBy: null,
    updateBy: null,
  };
}

/** A new entity with the field defaults of its Java class (ApiInfo: method "GET", empty lists…). */
export function newEntity(kind: ResourceType): Entity {
  switch (kind) {
    case 'api':
      return {
        ...common(), kind, path: null, method: 'GET', parameters: [], options: [], requestBody: null, headers: [], paths: [],
        responseBody: null, description: null, requestBodyDefinition: null, responseBodyDefinition: null,
      };
    case 'function':
      return { ...common(), kind, path: null, description: null, returnType: null, mappingPath: null, parameters: [] };
    case 'task':
      return { ...common(), kind, path: null, cron: null, enabled: false, description: null };
    case 'datasource':
      return { ...common(), kind, url: null, username: null, password: null, key: null, maxRows: -1, driverClassName: null, type: null };
  }
}

export function newGroup(): Group {
  return {
    properties: new JavaMap('java.util.HashMap'), id: null, name: null, type: null, parentId: null, path: null,
    createTime: null, updateTime: null, createBy: null, updateBy: null, paths: [], options: [],
  };
}

/** Entities with a request/function/task path (PathMagicEntity). */
export function pathOf(entity: Entity): string | null {
  return entity.kind === 'datasource' ? null : entity.path;
}

/** entity.copy(): a deep enough copy that later edits of one do not change the other. */
export function copyEntity<T extends Entity>(entity: T): T {
  return structuredCloneEntity(entity);
}

function structuredCloneEntity<T extends Entity | Group>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item instanceof JavaMap) out[key] = new JavaMap(item.className, item.entries, item.capacity);
    else if (Array.isArray(item)) out[key] = item.map((definition) => ({ ...(definition as Definition) }));
    else out[key] = item;
  }
  return out as T;
}

export function copyGroup(group: Group): Group {
  return structuredCloneEntity(group);
}

/**
 * MagicEntity#simple (and the overrides in ApiInfo, DataSourceInfo, FunctionInfo, TaskInfo): what the tree shows of
 * a file — id, name, groupId, createBy/Time, updateBy/Time, lock; plus path (PathMagicEntity#simple), method (ApiInfo),
 * key (DataSourceInfo). Everything else is back at its class default; the script is null.
 */
export function simpleEntity(entity: Entity): Entity {
  const simple = newEntity(entity.kind);
  simple.id = entity.id;
  simple.name = entity.name;
  simple.groupId = entity.groupId;
  simple.createBy = entity.createBy;
  simple.createTime = entity.createTime;
  simple.updateBy = entity.updateBy;
  simple.updateTime = entity.updateTime;
  simple.lock = entity.lock;
  if (simple.kind !== 'datasource' && entity.kind !== 'datasource') simple.path = entity.path;
  if (simple.kind === 'api' && entity.kind === 'api') simple.method = entity.method;
  if (simple.kind === 'datasource' && entity.kind === 'datasource') simple.key = entity.key;
  return simple;
}

// ---------------------------------------------------------------------------------------------------------------
// Writing (Jackson property order)

export function definitionJson(definition: Definition, isPath = false): Record<string, unknown> {
  return {
    name: definition.name,
    value: definition.value,
    description: definition.description,
    // Path#isRequired always answers true (core/model/Path.java:17-20).
    required: isPath ? true : definition.required,
    // BaseDefinition#getDataType answers String when none was set (BaseDefinition.java:107-109).
    dataType: definition.dataType ?? 'String',
    type: definition.type,
    defaultValue: definition.defaultValue,
    validateType: definition.validateType,
    error: definition.error,
    expression: definition.expression,
    children: definition.children === null ? null : definition.children.map((child) => definitionJson(child)),
  };
}

function definitions(list: Definition[] | null, isPath = false): unknown {
  return list === null ? null : list.map((definition) => definitionJson(definition, isPath));
}

export function entityJson(entity: Entity): Record<string, unknown> {
  const base: Record<string, unknown> = {
    properties: entity.properties,
    id: entity.id,
    script: entity.script,
    groupId: entity.groupId,
    name: entity.name,
    createTime: entity.createTime,
    updateTime: entity.updateTime,
    lock: entity.lock,
    createBy: entity.createBy,
    updateBy: entity.updateBy,
  };
  switch (entity.kind) {
    case 'api':
      return {
        ...base, path: entity.path, method: entity.method, parameters: definitions(entity.parameters), options: definitions(entity.options),
        requestBody: entity.requestBody, headers: definitions(entity.headers), paths: definitions(entity.paths, true),
        responseBody: entity.responseBody, description: entity.description,
        requestBodyDefinition: entity.requestBodyDefinition && definitionJson(entity.requestBodyDefinition),
        responseBodyDefinition: entity.responseBodyDefinition && definitionJson(entity.responseBodyDefinition),
      };
    case 'function':
      return {
        ...base, path: entity.path, description: entity.description, returnType: entity.returnType, mappingPath: entity.mappingPath,
        parameters: definitions(entity.parameters),
      };
    case 'task':
      return { ...base, path: entity.path, cron: entity.cron, enabled: entity.enabled, description: entity.description };
    case 'datasource':
      return {
        ...base, url: entity.url, username: entity.username, password: entity.password, key: entity.key, maxRows: entity.maxRows,
        driverClassName: entity.driverClassName, type: entity.type,
      };
  }
}

export function groupJson(group: Group): Record<string, unknown> {
  return {
    properties: group.properties,
    id: group.id,
    name: group.name,
    type: group.type,
    parentId: group.parentId,
    path: group.path,
    createTime: group.createTime,
    updateTime: group.updateTime,
    createBy: group.createBy,
    updateBy: group.updateBy,
    paths: definitions(group.paths, true),
    options: definitions(group.options),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading (Jackson 2.11 data binding with its default coercions; FAIL_ON_UNKNOWN_PROPERTIES off)

export class BindError extends Error {
  constructor(readonly property: string, message: string) {
    super(`${property}: ${message}`);
    this.name = 'BindError';
  }
}

function scalarText(value: JavaValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JavaInt) return String(value.value);
  if (value instanceof JavaLong) return value.value.toString();
  if (value instanceof JavaDouble) return javaDoubleToString(value.value);
  return undefined;
}

/** String property: strings, and numbers/booleans as their text; objects and arrays are refused. */
function bindString(property: string, value: JavaValue): string | null {
  if (value === null) return null;
  const text = scalarText(value);
  if (text === undefined) throw new BindError(property, 'Cannot deserialize a String out of an object or array');
  return text;
}

/** Long property: integers, floats truncated, numeric strings; "" is null. */
function bindLong(property: string, value: JavaValue): number | null {
  if (value === null) return null;
  if (value instanceof JavaInt) return value.value;
  if (value instanceof JavaLong) return Number(value.value);
  if (value instanceof JavaDouble) return Math.trunc(value.value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return null;
    if (/^[+-]?\d+$/.test(text)) return Number(text);
    throw new BindError(property, `Cannot deserialize value of type java.lang.Long from String "${value}"`);
  }
  throw new BindError(property, 'Cannot deserialize value of type java.lang.Long');
}

function bindInt(property: string, value: JavaValue): number {
  return bindLong(property, value) ?? 0;
}

/** primitive boolean: true/false, "true"/"false" (any case), integers (0 = false); null = false. */
function bindBoolean(property: string, value: JavaValue): boolean {
  if (value === null) return false;
  if (typeof value === 'boolean') return value;
  if (value instanceof JavaInt) return value.value !== 0;
  if (value instanceof JavaLong) return value.value !== 0n;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false' || text === '') return false;
  }
  throw new BindError(property, 'Cannot deserialize value of type boolean');
}

function bindDataType(property: string, value: JavaValue): DataTypeName | null {
  if (value === null) return null;
  if (typeof value === 'string') {
    if ((DATA_TYPES as readonly string[]).includes(value)) return value as DataTypeName;
    if (value === '') return null;
  }
  if (value instanceof JavaInt && value.value >= 0 && value.value < DATA_TYPES.length) return DATA_TYPES[value.value] as DataTypeName;
  throw new BindError(property, `Cannot deserialize value of type org.ssssssss.magicapi.core.model.DataType from ${scalarText(value) ?? 'an object'}`);
}

function fieldsOf(property: string, value: JavaValue): JavaMap {
  if (!(value instanceof JavaMap)) throw new BindError(property, 'Cannot deserialize an object out of a non-object value');
  return value;
}

function bindProperties(property: string, value: JavaValue): JavaMap {
  if (value === null) return new JavaMap('java.util.HashMap');
  return JavaMap.copyOf('java.util.HashMap', fieldsOf(property, value).entries);
}

export function bindDefinition(property: string, value: JavaValue): Definition | null {
  if (value === null) return null;
  const fields = fieldsOf(property, value).entries;
  const get = (key: string): JavaValue => (fields.has(key) ? (fields.get(key) as JavaValue) : null);
  return {
    name: bindString(`${property}.name`, get('name')),
    value: get('value'),
    description: bindString(`${property}.description`, get('description')),
    required: bindBoolean(`${property}.required`, get('required')),
    dataType: bindDataType(`${property}.dataType`, get('dataType')),
    type: bindString(`${property}.type`, get('type')),
    defaultValue: bindString(`${property}.defaultValue`, get('defaultValue')),
    validateType: bindString(`${property}.validateType`, get('validateType')),
    error: bindString(`${property}.error`, get('error')),
    expression: bindString(`${property}.expression`, get('expression')),
    children: bindDefinitions(`${property}.children`, get('children')),
  };
}

function bindDefinitions(property: string, value: JavaValue): Definition[] | null {
  if (value === null) return null;
  if (!(value instanceof JavaList)) throw new BindError(property, 'Cannot deserialize a List out of a non-array value');
  return value.items.map((item, index) => bindDefinition(`${property}[${index}]`, item) as Definition);
}

/** Bind the common MagicEntity fields present in `fields` onto `entity`; absent fields keep their defaults. */
function bindCommon(entity: EntityCommon, fields: Map<string, JavaValue>): void {
  for (const [key, value] of fields) {
    switch (key) {
      case 'properties': entity.properties = bindProperties(key, value); break;
      case 'id': entity.id = bindString(key, value); break;
      case 'script': entity.script = bindString(key, value); break;
      case 'groupId': entity.groupId = bindString(key, value); break;
      case 'name': entity.name = bindString(key, value); break;
      case 'createTime': entity.createTime = bindLong(key, value); break;
      case 'updateTime': entity.updateTime = bindLong(key, value); break;
      case 'lock': entity.lock = bindString(key, value); break;
      case 'createBy': entity.createBy = bindString(key, value); break;
      case 'updateBy': entity.updateBy = bindString(key, value); break;
      default: break;
    }
  }
}

/** JsonUtils.readValue(json, <storage class>): the entity, or BindError where Jackson would throw. */
export function bindEntity(kind: ResourceType, value: JavaValue): Entity {
  const fields = fieldsOf('$', value).entries;
  const entity = newEntity(kind);
  bindCommon(entity, fields);
  for (const [key, item] of fields) {
    switch (entity.kind) {
      case 'api':
        if (key === 'path') entity.path = bindString(key, item);
        else if (key === 'method') entity.method = bindString(key, item);
        else if (key === 'parameters') entity.parameters = bindDefinitions(key, item);
        else if (key === 'options') entity.options = bindDefinitions(key, item);
        else if (key === 'requestBody') entity.requestBody = bindString(key, item);
        else if (key === 'headers') entity.headers = bindDefinitions(key, item);
        else if (key === 'paths') entity.paths = bindDefinitions(key, item);
        else if (key === 'responseBody') entity.responseBody = bindString(key, item);
        else if (key === 'description') entity.description = bindString(key, item);
        else if (key === 'requestBodyDefinition') entity.requestBodyDefinition = bindDefinition(key, item);
        else if (key === 'responseBodyDefinition') entity.responseBodyDefinition = bindDefinition(key, item);
        break;
      case 'function':
        if (key === 'path') entity.path = bindString(key, item);
        else if (key === 'description') entity.description = bindString(key, item);
        else if (key === 'returnType') entity.returnType = bindString(key, item);
        else if (key === 'mappingPath') entity.mappingPath = bindString(key, item);
        else if (key === 'parameters') entity.parameters = bindDefinitions(key, item);
        break;
      case 'task':
        if (key === 'path') entity.path = bindString(key, item);
        else if (key === 'cron') entity.cron = bindString(key, item);
        else if (key === 'enabled') entity.enabled = bindBoolean(key, item);
        else if (key === 'description') entity.description = bindString(key, item);
        break;
      case 'datasource':
        if (key === 'url') entity.url = bindString(key, item);
        else if (key === 'username') entity.username = bindString(key, item);
        else if (key === 'password') entity.password = bindString(key, item);
        else if (key === 'key') entity.key = bindString(key, item);
        else if (key === 'maxRows') entity.maxRows = bindInt(key, item);
        else if (key === 'driverClassName') entity.driverClassName = bindString(key, item);
        else if (key === 'type') entity.type = bindString(key, item);
        break;
    }
  }
  return entity;
}

export function bindGroup(value: JavaValue): Group {
  const fields = fieldsOf('$', value).entries;
  const group = newGroup();
  for (const [key, item] of fields) {
    switch (key) {
      case 'properties': group.properties = bindProperties(key, item); break;
      case 'id': group.id = bindString(key, item); break;
      case 'name': group.name = bindString(key, item); break;
      case 'type': group.type = bindString(key, item); break;
      case 'parentId': group.parentId = bindString(key, item); break;
      case 'path': group.path = bindString(key, item); break;
      case 'createTime': group.createTime = bindLong(key, item); break;
      case 'updateTime': group.updateTime = bindLong(key, item); break;
      case 'createBy': group.createBy = bindString(key, item); break;
      case 'updateBy': group.updateBy = bindString(key, item); break;
      case 'paths': group.paths = bindDefinitions(key, item); break;
      case 'options': group.options = bindDefinitions(key, item); break;
      default: break;
    }
  }
  return group;
}

/** BaseDefinition#equals (BaseDefinition.java:164-174): every field but `type`. */
function sameDefinition(a: Definition | null, b: Definition | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.required === b.required && a.name === b.name && sameValue(a.value, b.value) && a.description === b.description &&
    a.dataType === b.dataType && a.defaultValue === b.defaultValue && a.validateType === b.validateType && a.error === b.error &&
    a.expression === b.expression && sameDefinitions(a.children, b.children)
  );
}

function sameDefinitions(a: Definition[] | null, b: Definition[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((item, index) => sameDefinition(item, b[index] ?? null));
}

function sameValue(a: JavaValue, b: JavaValue): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (a instanceof JavaInt && b instanceof JavaInt) return a.value === b.value;
  if (a instanceof JavaLong && b instanceof JavaLong) return a.value === b.value;
  if (a instanceof JavaDouble && b instanceof JavaDouble) return a.value === b.value;
  if (a instanceof JavaList && b instanceof JavaList) return a.items.length === b.items.length && a.items.every((item, index) => sameValue(item, b.items[index] ?? null));
  if (a instanceof JavaMap && b instanceof JavaMap) {
    return a.entries.size === b.entries.size && [...a.entries].every(([key, item]) => b.entries.has(key) && sameValue(item, b.entries.get(key) ?? null));
  }
  return false;
}

/**
 * `Objects.equals(oldInfo, entity)` of the auto-save shortcut (MagicResourceController.java:90-95), with each
 * class's own equals: MagicEntity (id, script, groupId, name), ApiInfo.java:196-214, FunctionInfo.java:72-85,
 * TaskInfo.java:67-80 (which also calls MagicEntity#equals).
 */
export function sameForAutoSave(a: Entity, b: Entity): boolean {
  if (a.kind !== b.kind) return false;
  const base = a.id === b.id && a.script === b.script && a.groupId === b.groupId && a.name === b.name;
  if (a.kind === 'api' && b.kind === 'api') {
    return (
      base && a.method === b.method && a.path === b.path && sameDefinitions(a.paths, b.paths) && sameDefinitions(a.parameters, b.parameters) &&
      sameDefinitions(a.options, b.options) && a.requestBody === b.requestBody && sameDefinitions(a.headers, b.headers) &&
      a.description === b.description && sameDefinition(a.requestBodyDefinition, b.requestBodyDefinition) &&
      sameDefinition(a.responseBodyDefinition, b.responseBodyDefinition)
    );
  }
  if (a.kind === 'function' && b.kind === 'function') {
    return base && a.path === b.path && a.description === b.description && sameDefinitions(a.parameters, b.parameters) && a.returnType === b.returnType;
  }
  if (a.kind === 'task' && b.kind === 'task') {
    return base && a.path === b.path && a.cron === b.cron && a.description === b.description && a.enabled === b.enabled;
  }
  return base;
}

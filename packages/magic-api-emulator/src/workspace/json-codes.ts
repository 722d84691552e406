/**
 * core/config/JsonCodeConstants.java (magic-api 2.2.2), line by line: the `code`/`message` pairs the editor API
 * answers with. An InvalidArgumentException carrying one of them becomes `{"code": <code>, "message": <message>}`
 * with HTTP 200 (MagicExceptionHandler#exceptionHandler(InvalidArgumentException), core/web/MagicExceptionHandler.java:38-42).
 */
export const JSON_CODES = {
  SUCCESS: [1, 'success'], // :9 (Constants.RESPONSE_MESSAGE_SUCCESS)
  IS_READ_ONLY: [-2, '当前为只读模式，无法操作'], // :11
  PERMISSION_INVALID: [-10, '无权限操作.'], // :13
  GROUP_NOT_FOUND: [1001, '找不到分组信息'], // :15
  NOT_SUPPORTED_GROUP_TYPE: [1002, '不支持该分组类型'], // :17
  TARGET_IS_REQUIRED: [1003, '目标网址不能为空'], // :19
  SECRET_KEY_IS_REQUIRED: [1004, 'secretKey不能为空'], // :21
  MOVE_NAME_CONFLICT: [1005, '移动后名称会重复，请修改名称后在试。'], // :23
  SRC_GROUP_CONFLICT: [1006, '源对象和分组不能一致'], // :25
  FILE_NOT_FOUND: [1007, '找不到对应文件或分组'], // :27
  RESOURCE_LOCKED: [1008, '当前资源已被锁定，请解锁后在操作。'], // :29
  PATH_CONFLICT: [1009, '该路径已被使用,请换一个路径在试'], // :31
  RESOURCE_PATH_CONFLICT: [1010, '资源中[%s]有冲突，请检查'], // :33
  MOVE_PATH_CONFLICT: [1011, '移动后路径会冲突,请换一个路径在试'], // :35
  SAVE_GROUP_PATH_CONFLICT: [1036, '保存后路径会冲突,请换一个路径在试'], // :37
  REQUEST_METHOD_REQUIRED: [1012, '请求方法不能为空'], // :39
  REQUEST_PATH_REQUIRED: [1013, '请求路径不能为空'], // :41
  FUNCTION_PATH_REQUIRED: [1014, '函数路径不能为空'], // :43
  FILE_PATH_NOT_EXISTS: [1015, '配置的文件路径不存在，请检查'], // :45
  REQUEST_PATH_CONFLICT: [1016, '接口[%s(%s)]与应用冲突，无法注册'], // :47
  SCRIPT_REQUIRED: [1017, '脚本内容不能为空'], // :49
  NAME_REQUIRED: [1018, '名称不能为空'], // :51
  PATH_REQUIRED: [1019, '路径不能为空'], // :53
  DS_URL_REQUIRED: [1020, 'jdbcURL不能为空'], // :55
  DS_KEY_REQUIRED: [1021, 'key不能为空'], // :57
  DS_KEY_CONFLICT: [1022, '数据源key已被使用，请更换后在试'], // :59
  GROUP_ID_REQUIRED: [1023, '请选择分组'], // :61
  CRON_ID_REQUIRED: [1024, 'cron表达式不能为空'], // :63
  NAME_INVALID: [1025, '名称不能包含特殊字符，只允许中文、数字、字母以及+_-.()的组合且不能.开头'], // :65
  DATASOURCE_KEY_INVALID: [1026, '数据源Key不能包含特殊字符，只允许中文、数字、字母以及_组合'], // :67
  FILE_SAVE_FAILURE: [1027, '保存失败,同一组下分组名称不能重复且不能包含特殊字符。'], // :69
  PARAMETER_INVALID: [1028, '参数验证失败'], // :71
  HEADER_INVALID: [1029, 'header验证失败'], // :73
  PATH_VARIABLE_INVALID: [1030, '路径变量验证失败'], // :75
  BODY_INVALID: [1031, 'body验证失败'], // :77
  FILE_IS_REQUIRED: [1032, '请上传文件'], // :79
  SIGN_IS_INVALID: [1033, '签名验证失败,请检查秘钥是否正确'], // :81
  BACKUP_NOT_ENABLED: [1034, '未启用备份，无法操作'], // :83
  API_NOT_FOUND: [1035, '找不到接口'], // :85
} as const satisfies Record<string, readonly [number, string]>;

export type JsonCodeName = keyof typeof JSON_CODES;

/** InvalidArgumentException: a JsonCode thrown by a check (notNull / isTrue / notBlank, JsonCodeConstants.java:87-101). */
export class MagicApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'MagicApiError';
  }

  static of(name: JsonCodeName, ...formatArgs: string[]): MagicApiError {
    const [code, message] = JSON_CODES[name];
    let text: string = message;
    // JsonCode#format is String.format: each %s takes the next argument.
    for (const arg of formatArgs) text = text.replace('%s', arg);
    return new MagicApiError(code, text);
  }
}

/** `isTrue(value, code)` / `notNull(value, code)` / `notBlank(value, code)` of JsonCodeConstants. */
export function check(condition: boolean, name: JsonCodeName): void {
  if (!condition) throw MagicApiError.of(name);
}

/** StringUtils.isNotBlank: not null and not only whitespace (Character.isWhitespace). */
export function isNotBlank(value: string | null | undefined): value is string {
  return typeof value === 'string' && /[^\s\u001c-\u001f]/.test(value.replace(/[\u00a0\u2007\u202f\ufeff]/g, 'x'));
}

// Decoding console messages as Magic-API v2.2.2 writes them: each built with the fixture's copy of
// WebSocketSessionManager.buildMessage, from the values the Java passes (MagicWorkbenchHandler.java,
// MagicCoordinationHandler.java, DebugRequest.java, RequestHandler.java, WebSocketSessionManager.flushLog).
import { expect, test } from 'vitest';
import { MAGIC_API_TYPES, parseMagicApiMessage } from '../src/index.js';
import { buildMessage } from './console-fixture.js';

const session = { cid: '0123456789abcdef', id: 'guest', ip: '127.0.0.1', username: '游客' };

test('every type the console sends decodes into its typed form', () => {
  expect(parseMagicApiMessage(buildMessage('LOG', ['one line']))).toEqual({ type: 'LOG', data: { lines: ['one line'] } });
  expect(parseMagicApiMessage(buildMessage('LOGS', ['a', 'b, with a comma', '']))).toEqual({ type: 'LOGS', data: { lines: ['a', 'b, with a comma', ''] } });
  expect(parseMagicApiMessage(buildMessage('LOGIN_RESPONSE', '1', session))).toEqual({ type: 'LOGIN_RESPONSE', data: { status: 1, user: session } });
  expect(parseMagicApiMessage(buildMessage('LOGIN_RESPONSE', '0'))).toEqual({ type: 'LOGIN_RESPONSE', data: { status: 0 } });
  expect(parseMagicApiMessage(buildMessage('LOGIN_RESPONSE', '-1'))).toEqual({ type: 'LOGIN_RESPONSE', data: { status: -1 } });
  expect(parseMagicApiMessage(buildMessage('ONLINE_USERS', [session]))).toEqual({ type: 'ONLINE_USERS', data: { users: [session] } });
  expect(parseMagicApiMessage(buildMessage('USER_LOGIN', session))).toEqual({ type: 'USER_LOGIN', data: { user: session } });
  expect(parseMagicApiMessage(buildMessage('USER_LOGOUT', session))).toEqual({ type: 'USER_LOGOUT', data: { user: session } });
  expect(parseMagicApiMessage(buildMessage('INTO_FILE_ID', session.cid, 'file,with,commas'))).toEqual({ type: 'INTO_FILE_ID', data: { clientId: session.cid, fileId: 'file,with,commas' } });
  const variables = [{ name: 'user', value: '{"id":1}', type: 'java.util.HashMap' }];
  expect(parseMagicApiMessage(buildMessage('BREAKPOINT', 'script-1', { variables, range: [3, 1, 3, 12] }))).toEqual({
    type: 'BREAKPOINT',
    data: { scriptId: 'script-1', variables, range: [3, 1, 3, 12] },
  });
  expect(parseMagicApiMessage(buildMessage('EXCEPTION', ['script-1', 'boom', [3, 3, 1, 12]]))).toEqual({ type: 'EXCEPTION', data: { scriptId: 'script-1', message: 'boom', range: [3, 3, 1, 12] } });
  expect(parseMagicApiMessage(buildMessage('EXCEPTION', ['script-1', 'boom', null]))).toEqual({ type: 'EXCEPTION', data: { scriptId: 'script-1', message: 'boom', range: null } });
  expect(parseMagicApiMessage(buildMessage('PING'))).toEqual({ type: 'PING', data: undefined });
  expect(parseMagicApiMessage(buildMessage('REFRESH_TOKEN', 'new-token'))).toEqual({ type: 'REFRESH_TOKEN', data: { token: 'new-token' } });
  // The list of types is the server → client half of MessageType.java.
  expect([...MAGIC_API_TYPES].sort()).toEqual(['BREAKPOINT', 'EXCEPTION', 'INTO_FILE_ID', 'LOG', 'LOGIN_RESPONSE', 'LOGS', 'ONLINE_USERS', 'PING', 'REFRESH_TOKEN', 'USER_LOGIN', 'USER_LOGOUT']);
});

test('a known type whose values the server would not write is INVALID, with the text kept', () => {
  for (const [text, type] of [
    ['log,plain text, not an array', 'LOG'],
    ['logs,[1,2]', 'LOGS'],
    ['log', 'LOG'],
    ['login_response,2', 'LOGIN_RESPONSE'],
    ['login_response,1', 'LOGIN_RESPONSE'],
    ['login_response,1,[1]', 'LOGIN_RESPONSE'],
    ['breakpoint,s1', 'BREAKPOINT'],
    ['breakpoint,,{"variables":[],"range":[1,1,1,1]}', 'BREAKPOINT'],
    ['breakpoint,s1,{"range":[1,1,1,1]}', 'BREAKPOINT'],
    ['breakpoint,s1,{"variables":[],"range":"x"}', 'BREAKPOINT'],
    ['exception,{"message":"boom"}', 'EXCEPTION'],
    ['exception,["s1","boom",["a"]]', 'EXCEPTION'],
    ['online_users,{}', 'ONLINE_USERS'],
    ['online_users,[1]', 'ONLINE_USERS'],
    ['user_login,"x"', 'USER_LOGIN'],
    ['into_file_id,only-one', 'INTO_FILE_ID'],
    ['refresh_token', 'REFRESH_TOKEN'],
  ] as const) {
    const decoded = parseMagicApiMessage(text);
    expect(decoded, text).toMatchObject({ type: 'INVALID', data: { type }, raw: text });
    expect((decoded.data as { error: string }).error, text).toMatch(/^expected /);
  }
});

test('types the console does not send, or spells otherwise, are UNKNOWN: it matches types exactly', () => {
  for (const text of ['', 'something_new,payload', 'LOG,["upper case"]', 'pong', 'set_file_id,abc', 'login,token,id', ' log,["x"]']) {
    expect(parseMagicApiMessage(text), text).toEqual({ type: 'UNKNOWN', data: undefined, raw: text });
  }
});

test('hostile payloads stay bounded and never throw', () => {
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  expect(parseMagicApiMessage(`logs,${deep}`).type).toBe('INVALID');
  const long = `log,${JSON.stringify(['x'.repeat(1_000_000)])}`;
  expect(parseMagicApiMessage(long)).toMatchObject({ type: 'LOG', data: { lines: ['x'.repeat(1_000_000)] } });
  const broken = parseMagicApiMessage(`exception,${'{'.repeat(500)}`);
  expect(broken.type).toBe('INVALID');
  // The error quotes at most 80 characters of what it could not read.
  expect((broken.data as { error: string }).error.length).toBeLessThan(200);
});

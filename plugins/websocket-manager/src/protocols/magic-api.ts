// The Magic-API console protocol, client side, as Magic-API v2.2.2 speaks it. Paths are under
// magic-api/src/main/java/org/ssssssss/magicapi/ in ssssssss-team/magic-api; the web editor's own client is the
// bundled magic-editor/src/main/resources/magic-editor/assets/app.*.js.
import { randomBytes } from 'node:crypto';
import { ConnectionError } from '../connection-error.js';
import type { DecodedMessage } from '../message-buffer.js';
import type { MagicApiConsole, MagicApiLoginState } from './magic-api-console.js';
import { parseMagicApiMessage } from './magic-api-messages.js';
import { decodeBinary, encodeOutgoing, type Protocol, type ProtocolLink } from './protocol.js';

/** Credentials the Magic-API console understands: a token, nothing else. */
export interface MagicApiAuth {
  token?: string | undefined;
}

/** The token of a login without one: the console's guest (`MagicWorkbenchHandler`'s guest user), accepted when the server requires no login. */
export const GUEST_TOKEN = 'unauthorization';

/**
 * Logins one socket may send when the server keeps answering `-1` (client id in use). A fresh random id is never in
 * use, so a second `-1` already means a server that misbehaves; past this the socket is dropped and the backoff
 * paces the next one.
 */
export const MAX_LOGINS_PER_SOCKET = 3;

const PING = Buffer.from('ping');
const LOGIN_RESPONSE = Buffer.from('login_response,');
const REFRESH_TOKEN = Buffer.from('refresh_token,');

/** A console client id: 16 lowercase hex characters, as the web editor makes one for every socket it opens. */
export function createClientId(): string {
  return randomBytes(8).toString('hex');
}

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** A token as the console can take it: `undefined` for none; a comma would cut the login (the dispatcher splits at commas). */
function checkToken(token: string | undefined, connection: string): string | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string') throw new ConnectionError('WSM_INVALID_OPTIONS', `connection "${connection}": a token is a string, got ${typeof token}`, { connection });
  if (token.includes(',')) throw new ConnectionError('WSM_INVALID_OPTIONS', `connection "${connection}": a token cannot contain ","; the console splits its login at commas`, { connection });
  return token;
}

/**
 * The Magic-API console (`{web}/console`). Each socket that opens gets a fresh client id and logs in with
 * `login,<token | "unauthorization">,<clientId>` (`core/handler/MagicWorkbenchHandler.java` `onLogin`); the
 * connection is `open` only once the server answers `login_response,1`. `0` (token refused) leaves the connection
 * `refused`, waiting for a new token; `-1` (client id in use) gets a new id and a new login on the same socket, at
 * most `MAX_LOGINS_PER_SOCKET` times. The server's `ping` (every 20 s, `core/config/WebSocketSessionManager.java`
 * `checkSession`) is answered with `pong` and reported as proof the session lives; `refresh_token,<t>` (an answer to
 * a `pong` near the token's expiry) replaces the token and is handed to the token listeners, never buffered. No
 * keep-alive text of our own: the console ignores a client's `ping` (it has no handler for it).
 */
export class MagicApiProtocol implements Protocol, MagicApiConsole {
  readonly name = 'magic-api' as const;
  readonly logsIn = true;
  readonly serverPings = true;

  readonly #connection: string;
  readonly #createId: () => string;
  readonly #tokenListeners = new Set<(token: string) => void>();
  readonly #loginListeners = new Set<(login: MagicApiLoginState) => void>();
  #link: ProtocolLink | undefined;
  #token: string | undefined;
  #clientId: string | undefined;
  #login: MagicApiLoginState = { status: 'pending' };
  /** A login was sent on the current socket and not answered yet. */
  #awaitingLogin = false;
  #loginsOnSocket = 0;

  constructor(connection: string, auth: MagicApiAuth = {}, createId: () => string = createClientId) {
    this.#connection = connection;
    this.#token = checkToken(auth.token, connection);
    this.#createId = createId;
  }

  get console(): MagicApiConsole {
    return this;
  }

  get clientId(): string | undefined {
    return this.#clientId;
  }

  get login(): MagicApiLoginState {
    return this.#login;
  }

  get token(): string | undefined {
    return this.#token;
  }

  setToken(token: string | undefined): void {
    this.#token = checkToken(token, this.#connection);
    this.#link?.credentialsChanged();
  }

  onTokenRefresh(listener: (token: string) => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  onLoginChange(listener: (login: MagicApiLoginState) => void): () => void {
    this.#loginListeners.add(listener);
    return () => this.#loginListeners.delete(listener);
  }

  attach(link: ProtocolLink): void {
    this.#link = link;
  }

  headers(): Record<string, string> {
    // The console reads no handshake header but the client's address: the token goes in the login only.
    return {};
  }

  onOpen(link: ProtocolLink): void {
    this.#loginsOnSocket = 0;
    this.#setLogin({ status: 'pending' });
    this.#sendLogin(link);
  }

  onClose(): void {
    this.#clientId = undefined;
    this.#awaitingLogin = false;
    // A refusal stays visible until the next socket logs in.
    if (this.#login.status === 'ok') this.#setLogin({ status: 'pending' });
  }

  intercept(data: Buffer, isBinary: boolean, link: ProtocolLink): boolean {
    // Byte comparisons first: this runs for every message, and log lines (`log,…`, `logs,…`) are most of them.
    if (isBinary || data.length < 4) return false;
    switch (data[0]) {
      case 0x70 /* p */:
        if (data.length !== 4 || !data.equals(PING)) return false;
        link.send('pong');
        link.serverPing();
        return true;
      case 0x6c /* l */:
        // `login_response,…` has an "i" where `log,` and `logs` have "," and "s". It is buffered too: a reader sees the login.
        if (data[3] === 0x69 /* i */ && startsWith(data, LOGIN_RESPONSE)) this.#onLoginResponse(data.toString('utf8'), link);
        return false;
      case 0x72 /* r */:
        if (!startsWith(data, REFRESH_TOKEN)) return false;
        this.#onRefreshToken(data.toString('utf8', REFRESH_TOKEN.length), link);
        return true;
      default:
        return false;
    }
  }

  decode(data: Buffer, isBinary: boolean): DecodedMessage {
    return isBinary ? decodeBinary(data) : parseMagicApiMessage(data.toString('utf8'));
  }

  encode(data: unknown): string | Buffer {
    return encodeOutgoing(data);
  }

  #sendLogin(link: ProtocolLink): void {
    this.#clientId = this.#createId();
    this.#loginsOnSocket++;
    this.#awaitingLogin = true;
    link.send(`login,${this.#token ?? GUEST_TOKEN},${this.#clientId}`);
  }

  #onLoginResponse(text: string, link: ProtocolLink): void {
    // An answer nobody asked for (a second one, or one for a socket being closed) changes nothing.
    if (!this.#awaitingLogin) return;
    const message = parseMagicApiMessage(text);
    if (message.type === 'INVALID') {
      this.#awaitingLogin = false;
      link.unusable(`the console's login answer cannot be read (${message.data.error})`);
      return;
    }
    if (message.type !== 'LOGIN_RESPONSE') return;
    const answer = message.data;
    if (answer.status === 1) {
      this.#awaitingLogin = false;
      const login: MagicApiLoginState = { status: 'ok', clientId: this.#clientId!, user: answer.user, at: Date.now() };
      // Set before the connection turns `open`, so whatever that wakes reads the session; announced after.
      const previous = this.#login;
      this.#login = login;
      if (link.loggedIn()) this.#announceLogin();
      else this.#login = previous;
    } else if (answer.status === 0) {
      this.#awaitingLogin = false;
      const previous = this.#login;
      this.#login = { status: 'refused', at: Date.now() };
      const tokenKind = this.#token === undefined ? `no token ("${GUEST_TOKEN}", which a server that requires a login refuses)` : 'its token';
      if (link.loginRefused(`the console refused the login with ${tokenKind} (login_response,0)`)) this.#announceLogin();
      else this.#login = previous;
    } else if (this.#loginsOnSocket >= MAX_LOGINS_PER_SOCKET) {
      this.#awaitingLogin = false;
      link.unusable(`the console answered login_response,-1 (client id in use) to ${this.#loginsOnSocket} fresh client ids`);
    } else {
      // The id is registered already (by a session of ours the server has not dropped yet, say): a new one, same socket.
      link.logger.debug('%s: client id %s is in use on the console; logging in with a new one', this.#connection, this.#clientId);
      this.#sendLogin(link);
    }
  }

  #onRefreshToken(token: string, link: ProtocolLink): void {
    if (token === '') {
      link.logger.warning('%s: the console sent an empty refresh_token; keeping the current token', this.#connection);
      return;
    }
    this.#token = token;
    link.logger.info('%s: the console sent a new token; logins use it from now on', this.#connection);
    for (const listener of this.#tokenListeners) {
      try {
        listener(token);
      } catch (error) {
        link.logger.warning('%s: a token listener threw: %s', this.#connection, (error as Error).message);
      }
    }
  }

  #setLogin(login: MagicApiLoginState): void {
    if (login.status === this.#login.status && login.status === 'pending') return;
    this.#login = login;
    this.#announceLogin();
  }

  #announceLogin(): void {
    const login = this.#login;
    for (const listener of this.#loginListeners) {
      try {
        listener(login);
      } catch (error) {
        this.#link?.logger.warning('%s: a login listener threw: %s', this.#connection, (error as Error).message);
      }
    }
  }
}

/** The magic-api protocol for one connection. */
export function createMagicApiProtocol(connection: string, auth?: MagicApiAuth, createId?: () => string): MagicApiProtocol {
  return new MagicApiProtocol(connection, auth, createId);
}

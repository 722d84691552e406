/**
 * Who may use the editor: AuthorizationInterceptor (core/interceptor/AuthorizationInterceptor.java) as
 * DefaultAuthorizationInterceptor implements it (core/interceptor/DefaultAuthorizationInterceptor.java):
 *
 * - No credentials configured: `requireLogin()` is false; every token is refused by getUserByToken, which the
 *   console turns into the guest user and the HTTP side never asks for.
 * - Credentials configured: the only valid token is MD5("<username>||<password>") in lower-case hex
 *   (utils/MD5Utils.java), the same for every login, never expiring; the user's `timeout` is -1 (MagicUser.java:19),
 *   so the console never sends `refresh_token`.
 *
 * `tokenLifetimeSeconds` models what only a custom AuthorizationInterceptor can do (the default one cannot expire a
 * token): each login issues a fresh token valid for that long, MagicUser#timeout is that lifetime, an expired token
 * is refused with the same MagicLoginException("token无效"), and refreshToken(user) issues a new token — which the
 * console's pong handler then sends as `refresh_token,<token>` (core/handler/MagicWorkbenchHandler.java:89-103).
 */
import { createHash, randomBytes } from 'node:crypto';

/** MagicUser (core/context/MagicUser.java): id, username, token, timeout (seconds; <= 0 never expires). */
export interface MagicUser {
  id: string | null;
  username: string | null;
  token: string | null;
  timeout: number;
}

export class MagicLoginError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MagicLoginException';
  }
}

export interface Credentials {
  username: string;
  password: string;
}

/** utils/MD5Utils.java: lower-case hex of MD5 over the UTF-8 bytes. */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

export class Authorization {
  private readonly validToken: string | undefined;
  private readonly user: MagicUser | undefined;
  /** Expiring mode: token → [user, expiresAt]. */
  private readonly issued = new Map<string, { user: MagicUser; expiresAt: number }>();

  constructor(
    private readonly credentials: Credentials | undefined,
    private readonly tokenLifetimeSeconds: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    if (credentials) {
      this.validToken = md5Hex(`${credentials.username}||${credentials.password}`);
      this.user = { id: credentials.username, username: credentials.username, token: this.validToken, timeout: -1 };
    }
  }

  requireLogin(): boolean {
    return this.credentials !== undefined;
  }

  private isExpiring(): boolean {
    return this.credentials !== undefined && this.tokenLifetimeSeconds !== undefined;
  }

  private issue(): MagicUser {
    const credentials = this.credentials as Credentials;
    const token = randomBytes(16).toString('hex');
    const user: MagicUser = { id: credentials.username, username: credentials.username, token, timeout: this.tokenLifetimeSeconds as number };
    this.issued.set(token, { user, expiresAt: this.now() + (this.tokenLifetimeSeconds as number) * 1000 });
    return user;
  }

  /** getUserByToken: the user, or MagicLoginException("token无效"). */
  getUserByToken(token: string | null | undefined): MagicUser {
    if (this.isExpiring()) {
      const entry = token ? this.issued.get(token) : undefined;
      if (entry && entry.expiresAt > this.now()) return { ...entry.user };
      throw new MagicLoginError('token无效');
    }
    if (this.requireLogin() && token === this.validToken) return { ...(this.user as MagicUser) };
    throw new MagicLoginError('token无效');
  }

  /** login: the user, or MagicLoginException("用户名或密码不正确"). */
  login(username: string | null, password: string | null): MagicUser {
    if (this.requireLogin() && md5Hex(`${String(username)}||${String(password)}`) === this.validToken) {
      return this.isExpiring() ? this.issue() : { ...(this.user as MagicUser) };
    }
    throw new MagicLoginError('用户名或密码不正确');
  }

  /** refreshToken(user): replaces the user's token (expiring mode); the default interceptor does nothing. */
  refreshToken(user: MagicUser): void {
    if (!this.isExpiring()) return;
    const fresh = this.issue();
    user.token = fresh.token;
    user.timeout = fresh.timeout;
  }

  /** Harness: make every issued token expired now (as if its lifetime had passed). */
  expireAll(): void {
    for (const entry of this.issued.values()) entry.expiresAt = 0;
  }

  /** The token a correct login would return (default interceptor only; for the harness and the CLI). */
  staticToken(): string | undefined {
    return this.isExpiring() ? undefined : this.validToken;
  }
}

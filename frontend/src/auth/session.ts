/**
 * The login token: kept in memory and mirrored to sessionStorage so a reload in the same tab
 * stays signed in, while closing the tab signs out. Expired tokens are never handed out.
 */
export type Session = { token: string; expiresAt: number };

type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

const KEY = "lsphub.session";

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (
      typeof value === "object" &&
      value !== null &&
      "token" in value &&
      "expiresAt" in value &&
      typeof value.token === "string" &&
      typeof value.expiresAt === "number"
    ) {
      return { token: value.token, expiresAt: value.expiresAt };
    }
  } catch {
    // A corrupt entry is treated as no session.
  }
  return null;
}

export class SessionStore {
  private current: Session | null;

  constructor(
    private readonly storage: Storage | null,
    private readonly now: () => number = Date.now,
  ) {
    this.current = parse(storage?.getItem(KEY) ?? null);
  }

  /** The live session, or null (clearing it) once it has expired. */
  get(): Session | null {
    if (this.current && this.current.expiresAt <= this.now()) this.clear();
    return this.current;
  }

  token(): string | null {
    return this.get()?.token ?? null;
  }

  save(token: string, expiresAt: string): Session {
    this.current = { token, expiresAt: Date.parse(expiresAt) };
    this.storage?.setItem(KEY, JSON.stringify(this.current));
    return this.current;
  }

  clear(): void {
    this.current = null;
    this.storage?.removeItem(KEY);
  }

  /** Milliseconds until the session expires (0 when there is none). */
  remaining(): number {
    const session = this.get();
    return session ? Math.max(0, session.expiresAt - this.now()) : 0;
  }
}

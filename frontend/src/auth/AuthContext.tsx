import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useEffect, useMemo, useState } from "preact/hooks";
import { api, setTokenSource, unwrap } from "../api/client";
import type { Me, Role } from "../api/types";
import { forgetDirectories } from "../lib/directory";
import { mayUse, type Screen } from "./access";
import { SessionStore } from "./session";

export type Auth = {
  /** The signed-in principal, or null while signed out. */
  me: Me | null;
  /** True while a stored session is being checked on start-up. */
  restoring: boolean;
  /** Why the user was signed out without asking (expiry, revoked token). */
  notice: string | null;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  can(...roles: Role[]): boolean;
  /** Whether the signed-in principal may use a screen (see access.ts). */
  may(screen: Screen): boolean;
};

const AuthContext = createContext<Auth | null>(null);

const store = new SessionStore(typeof sessionStorage === "undefined" ? null : sessionStorage);
const EXPIRED = "Your session has expired. Please sign in again.";
const MAX_TIMER_MS = 2 ** 31 - 1;

export function AuthProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null>(null);
  const [restoring, setRestoring] = useState(() => store.get() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((reason: string | null) => {
    store.clear();
    forgetDirectories();
    setMe(null);
    setNotice(reason);
  }, []);

  useEffect(() => {
    setTokenSource({ token: () => store.token(), onUnauthorized: () => signOut(EXPIRED) });
    if (!restoring) return;
    unwrap(api.GET("/api/v1/me"))
      .then(setMe, () => store.clear())
      .finally(() => setRestoring(false));
  }, []);

  // Sign out when the token expires, even if the tab is idle. Timers overflow past ~24.8 days,
  // so a longer session re-arms the check instead.
  useEffect(() => {
    if (!me) return;
    let timer: ReturnType<typeof setTimeout>;
    const arm = () => {
      const remaining = store.remaining();
      timer = remaining > 0 ? setTimeout(arm, Math.min(remaining, MAX_TIMER_MS)) : setTimeout(() => signOut(EXPIRED));
    };
    arm();
    return () => clearTimeout(timer);
  }, [me]);

  const login = useCallback(async (email: string, password: string) => {
    const token = await unwrap(api.POST("/api/v1/auth/token", { body: { email, password } }));
    store.save(token.access_token, token.expires_at);
    try {
      setMe(await unwrap(api.GET("/api/v1/me")));
      setNotice(null);
    } catch (error) {
      store.clear();
      throw error;
    }
  }, []);

  const logout = useCallback(async () => {
    // Revoke server-side, but sign out locally even if that fails.
    await api.POST("/api/v1/auth/logout").catch(() => undefined);
    signOut(null);
  }, [signOut]);

  const auth = useMemo<Auth>(
    () => ({
      me,
      restoring,
      notice,
      login,
      logout,
      can: (...roles) => me !== null && roles.includes(me.role),
      may: (screen) => me !== null && mayUse(me.role, screen),
    }),
    [me, restoring, notice, login, logout],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth must be used inside <AuthProvider>");
  return auth;
}

/** The signed-in principal; only for screens rendered behind the login gate. */
export function useMe(): Me {
  const { me } = useAuth();
  if (!me) throw new Error("useMe needs a signed-in user");
  return me;
}

import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, toProblem } from "./problem";
import type { paths } from "./schema";

type TokenSource = { token(): string | null; onUnauthorized(): void };

let tokens: TokenSource = { token: () => null, onUnauthorized: () => undefined };

/** The auth layer tells the client where to find the bearer token. */
export function setTokenSource(source: TokenSource): void {
  tokens = source;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = tokens.token();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("Authorization")) tokens.onUnauthorized();
    return response;
  },
};

/** The SPA only ever asks for JSON (some operations also offer CSV or HTML). */
export const api = createClient<paths, "application/json">({
  baseUrl: "",
  headers: { Accept: "application/json" },
});
api.use(auth);

type Outcome<T> = { data?: T; error?: unknown; response: Response };

/** The response body, or an ApiError carrying the problem+json the server sent. */
export async function unwrap<T>(call: Promise<Outcome<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(toProblem(error, response.status, response.statusText));
  return data as T;
}

/** Like unwrap, plus the ETag to send back as If-Match on the next write. */
export async function unwrapTagged<T>(call: Promise<Outcome<T>>): Promise<{ data: T; etag: string | null }> {
  const outcome = await call;
  const data = await unwrap(Promise.resolve(outcome));
  return { data, etag: outcome.response.headers.get("ETag") };
}

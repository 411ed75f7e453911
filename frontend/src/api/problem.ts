/** RFC 9457 problem details as the API sends them (DESIGN §4). */
export type FieldError = { loc: (string | number)[]; msg: string };
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string | null;
  errors: FieldError[];
  /** Everything else the server put in the body (e.g. import row errors). */
  body: Record<string, unknown>;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (e): e is FieldError => isRecord(e) && Array.isArray(e.loc) && typeof e.msg === "string",
  );
}

/** Normalises whatever came back (problem+json, plain text, nothing) into a Problem. */
export function toProblem(body: unknown, status: number, statusText = ""): Problem {
  const record = isRecord(body) ? body : {};
  const text = typeof body === "string" && body.trim() ? body.trim() : null;
  return {
    type: typeof record.type === "string" ? record.type : "about:blank",
    title:
      typeof record.title === "string"
        ? record.title
        : statusText || (status ? `HTTP ${status}` : "Network error"),
    status: typeof record.status === "number" ? record.status : status,
    detail: typeof record.detail === "string" ? record.detail : text,
    errors: fieldErrors(record.errors),
    body: record,
  };
}

/** One line for people: the detail when there is one, else the title. */
export function problemMessage(problem: Problem): string {
  return problem.detail ?? problem.title;
}

/** "body.rag: Input should be 'green', …" for each field error, leaving out the "body" prefix. */
export function fieldMessages(problem: Problem): string[] {
  return problem.errors.map((e) => {
    const path = e.loc.filter((part, i) => !(i === 0 && part === "body")).join(".");
    return path ? `${path}: ${e.msg}` : e.msg;
  });
}

export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problemMessage(problem));
    this.name = "ApiError";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }
}

/** Any thrown value as a Problem (network failures become status 0). */
export function asProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  const message = error instanceof Error ? error.message : String(error);
  return toProblem({ title: "Could not reach the server", detail: message }, 0);
}

/** The server's message for one request-body field (e.g. "url"), or null: to show beside it. */
export function fieldError(problem: Problem | null, field: string): string | null {
  if (!problem) return null;
  const found = problem.errors.find((e) => {
    const path = e.loc[0] === "body" ? e.loc.slice(1) : e.loc;
    return path[0] === field;
  });
  return found ? found.msg : null;
}

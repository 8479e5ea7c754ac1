/**
 * What a mobile app holds: the API's base URL and, once signed in, an ID token. Every call is plain
 * HTTP (fetch) against docs/API.md; nothing here knows how keys, buckets or handlers are built.
 */

/** One answer of the API (or of S3): status, parsed JSON body when there is one, headers. */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface CallOptions {
  query?: Record<string, string | number | undefined>;
  /** Sent as JSON. */
  body?: unknown;
}

/** What a step expected to hear back: a status and, for errors, docs/API.md's machine-readable code. */
export interface Expected {
  status: number;
  code?: string;
}

/** The API or S3 answered something the flow did not expect; the message shows both sides. */
export class UnexpectedAnswerError extends Error {
  constructor(
    readonly what: string,
    readonly expected: Expected,
    readonly answer: Answer,
  ) {
    super(`${what}: expected ${describeExpected(expected)}, got ${answer.status} ${preview(answer.body)}`);
    this.name = "UnexpectedAnswerError";
  }
}

export class ApiClient {
  constructor(
    readonly api: string,
    /** The caller's ID token; undefined for anonymous calls. */
    readonly token?: string,
  ) {}

  /** The same API as another caller (or with a token someone altered). */
  as(token: string | undefined): ApiClient {
    return new ApiClient(this.api, token);
  }

  async call(method: string, route: string, options: CallOptions = {}): Promise<Answer> {
    const url = new URL(route, this.api);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(name, String(value));
      }
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token !== undefined) {
      headers.authorization = `Bearer ${this.token}`;
    }
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
    }
    return send(url, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  }
}

/** Any HTTP call (the API, or S3 through a presigned URL), read into an `Answer`. */
export async function send(url: string | URL, init: RequestInit = {}): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED…) is what the reader needs.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${init.method ?? "GET"} ${new URL(url).origin}${new URL(url).pathname}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, {
      cause: err,
    });
  }
  return { status: response.status, body: await bodyOf(response), headers: response.headers };
}

/** The body of `answer` when it matches `expected`; otherwise an `UnexpectedAnswerError` naming `what`. */
export function expectAnswer<T = Record<string, unknown>>(answer: Answer, expected: Expected, what: string): T {
  if (answer.status !== expected.status || (expected.code !== undefined && errorCodeOf(answer) !== expected.code)) {
    throw new UnexpectedAnswerError(what, expected, answer);
  }
  return answer.body as T;
}

/** docs/API.md's `error.code`, or S3's `<Code>` for an XML error, or undefined. */
export function errorCodeOf(answer: Answer): string | undefined {
  const body = answer.body;
  if (typeof body === "string") {
    return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  }
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === "string" ? code : undefined;
}

/** `404 ObjectNotFound`, `200`: how an answer reads in the demo's lines. */
export function describeAnswer(answer: Answer): string {
  const code = errorCodeOf(answer);
  return code === undefined ? String(answer.status) : `${answer.status} ${code}`;
}

function describeExpected(expected: Expected): string {
  return expected.code === undefined ? String(expected.status) : `${expected.status} ${expected.code}`;
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") {
    return undefined;
  }
  if ((response.headers.get("content-type") ?? "").includes("json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function preview(body: unknown): string {
  if (body === undefined) {
    return "(no body)";
  }
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

import { StorageError } from "./errors";
import { fetchOnce, type HttpAnswer, type HttpContext, retrying, TransientNetworkError } from "./http";

/** Where the client gets the signed-in user's ID token; `forceRefresh` after the API said 401. */
export type GetToken = (options: { forceRefresh: boolean }) => Promise<string> | string;

export interface ApiCall {
  operation: string;
  method: "GET" | "POST" | "DELETE";
  route: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/**
 * The control-plane API of docs/API.md: JSON in and out, `Authorization: Bearer <ID token>`.
 * Retries what is worth retrying (see `retrying`), refreshes the token once on 401, and turns any
 * other error answer into a `StorageError` with the API's code and message.
 */
export class ControlPlane {
  private readonly base: string;

  constructor(
    apiUrl: string,
    private readonly getToken: GetToken,
    private readonly http: HttpContext,
  ) {
    this.base = apiUrl.endsWith("/") ? apiUrl.slice(0, -1) : apiUrl;
  }

  async call<T>(call: ApiCall): Promise<ApiAnswer<T>> {
    let answer = await this.send(call, false);
    if (answer.status === 401) {
      // One refresh: an ID token that expired while the app was in the background is the usual cause.
      this.http.log.info("token refused; refreshing it once", { operation: call.operation });
      answer = await this.send(call, true);
    }
    if (answer.status >= 200 && answer.status < 300) {
      return { status: answer.status, body: parseBody(answer) as T };
    }
    const error = apiError(answer);
    throw new StorageError(`${call.operation}: ${error.message}`, { status: answer.status, code: error.code });
  }

  private async send(call: ApiCall, forceRefresh: boolean): Promise<HttpAnswer> {
    const token = await this.getToken({ forceRefresh });
    const url = this.base + call.route + queryString(call.query);
    const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${token}` };
    if (call.body !== undefined) {
      headers["content-type"] = "application/json";
    }
    const init: RequestInit = { method: call.method, headers, ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }) };
    return retrying(
      this.http,
      async () => {
        const answer = await fetchOnce(this.http, url, init, call.signal);
        // A 2xx whose JSON was cut short is a dropped answer, not a result: try again.
        if (answer.status >= 200 && answer.status < 300 && answer.text !== "" && parseOrUndefined(answer.text) === undefined) {
          throw new TransientNetworkError(`the answer was cut short (${answer.text.length} bytes of unreadable JSON)`);
        }
        return answer;
      },
      { operation: call.operation, signal: call.signal, codeOf: (a) => apiError(a).code },
    );
  }
}

function queryString(query: ApiCall["query"]): string {
  const pairs = Object.entries(query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined);
  return pairs.length === 0 ? "" : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&")}`;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseBody(answer: HttpAnswer): unknown {
  return answer.text === "" ? undefined : parseOrUndefined(answer.text);
}

/** docs/API.md's error object, or a description of an answer that is not one (a gateway's own 5xx page). */
function apiError(answer: HttpAnswer): { code?: string; message: string } {
  const body = parseOrUndefined(answer.text) as { error?: { code?: unknown; message?: unknown }; message?: unknown } | undefined;
  const code = typeof body?.error?.code === "string" ? body.error.code : undefined;
  const message =
    typeof body?.error?.message === "string"
      ? body.error.message
      : typeof body?.message === "string"
        ? `${answer.status} ${body.message}`
        : `the API answered ${answer.status}`;
  return { code, message };
}

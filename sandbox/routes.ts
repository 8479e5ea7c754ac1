import { parseRouteKey } from "@mobile-s3/contract";

export interface RouteMatch {
  routeKey: string;
  /** Decoded, as API Gateway hands them to the function. */
  pathParameters: Record<string, string>;
}

/** A path segment that does not decode (`%zz`): API Gateway answers such a request 400. */
export class MalformedPathError extends Error {
  constructor(path: string) {
    super(`the path ${path} is not validly percent-encoded`);
    this.name = "MalformedPathError";
  }
}

interface CompiledRoute {
  routeKey: string;
  method: string;
  segments: string[];
  params: number;
}

/**
 * Matches requests to the API's route keys (`POST /v1/uploads/{uploadId}/parts`) as API Gateway
 * does: a `{name}` stands for exactly one non-empty segment, and a literal segment wins over a
 * parameter where both match (`GET /v1/objects/url` before any `GET /v1/objects/{x}`).
 */
export function routeMatcher(routeKeys: readonly string[]): (method: string, path: string) => RouteMatch | undefined {
  const routes: CompiledRoute[] = routeKeys
    .map((routeKey) => {
      const { method, path } = parseRouteKey(routeKey);
      const segments = path.split("/").slice(1);
      return { routeKey, method, segments, params: segments.filter((s) => /^\{[^}]+\}$/.test(s)).length };
    })
    .sort((a, b) => a.params - b.params);

  return (method, path) => {
    const segments = path.split("/").slice(1);
    for (const route of routes) {
      if (route.method !== method || route.segments.length !== segments.length) {
        continue;
      }
      const pathParameters: Record<string, string> = {};
      const matches = route.segments.every((template, i) => {
        const param = /^\{([^}]+)\}$/.exec(template);
        if (!param) {
          return template === segments[i];
        }
        if (segments[i] === "") {
          return false;
        }
        try {
          pathParameters[param[1]] = decodeURIComponent(segments[i]);
        } catch {
          throw new MalformedPathError(path);
        }
        return true;
      });
      if (matches) {
        return { routeKey: route.routeKey, pathParameters };
      }
    }
    return undefined;
  };
}

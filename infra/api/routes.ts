const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9._~{}/-]*)$/;

export interface ParsedRoute {
  method: string;
  /** Path template, e.g. `/v1/uploads/{uploadId}/parts`. */
  path: string;
}

export function parseRouteKey(routeKey: string): ParsedRoute {
  const match = ROUTE_KEY.exec(routeKey);
  if (!match) {
    throw new Error(`route key "${routeKey}" must be "<METHOD> /<path>"`);
  }
  return { method: match[1], path: match[2] };
}

/** A stable logical-name part for a route: `POST /v1/uploads/{uploadId}/parts` → `post-v1-uploads-uploadid-parts`. */
export function routeSlug(routeKey: string): string {
  const { method, path } = parseRouteKey(routeKey);
  return `${method}${path}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * The `AWS:SourceArn` pattern of requests for one route of one API, any stage:
 * `<executionArn>/*\/POST/v1/uploads/*\/parts`. A path parameter becomes `*`. A Lambda permission
 * scoped to it lets API Gateway invoke the function for that route only.
 */
export function routeSourceArn(executionArn: string, routeKey: string): string {
  const { method, path } = parseRouteKey(routeKey);
  return `${executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, "*")}`;
}

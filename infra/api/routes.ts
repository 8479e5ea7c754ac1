import { parseRouteKey } from "@mobile-s3/contract";


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

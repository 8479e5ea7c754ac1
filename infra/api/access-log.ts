/**
 * One JSON line per API request. Only `$context` variables that cannot carry a credential: the
 * route *template* (`$context.routeKey`) rather than the path, no query string, no header, so the
 * bearer JWT and anything presigned are never written (No secrets in logs). The caller is recorded
 * by the `sub` claim the authorizer verified.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTimeEpoch",
  sourceIp: "$context.identity.sourceIp",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  protocol: "$context.protocol",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
  authorizerError: "$context.authorizer.error",
  sub: "$context.authorizer.claims.sub",
} as const;

export function accessLogFormat(): string {
  return JSON.stringify(ACCESS_LOG_FIELDS);
}

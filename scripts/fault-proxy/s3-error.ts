/** S3's codes for the statuses the proxy can fake; SDKs decide "retry, and how soon" from these. */
const CODES = {
  500: { code: "InternalError", message: "We encountered an internal error. Please try again." },
  503: { code: "SlowDown", message: "Please reduce your request rate." },
  // S3 itself throttles with 503; 429 is here for clients that must also survive generic gateways.
  429: { code: "SlowDown", message: "Please reduce your request rate." },
} as const;

export type FakedStatus = keyof typeof CODES;

/** Status, headers and body of an S3 error response, shaped like the real one so parsers take the same path. */
export function s3ErrorResponse(
  status: FakedStatus,
  requestId: string,
  retryAfterSeconds?: number,
): { status: number; headers: Record<string, string>; body: Buffer } {
  const { code, message } = CODES[status];
  const body = Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
      `<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>fault-proxy</HostId></Error>`,
  );
  return {
    status,
    headers: {
      "content-type": "application/xml",
      "content-length": String(body.length),
      "x-amz-request-id": requestId,
      ...(retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) }),
    },
    body,
  };
}

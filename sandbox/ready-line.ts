import { CDN_PUBLIC_KEY_PATH, DEV_TOKEN_PATH, JWKS_PATH } from "./dev-routes";
import { type ExampleFile, printfFormat } from "./example-file";

/**
 * What scripts read from the one `ready {…}` line (the contract with `npm run demo` and the tests):
 * the API, the issuer of its tokens, the engine with throwaway keys and the stack's buckets, and the
 * local DynamoDB holding the object index.
 */
export interface ReadyInfo {
  api: string;
  issuer: string;
  s3: {
    /** The IAM gateway: where the functions, presigned URLs and the direct mode reach S3, under the program's policies. */
    endpoint: string;
    region: string;
    buckets: string[];
    /** The engine behind it, with the owner's keys: for inspecting what is stored, bypassing every policy. */
    engine: { endpoint: string; accessKeyId: string; secretAccessKey: string };
  };
  /** The identity pool stand-in (at `s3.endpoint`): what the direct mode signs in with. */
  identityPool: { identityPoolId: string; userPoolId: string; providerName: string };
  /** The local DynamoDB (dynalite; any credentials) and the object index's table in it. */
  dynamodb: { endpoint: string; region: string; indexTable: string };
}

/** Exactly one line: `ready ` and the JSON. */
export function readyLine(info: ReadyInfo): string {
  const { api, issuer, s3, identityPool, dynamodb } = info;
  const ordered = {
    api,
    issuer,
    s3: { endpoint: s3.endpoint, region: s3.region, buckets: s3.buckets, engine: s3.engine },
    identityPool,
    dynamodb: { endpoint: dynamodb.endpoint, region: dynamodb.region, indexTable: dynamodb.indexTable },
  };
  return `ready ${JSON.stringify(ordered)}`;
}

/** How long the example waits for the scan (409 NotScanned until then); ClamAV's full database loads slowly. */
const SCAN_WAIT_SECONDS = 60;

/**
 * A full upload → list → download with curl, for bash or zsh, that works as printed: the example
 * file written to a temporary file, a token from the local issuer, a presigned PUT straight to the engine, the
 * listing, then (once the scan worker has tagged the upload clean) a presigned GET, compared with
 * what was sent.
 */
export function curlExample(api: string, file: ExampleFile): string {
  const folder = file.path.includes("/") ? file.path.slice(0, file.path.lastIndexOf("/") + 1) : "";
  const auth = '-H "authorization: Bearer $TOKEN"';
  return [
    `API=${api}`,
    `field() { sed -n "s/.*\\"$1\\":\\"\\([^\\"]*\\)\\".*/\\1/p"; }`,
    "FILE=$(mktemp)",
    `printf '${printfFormat(file.bytes)}' > "$FILE"`,
    `TOKEN=$(curl -s -X POST "$API${DEV_TOKEN_PATH}" -H 'content-type: application/json' -d '{"sub":"alice","tenant":"acme"}' | field token)`,
    `UPLOAD_URL=$(curl -s -X POST "$API/v1/uploads" ${auth} -H 'content-type: application/json' \\`,
    `  -d '{"path":"${file.path}","contentType":"${file.contentType}","size":${file.bytes.byteLength}}' | field url)`,
    `curl -s -X PUT "$UPLOAD_URL" -H 'content-type: ${file.contentType}' --data-binary @"$FILE" -w 'PUT %{http_code}\\n'`,
    `curl -s "$API/v1/objects?prefix=${folder}" ${auth}; echo`,
    `for i in $(seq ${SCAN_WAIT_SECONDS}); do DOWNLOAD_URL=$(curl -s "$API/v1/objects/url?path=${file.path}" ${auth} | field url); [ -n "$DOWNLOAD_URL" ] && break; sleep 1; done`,
    `curl -s "$DOWNLOAD_URL" -o "$FILE.downloaded" && cmp "$FILE" "$FILE.downloaded" && echo "downloaded ${file.path}: the same bytes"; rm -f "$FILE" "$FILE.downloaded"`,
  ].join("\n");
}

export interface BannerInfo extends ReadyInfo {
  stack: string;
  audience: string;
  tenantClaim: string;
  dataDir: string;
  scanner: string;
  cdnDomain: string;
  example: ExampleFile;
}

/** What a person reads once the sandbox is ready. */
export function banner(info: BannerInfo): string {
  return [
    "",
    `mobile-s3 sandbox (stack ${info.stack}) is ready. Ctrl-C stops everything and deletes ${info.dataDir}.`,
    "",
    `  API (docs/API.md)       ${info.api}/v1/…`,
    `  tokens                  POST ${info.api}${DEV_TOKEN_PATH} {"sub","tenant","groups"?} → {"token"}`,
    `  issuer                  ${info.issuer} (audience ${info.audience}, tenant claim ${info.tenantClaim})`,
    `  JWKS                    ${info.api}${JWKS_PATH}`,
    `  CDN cookies             POST ${info.api}/v1/cdn-session, for ${info.cdnDomain} (a placeholder; key at ${info.api}${CDN_PUBLIC_KEY_PATH})`,
    `  S3 (IAM gateway)        ${info.s3.endpoint} (region ${info.s3.region}, path-style; every request decided by the program's policies)`,
    `  identity pool           ${info.identityPool.identityPoolId} at ${info.s3.endpoint} (logins: ${info.identityPool.providerName})`,
    `  S3 engine (owner keys)  ${info.s3.engine.endpoint}, bypassing every policy: for inspection only`,
    `  buckets                 ${info.s3.buckets.join(", ")}`,
    `  object index            table ${info.dynamodb.indexTable} in DynamoDB at ${info.dynamodb.endpoint} (dynalite, any credentials, region ${info.dynamodb.region})`,
    `  scanner                 ${info.scanner}`,
    "",
    "Upload → list → download (paste into a shell):",
    "",
    curlExample(info.api, info.example),
    "",
  ].join("\n");
}

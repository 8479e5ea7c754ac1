import { type S3Client, type UploadPartCommand } from "@aws-sdk/client-s3";
import { loadS3 } from "./s3-sdk";

/** Where an S3 client sends a bucket's object requests, and the scope it signs them in. */
export interface ObjectEndpoint {
  /** `https:` or `http:` */
  protocol: string;
  /** Hostname, plus `:port` when it is not the scheme's default. */
  host: string;
  /** The path before the key: "" for virtual-hosted style, `/bucket` for path style. */
  basePath: string;
  signingRegion: string;
  signingName: string;
}

type Config = S3Client["config"];
type Instructions = ReturnType<typeof UploadPartCommand.getEndpointParameterInstructions>;
type Endpoint = ReturnType<Config["endpointProvider"]>;
type EndpointParameters = Parameters<Config["endpointProvider"]>[0];

/**
 * Settings the SDK resolves into config and reads by name; the typed config hides some of them
 * (`serviceConfiguredEndpoint`, the endpoint from AWS_ENDPOINT_URL_S3 or the shared config file).
 */
type LooseConfig = Config & {
  clientContextParams?: Record<string, unknown>;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
} & Record<string, unknown>;

async function settingOf(config: LooseConfig, name: string, parameter: string, clientContext: boolean): Promise<unknown> {
  const value = (clientContext ? config.clientContextParams?.[name] : undefined) ?? config[name] ?? config[parameter];
  return typeof value === "function" ? (value as () => unknown)() : value;
}

/** The Endpoint parameter as the SDK's endpoint middleware gives it: a custom endpoint's URL, or none. */
async function customEndpointOf(config: LooseConfig): Promise<string | undefined> {
  if (config.isCustomEndpoint && config.endpoint) {
    const { protocol, hostname, port, path } = await config.endpoint();
    return `${protocol}//${hostname}${port ? `:${port}` : ""}${path}`;
  }
  if (!config.ignoreConfiguredEndpointUrls) {
    const configured = await config.serviceConfiguredEndpoint?.();
    if (configured) {
      const url = new URL(configured);
      return `${url.protocol}//${url.host}${url.pathname}`;
    }
  }
  return undefined;
}

/**
 * The endpoint rules' parameters for an object request to `bucket`, read from the client's config
 * the way the SDK's endpoint middleware reads them. Every object operation (GetObject, PutObject,
 * UploadPart) declares the same parameters; `Key` is one, but no rule reads it (the SDK's own
 * endpoint cache leaves it out), so one answer holds for every key of the bucket.
 */
async function endpointParameters(config: LooseConfig, bucket: string): Promise<EndpointParameters> {
  const input: Record<string, unknown> = { Bucket: bucket };
  // Loaded already: the client exists.
  const instructions: Instructions = (await loadS3()).UploadPartCommand.getEndpointParameterInstructions();
  const params: Record<string, unknown> = {};
  for (const [parameter, instruction] of Object.entries(instructions)) {
    switch (instruction.type) {
      case "staticContextParams":
        params[parameter] = instruction.value;
        break;
      case "contextParams":
        params[parameter] = input[instruction.name];
        break;
      case "clientContextParams":
      case "builtInParams":
        params[parameter] =
          instruction.name === "endpoint"
            ? await customEndpointOf(config)
            : await settingOf(config, instruction.name, parameter, instruction.type === "clientContextParams");
        break;
      default:
        throw new Error(`presign: the S3 client declares an endpoint parameter this presigner cannot read: ${JSON.stringify(instruction)}`);
    }
  }
  return params as EndpointParameters;
}

/**
 * How `client` addresses `bucket`, decided by the client's own endpoint rules, as getSignedUrl
 * does: virtual-hosted or path style (forcePathStyle, bucket names that are not DNS-safe, IP
 * endpoints), custom endpoints, access point ARNs, FIPS and dual-stack. undefined where the rules
 * ask for a signature other than SigV4 (SigV4a for Multi-Region Access Points, S3 Express
 * sessions): the caller leaves those to the SDK.
 */
export async function objectEndpoint(client: S3Client, bucket: string): Promise<ObjectEndpoint | undefined> {
  const config = client.config as LooseConfig;
  const endpoint: Endpoint = config.endpointProvider(await endpointParameters(config, bucket), { logger: config.logger });
  const scheme = endpoint.properties?.authSchemes?.[0];
  const extraHeaders = Object.keys(endpoint.headers ?? {}).length > 0;
  if ((scheme !== undefined && scheme.name !== "sigv4") || extraHeaders) {
    return undefined;
  }
  return {
    protocol: endpoint.url.protocol,
    host: endpoint.url.host,
    basePath: endpoint.url.pathname.replace(/\/$/, ""),
    signingRegion: scheme?.signingRegion ?? (await config.region()),
    signingName: scheme?.signingName ?? "s3",
  };
}

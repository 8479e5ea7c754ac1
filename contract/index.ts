/**
 * The contract between the program (infra/), the functions, the client and the sandbox: the key
 * layout and path rules, tenant and subject formats, the scan vocabularies, tenant routing, the
 * routes and their bodies, environment variable names, limits and redaction rules. Pure TypeScript
 * with no dependencies and no Node APIs, so it runs in Lambda, Node, browsers and React Native;
 * the packages import each other only through it (enforced by eslint.config.mjs).
 */
export * from "./api";
export * from "./environment";
export * from "./keys";
export * from "./limits";
export * from "./media-types";
export * from "./object-index";
export * from "./redact";
export * from "./revocation";
export * from "./routes";
export * from "./routing";
export * from "./scan";
export * from "./tenants";

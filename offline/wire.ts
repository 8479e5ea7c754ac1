import * as pulumi from "@pulumi/pulumi";

/**
 * Property values in the form the engine puts on the wire (and hands to analyzers): secrets are
 * `{<sig>: <secretSig>, value}`, unknowns a sentinel string, resource references signed objects.
 */
export type WireValue = unknown;

const { specialSigKey, specialSecretSig, specialResourceSig, specialAssetSig, specialArchiveSig, unknownValue } =
  pulumi.runtime;

function signature(value: unknown): string | undefined {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const sig = (value as Record<string, unknown>)[specialSigKey];
    return typeof sig === "string" ? sig : undefined;
  }
  return undefined;
}

function mapWire(value: WireValue, leaf: (sig: string, obj: Record<string, unknown>) => unknown, unknown: unknown): unknown {
  if (value === unknownValue) {
    return unknown;
  }
  if (Array.isArray(value)) {
    return value.map((v) => mapWire(v, leaf, unknown));
  }
  if (value !== null && typeof value === "object") {
    const sig = signature(value);
    if (sig !== undefined) {
      return leaf(sig, value as Record<string, unknown>);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapWire(v, leaf, unknown)]));
  }
  return value;
}

/** Plain JavaScript view for assertions: secrets unwrapped, unknowns `undefined`, references as URNs. */
export function plain(value: WireValue): unknown {
  return mapWire(
    value,
    (sig, obj) => {
      switch (sig) {
        case specialSecretSig:
          return plain(obj.value);
        case specialResourceSig:
          return obj.urn;
        default:
          return obj;
      }
    },
    undefined,
  );
}

/** Printable view: secrets never shown, unknowns named, references as URNs. */
export function display(value: WireValue): unknown {
  return mapWire(
    value,
    (sig, obj) => {
      switch (sig) {
        case specialSecretSig:
          return "[secret]";
        case specialResourceSig:
          return obj.urn;
        case specialAssetSig:
          return "[asset]";
        case specialArchiveSig:
          return "[archive]";
        default:
          return obj;
      }
    },
    "[unknown]",
  );
}

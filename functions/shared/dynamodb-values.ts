import { type AttributeValue } from "@aws-sdk/client-dynamodb";

/*
 * Plain values to DynamoDB's attribute values and back, for the few shapes the object index stores:
 * strings, numbers, booleans, maps and lists. Written here instead of pulling in @aws-sdk/util-dynamodb
 * (a bundle would carry it; the runtime's copy is not guaranteed to match the client's).
 */

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain | undefined };
export type Item = Record<string, AttributeValue>;

export function toAttribute(value: Plain): AttributeValue {
  if (value === null) {
    return { NULL: true };
  }
  if (typeof value === "string") {
    return { S: value };
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error("a number stored in the index must be finite");
    }
    return { N: String(value) };
  }
  if (typeof value === "boolean") {
    return { BOOL: value };
  }
  if (Array.isArray(value)) {
    return { L: value.map(toAttribute) };
  }
  return { M: toItem(value) };
}

export function toItem(value: { [key: string]: Plain | undefined }): Item {
  const item: Item = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) {
      item[key] = toAttribute(v);
    }
  }
  return item;
}

export function fromAttribute(value: AttributeValue): Plain {
  if (value.S !== undefined) {
    return value.S;
  }
  if (value.N !== undefined) {
    return Number(value.N);
  }
  if (value.BOOL !== undefined) {
    return value.BOOL;
  }
  if (value.NULL !== undefined) {
    return null;
  }
  if (value.L !== undefined) {
    return value.L.map(fromAttribute);
  }
  if (value.M !== undefined) {
    return fromItem(value.M);
  }
  throw new Error("the index holds an attribute of a type it never writes");
}

export function fromItem(item: Item): { [key: string]: Plain } {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, fromAttribute(v)]));
}

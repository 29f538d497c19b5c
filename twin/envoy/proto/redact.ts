// Envoy's redaction for admin output (MessageUtil::redact): every field marked
// `(udpa.annotations.sensitive) = true` in the protos, such as TlsCertificate.private_key, has its
// string and bytes leaves replaced by "[redacted]" (bytes print as base64 of those ten characters).
import protobuf from 'protobufjs';
import { fieldForKey, type Json, type JsonObject } from './json';
import { messageTypeForUrl } from './registry';

export const REDACTED = '[redacted]';
const REDACTED_BYTES = Buffer.from(REDACTED).toString('base64');

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSensitive(field: protobuf.Field): boolean {
  return field.options?.['(udpa.annotations.sensitive)'] === true;
}

/** A copy of proto3 JSON of `type` with its sensitive fields redacted. */
export function redactJson(type: protobuf.Type, json: Json): Json {
  return walk(type, json, false);
}

function walk(type: protobuf.Type, json: Json, sensitive: boolean): Json {
  if (type.fullName === '.google.protobuf.Any' && isObject(json) && typeof json['@type'] === 'string') {
    const inner = messageTypeForUrl(json['@type']);
    if (!inner) return json;
    const { '@type': typeUrl, ...rest } = json;
    return { '@type': typeUrl, ...(walk(inner, rest, sensitive) as JsonObject) };
  }
  if (!isObject(json)) return sensitive ? redactLeaf(json, 'string') : json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldForKey(type, key);
    if (!field) {
      out[key] = value;
      continue;
    }
    const fieldSensitive = sensitive || isSensitive(field);
    const convert = (item: Json): Json => {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Type) return walk(resolved, item, fieldSensitive);
      return fieldSensitive ? redactLeaf(item, field.type) : item;
    };
    if (field.map && isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)]));
    else if (field.repeated && Array.isArray(value)) out[key] = value.map(convert);
    else out[key] = convert(value);
  }
  return out;
}

function redactLeaf(value: Json, scalarType: string): Json {
  if (typeof value !== 'string') return value;
  return scalarType === 'bytes' ? REDACTED_BYTES : REDACTED;
}

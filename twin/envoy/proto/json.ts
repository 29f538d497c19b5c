// Proto3 JSON as Envoy prints it (proto field names, well-known types in their JSON form, Any as
// "@type" plus the message's fields), converted from and to protobufjs messages by reflection.
// The stand-in works on this JSON throughout: the bootstrap is JSON already, xDS resources are
// decoded into it, and /config_dump prints it.
import protobuf from 'protobufjs';
import { messageTypeForUrl } from './registry';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** An Any whose type is not loaded keeps its bytes under this key (no proto field starts with @). */
export const OPAQUE_VALUE_KEY = '@value_base64';

export class ProtoJsonError extends Error {
  override name = 'ProtoJsonError';
}

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** lower_snake to lowerCamel, as protoc derives json_name. */
export function jsonName(fieldName: string): string {
  return fieldName.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// binary -> JSON

export function decodeToJson(type: protobuf.Type, bytes: Uint8Array): JsonObject {
  return messageToJson(type, type.decode(bytes) as unknown as Record<string, unknown>) as JsonObject;
}

/** An Any ({type_url, value}) as JSON with "@type". */
export function anyToJson(any: { type_url?: string; value?: Uint8Array | null }): JsonObject {
  const typeUrl = any.type_url ?? '';
  const value = any.value ?? new Uint8Array();
  const type = messageTypeForUrl(typeUrl);
  if (!type) return { '@type': typeUrl, [OPAQUE_VALUE_KEY]: Buffer.from(value).toString('base64') };
  const inner = messageToJson(type, type.decode(value) as unknown as Record<string, unknown>);
  if (WELL_KNOWN_TO_JSON[type.fullName]) return { '@type': typeUrl, value: inner };
  return { '@type': typeUrl, ...(inner as JsonObject) };
}

export function messageToJson(type: protobuf.Type, message: Record<string, unknown>): Json {
  const wellKnown = WELL_KNOWN_TO_JSON[type.fullName];
  if (wellKnown) return wellKnown(message);
  const out: JsonObject = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > 0) out[field.name] = Object.fromEntries(entries.map(([key, item]) => [key, valueToJson(field, item)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length > 0) out[field.name] = items.map((item) => valueToJson(field, item));
    } else {
      out[field.name] = valueToJson(field, value);
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): Json {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as Record<string, unknown>);
  if (resolved instanceof protobuf.Enum) return resolved.valuesById[value as number] ?? (value as number);
  return scalarToJson(field.type, value);
}

function scalarToJson(scalarType: string, value: unknown): Json {
  if (INT64_TYPES.has(scalarType)) return String(value);
  if (scalarType === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if ((scalarType === 'double' || scalarType === 'float') && typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value as Json;
}

function fractionDigits(nanos: number): string {
  if (nanos === 0) return '';
  const padded = String(nanos).padStart(9, '0');
  if (padded.endsWith('000000')) return `.${padded.slice(0, 3)}`;
  if (padded.endsWith('000')) return `.${padded.slice(0, 6)}`;
  return `.${padded}`;
}

const wrapper = (scalarType: string) => (message: Record<string, unknown>) =>
  scalarToJson(scalarType, message.value ?? (scalarType === 'bool' ? false : scalarType === 'string' ? '' : scalarType === 'bytes' ? new Uint8Array() : 0));

// protobufjs bundles google/protobuf/struct.proto with lowerCamel field names (listValue, not
// list_value) whatever keepCase says: the Value fields are looked up by either spelling.
let valueFieldNames: Record<string, string> | undefined;
function valueField(name: string): string {
  if (!valueFieldNames) {
    const valueType = messageTypeForUrl('type.googleapis.com/google.protobuf.Value');
    valueFieldNames = {};
    for (const snake of ['null_value', 'number_value', 'string_value', 'bool_value', 'struct_value', 'list_value']) {
      valueFieldNames[snake] = valueType?.fields[snake] ? snake : jsonName(snake);
    }
  }
  return valueFieldNames[name] ?? name;
}

function structValueToJson(value: Record<string, unknown>): Json {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(value, valueField(name)) && value[valueField(name)] !== undefined && value[valueField(name)] !== null;
  if (has('struct_value')) return structToJson(value[valueField('struct_value')] as Record<string, unknown>);
  if (has('list_value')) return (((value[valueField('list_value')] as Record<string, unknown>).values as Record<string, unknown>[]) ?? []).map(structValueToJson);
  if (has('string_value')) return value[valueField('string_value')] as string;
  if (has('number_value')) return value[valueField('number_value')] as number;
  if (has('bool_value')) return value[valueField('bool_value')] as boolean;
  return null;
}

function structToJson(struct: Record<string, unknown>): JsonObject {
  const fields = (struct.fields ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, structValueToJson(value)]));
}

const WELL_KNOWN_TO_JSON: Record<string, (message: Record<string, unknown>) => Json> = {
  '.google.protobuf.Any': (message) => anyToJson(message as { type_url: string; value: Uint8Array }),
  '.google.protobuf.Duration': (message) => {
    const seconds = BigInt(String(message.seconds ?? 0));
    const nanos = Number(message.nanos ?? 0);
    const negative = seconds < 0n || nanos < 0;
    const absSeconds = seconds < 0n ? -seconds : seconds;
    return `${negative ? '-' : ''}${absSeconds}${fractionDigits(Math.abs(nanos))}s`;
  },
  '.google.protobuf.Timestamp': (message) => {
    const seconds = Number(String(message.seconds ?? 0));
    const nanos = Number(message.nanos ?? 0);
    const base = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
    return `${base}${fractionDigits(nanos)}Z`;
  },
  '.google.protobuf.DoubleValue': wrapper('double'),
  '.google.protobuf.FloatValue': wrapper('float'),
  '.google.protobuf.Int64Value': wrapper('int64'),
  '.google.protobuf.UInt64Value': wrapper('uint64'),
  '.google.protobuf.Int32Value': wrapper('int32'),
  '.google.protobuf.UInt32Value': wrapper('uint32'),
  '.google.protobuf.BoolValue': wrapper('bool'),
  '.google.protobuf.StringValue': wrapper('string'),
  '.google.protobuf.BytesValue': wrapper('bytes'),
  '.google.protobuf.Struct': (message) => structToJson(message),
  '.google.protobuf.Value': (message) => structValueToJson(message),
  '.google.protobuf.ListValue': (message) => ((message.values as Record<string, unknown>[]) ?? []).map(structValueToJson),
  '.google.protobuf.Empty': () => ({}),
  '.google.protobuf.FieldMask': (message) => ((message.paths as string[]) ?? []).map(jsonName).join(','),
};

// ---------------------------------------------------------------------------------------------
// JSON -> binary

/** Encodes proto3 JSON (either field-name style) as the type's binary form; throws ProtoJsonError. */
export function encodeFromJson(type: protobuf.Type, json: Json): Uint8Array {
  const plain = jsonToPlain(type, json, type.name);
  return type.encode(type.fromObject(plain as Record<string, unknown>)).finish();
}

/** A JSON Any ("@type" and fields) as {type_url, value}. */
export function anyFromJson(json: Json, at = 'Any'): { type_url: string; value: Buffer } {
  if (!isObject(json) || typeof json['@type'] !== 'string') throw new ProtoJsonError(`${at}: an Any needs "@type"`);
  const typeUrl = json['@type'];
  const opaque = json[OPAQUE_VALUE_KEY];
  if (typeof opaque === 'string') return { type_url: typeUrl, value: Buffer.from(opaque, 'base64') };
  const type = messageTypeForUrl(typeUrl);
  if (!type) throw new ProtoJsonError(`${at}: unknown type ${typeUrl}`);
  const { '@type': _ignored, ...rest } = json;
  const body = WELL_KNOWN_FROM_JSON[type.fullName] ? (rest.value ?? null) : rest;
  return { type_url: typeUrl, value: Buffer.from(encodeFromJson(type, body)) };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field a JSON key names: the proto name or its lowerCamel JSON name. */
export function fieldForKey(type: protobuf.Type, key: string): protobuf.Field | undefined {
  const byName = type.fields[key];
  if (byName) return byName;
  return type.fieldsArray.find((field) => jsonName(field.name) === key || (field.options?.json_name as string | undefined) === key);
}

function jsonToPlain(type: protobuf.Type, json: Json, at: string): unknown {
  const wellKnown = WELL_KNOWN_FROM_JSON[type.fullName];
  if (wellKnown) return wellKnown(json, at);
  if (!isObject(json)) throw new ProtoJsonError(`${at}: expected an object for ${type.fullName.slice(1)}`);
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (value === null) continue;
    const field = fieldForKey(type, key);
    if (!field) throw new ProtoJsonError(`${at}: unknown field "${key}" in ${type.fullName.slice(1)}`);
    const fieldAt = `${at}.${field.name}`;
    if (field.map) {
      if (!isObject(value)) throw new ProtoJsonError(`${fieldAt}: expected an object`);
      plain[field.name] = Object.fromEntries(Object.entries(value).map(([mapKey, item]) => [mapKey, fieldValueToPlain(field, item, `${fieldAt}[${mapKey}]`)]));
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new ProtoJsonError(`${fieldAt}: expected a list`);
      plain[field.name] = value.map((item, index) => fieldValueToPlain(field, item, `${fieldAt}[${index}]`));
    } else {
      plain[field.name] = fieldValueToPlain(field, value, fieldAt);
    }
  }
  return plain;
}

function fieldValueToPlain(field: protobuf.Field, value: Json, at: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return jsonToPlain(resolved, value, at);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && !(value in resolved.values)) throw new ProtoJsonError(`${at}: unknown enum value ${value}`);
    return value;
  }
  if (field.type === 'bool' && typeof value !== 'boolean') throw new ProtoJsonError(`${at}: expected true or false`);
  if (field.type === 'string' && typeof value !== 'string') throw new ProtoJsonError(`${at}: expected a string`);
  if (field.type !== 'bool' && field.type !== 'string' && field.type !== 'bytes' && typeof value !== 'number' && typeof value !== 'string') {
    throw new ProtoJsonError(`${at}: expected a number`);
  }
  if ((field.type === 'double' || field.type === 'float') && typeof value === 'string') return Number(value);
  if (!INT64_TYPES.has(field.type) && field.type !== 'bytes' && field.type !== 'string' && typeof value === 'string') {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new ProtoJsonError(`${at}: expected a number`);
    return number;
  }
  return value;
}

/** "1.5s" as {seconds, nanos}. */
export function parseDurationJson(value: Json, at = 'duration'): { seconds: number; nanos: number } {
  if (typeof value !== 'string' || !/^-?\d+(\.\d{1,9})?s$/.test(value)) throw new ProtoJsonError(`${at}: expected a duration like "1.5s"`);
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace(/^-/, '').slice(0, -1).split('.');
  const seconds = Number(whole);
  const nanos = Number(fraction.padEnd(9, '0'));
  return negative ? { seconds: -seconds, nanos: -nanos } : { seconds, nanos };
}

const wrapperFromJson = (scalarType: string) => (value: Json, at: string) => {
  const fakeField = { type: scalarType, resolvedType: null } as unknown as protobuf.Field;
  return { value: fieldValueToPlain(fakeField, value, at) };
};

function structValueFromJson(value: Json): Record<string, unknown> {
  if (value === null) return { [valueField('null_value')]: 0 };
  if (typeof value === 'number') return { [valueField('number_value')]: value };
  if (typeof value === 'string') return { [valueField('string_value')]: value };
  if (typeof value === 'boolean') return { [valueField('bool_value')]: value };
  if (Array.isArray(value)) return { [valueField('list_value')]: { values: value.map(structValueFromJson) } };
  return { [valueField('struct_value')]: structFromJson(value) };
}

function structFromJson(value: JsonObject): Record<string, unknown> {
  return { fields: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, structValueFromJson(item)])) };
}

const WELL_KNOWN_FROM_JSON: Record<string, (value: Json, at: string) => unknown> = {
  '.google.protobuf.Any': (value, at) => anyFromJson(value, at),
  '.google.protobuf.Duration': (value, at) => parseDurationJson(value, at),
  '.google.protobuf.Timestamp': (value, at) => {
    const millis = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(millis)) throw new ProtoJsonError(`${at}: expected an RFC 3339 timestamp`);
    return { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1e6 };
  },
  '.google.protobuf.DoubleValue': wrapperFromJson('double'),
  '.google.protobuf.FloatValue': wrapperFromJson('float'),
  '.google.protobuf.Int64Value': wrapperFromJson('int64'),
  '.google.protobuf.UInt64Value': wrapperFromJson('uint64'),
  '.google.protobuf.Int32Value': wrapperFromJson('int32'),
  '.google.protobuf.UInt32Value': wrapperFromJson('uint32'),
  '.google.protobuf.BoolValue': wrapperFromJson('bool'),
  '.google.protobuf.StringValue': wrapperFromJson('string'),
  '.google.protobuf.BytesValue': wrapperFromJson('bytes'),
  '.google.protobuf.Struct': (value, at) => {
    if (!isObject(value)) throw new ProtoJsonError(`${at}: expected an object`);
    return structFromJson(value);
  },
  '.google.protobuf.Value': (value) => structValueFromJson(value),
  '.google.protobuf.ListValue': (value, at) => {
    if (!Array.isArray(value)) throw new ProtoJsonError(`${at}: expected a list`);
    return { values: value.map(structValueFromJson) };
  },
  '.google.protobuf.Empty': () => ({}),
  '.google.protobuf.FieldMask': (value) => ({ paths: typeof value === 'string' && value ? value.split(',').map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) : [] }),
};

// ---------------------------------------------------------------------------------------------
// JSON -> JSON

/**
 * Hand-written JSON (the bootstrap, --config-yaml) with proto field names throughout, values as
 * given. Keys the type does not know are dropped and reported (Envoy's --allow-unknown-static-fields).
 */
export function normaliseJson(type: protobuf.Type, json: Json, onUnknown: (path: string) => void, at = type.name): Json {
  if (type.fullName === '.google.protobuf.Any') {
    if (!isObject(json) || typeof json['@type'] !== 'string') return json;
    const inner = messageTypeForUrl(json['@type']);
    if (!inner || WELL_KNOWN_FROM_JSON[inner.fullName] || OPAQUE_VALUE_KEY in json) return json;
    const { '@type': typeUrl, ...rest } = json;
    return { '@type': typeUrl, ...(normaliseJson(inner, rest, onUnknown, at) as JsonObject) };
  }
  if (WELL_KNOWN_FROM_JSON[type.fullName] || !isObject(json)) return json;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldForKey(type, key);
    if (!field) {
      onUnknown(`${at}.${key}`);
      continue;
    }
    const resolved = field.resolvedType;
    const fieldAt = `${at}.${field.name}`;
    if (!(resolved instanceof protobuf.Type) || value === null) out[field.name] = value;
    else if (field.map && isObject(value)) out[field.name] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseJson(resolved, v, onUnknown, `${fieldAt}[${k}]`)]));
    else if (field.repeated && Array.isArray(value)) out[field.name] = value.map((v, i) => normaliseJson(resolved, v, onUnknown, `${fieldAt}[${i}]`));
    else out[field.name] = normaliseJson(resolved, value, onUnknown, fieldAt);
  }
  return out;
}

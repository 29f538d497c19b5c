// Envoy's protos for the stand-in: the loaded types, proto3 JSON both ways, and admin redaction.
export { envoyProtos, messageType, messageTypeForUrl, protoIncludeDirs, requireMessageType } from './registry';
export {
  anyFromJson,
  anyToJson,
  decodeToJson,
  encodeFromJson,
  jsonName,
  messageToJson,
  normaliseJson,
  parseDurationJson,
  OPAQUE_VALUE_KEY,
  ProtoJsonError,
  type Json,
  type JsonObject,
} from './json';
export { redactJson, REDACTED } from './redact';

// Strict protobuf: the wire walker of specs/codec.md §2, written from the encoding guide,
// and the schema (protobufjs, from the repository's proto/ files).
//
// walk(type, bytes) returns the records of a canonical message or throws a RuleError with
// the (codespace, code) of the first rule broken, reading front to back, in the order the
// spec's table gives. Nothing here calls the Python code.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import protobuf from "protobufjs";

export class RuleError extends Error {
  constructor(codespace, code, detail) {
    super(`${codespace}/${code}: ${detail}`);
    this.codespace = codespace;
    this.code = code;
  }
}

const codec = (code, detail) => new RuleError("codec", code, detail);
export const ERR = {
  TRUNCATED: 2,
  TRAILING_BYTES: 3,
  INVALID_WIRE_TYPE: 4,
  UNKNOWN_FIELD: 5,
  WRONG_WIRE_TYPE: 6,
  FIELD_OUT_OF_ORDER: 7,
  FIELD_REPEATED: 8,
  NON_MINIMAL_VARINT: 9,
  VARINT_OVERFLOW: 10,
  DEFAULT_VALUE: 11,
  NOT_PACKED: 12,
  INVALID_UTF8: 13,
  FIXED_SIZE: 14,
  UNKNOWN_ENUM_VALUE: 15,
  ONEOF_CONFLICT: 16,
  TOO_DEEP: 17,
  UNKNOWN_TYPE_URL: 30,
  FIELD_VALUE: 31,
};

const MAX_DEPTH = 100;
const U64 = 1n << 64n;
const U32 = 1n << 32n;
const INT32_NEG_FLOOR = U64 - (1n << 31n);
const VARINT = 0, I64 = 1, LEN = 2, I32 = 5;
const VARINT_TYPES = new Set(["int32", "int64", "uint32", "uint64", "sint32", "sint64", "bool"]);
const I32_TYPES = new Set(["fixed32", "sfixed32"]);
const I64_TYPES = new Set(["fixed64", "sfixed64"]);
const PACKABLE = new Set([...VARINT_TYPES, ...I32_TYPES, ...I64_TYPES]);

// ---- the schema -------------------------------------------------------------------------

export function loadSchema(protoDir) {
  const require = createRequire(import.meta.url);
  const descriptor = path.join(
    path.dirname(require.resolve("protobufjs/package.json")),
    "google/protobuf/descriptor.proto",
  );
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (target === "google/protobuf/descriptor.proto") return descriptor;
    if (target.startsWith("google/protobuf/")) return target; // bundled common types
    const inRepo = path.join(protoDir, target);
    return fs.existsSync(inRepo) ? inRepo : path.resolve(path.dirname(origin), target);
  };
  const walkDir = (d) =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? walkDir(path.join(d, e.name)) : e.name.endsWith(".proto") ? [path.join(d, e.name)] : [],
      );
  root.loadSync(walkDir(protoDir).sort(), { keepCase: true });
  root.resolveAll();
  return root;
}

function isEnum(field) {
  return field.resolvedType instanceof protobuf.Enum;
}

function isMessage(field) {
  return field.resolvedType instanceof protobuf.Type;
}

function wireTypeOf(field) {
  if (isEnum(field) || VARINT_TYPES.has(field.type)) return VARINT;
  if (I32_TYPES.has(field.type)) return I32;
  if (I64_TYPES.has(field.type)) return I64;
  return LEN;
}

function fixedSize(field) {
  const o = field.options || {};
  if (o["(dait.codec.v1.fixed_size)"] !== undefined) return [o["(dait.codec.v1.fixed_size)"], false];
  if (o["(dait.codec.v1.fixed_size_or_empty)"] !== undefined) return [o["(dait.codec.v1.fixed_size_or_empty)"], true];
  return null;
}

function plan(type) {
  if (type._daitPlan) return type._daitPlan;
  const fields = new Map();
  for (const f of type.fieldsArray) {
    const packable = isEnum(f) || PACKABLE.has(f.type);
    const oneof = f.partOf && !(f.options && f.options.proto3_optional) ? f.partOf.name : null;
    fields.set(f.id, {
      field: f,
      number: f.id,
      name: f.name,
      wire: wireTypeOf(f),
      repeated: f.repeated,
      packed: f.repeated && packable, // proto3 packs repeated scalars by default
      explicit: isMessage(f) || Boolean(f.partOf), // messages, optional, oneof members
      oneof,
      fixed: fixedSize(f),
      enumValues: isEnum(f) ? new Set(Object.values(f.resolvedType.values)) : null,
    });
  }
  const required = [...fields.values()].filter((p) => !p.repeated && p.fixed && !p.fixed[1]);
  type._daitPlan = { type, fields, required };
  return type._daitPlan;
}

// ---- the walker --------------------------------------------------------------------------

function readVarint(data, pos, end) {
  let value = 0n;
  let shift = 0n;
  const start = pos;
  let byte;
  for (;;) {
    if (pos >= end) throw codec(ERR.TRUNCATED, `varint at ${start} runs past ${end}`);
    byte = data[pos];
    pos += 1;
    if (pos - start > 10) throw codec(ERR.VARINT_OVERFLOW, `varint at ${start} longer than 10 bytes`);
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (byte < 0x80) break;
  }
  if (byte === 0 && pos - start > 1) throw codec(ERR.NON_MINIMAL_VARINT, `varint at ${start}`);
  if (value >= U64) throw codec(ERR.VARINT_OVERFLOW, `varint at ${start} exceeds 2^64 - 1`);
  return [value, pos];
}

function checkVarintRange(p, value) {
  const t = p.field.type;
  let ok = true;
  if (t === "bool") ok = value <= 1n;
  else if (t === "uint32" || t === "sint32") ok = value < U32;
  else if (t === "int32" || isEnum(p.field)) ok = value < 1n << 31n || value >= INT32_NEG_FLOOR;
  if (!ok) throw codec(ERR.VARINT_OVERFLOW, `${p.name}: ${value} out of range`);
  if (p.enumValues) {
    const n = value >= 1n << 63n ? value - U64 : value;
    if (!p.enumValues.has(Number(n))) throw codec(ERR.UNKNOWN_ENUM_VALUE, `${p.name}: ${n}`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function walkMessage(pl, data, pos, end, depth, records) {
  if (depth > MAX_DEPTH) throw codec(ERR.TOO_DEEP, `depth ${depth}`);
  let last = 0;
  const oneofs = new Map();
  const seen = new Set();
  while (pos < end) {
    const start = pos;
    let tag;
    [tag, pos] = readVarint(data, pos, end);
    if (tag >= U32) throw codec(ERR.VARINT_OVERFLOW, `tag ${tag}`);
    const number = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (number === 0) throw codec(ERR.TRAILING_BYTES, `field number 0 at ${pos - 1}`);
    if (![VARINT, I64, LEN, I32].includes(wire)) throw codec(ERR.INVALID_WIRE_TYPE, `wire type ${wire}`);
    const p = pl.fields.get(number);
    if (!p) throw codec(ERR.UNKNOWN_FIELD, `field ${number} of ${pl.type.fullName}`);
    if (number < last) throw codec(ERR.FIELD_OUT_OF_ORDER, `${p.name} after ${last}`);
    if (number === last && (!p.repeated || p.packed)) throw codec(ERR.FIELD_REPEATED, p.name);
    if (p.packed) {
      if (wire === p.wire) throw codec(ERR.NOT_PACKED, p.name);
      if (wire !== LEN) throw codec(ERR.WRONG_WIRE_TYPE, p.name);
    } else if (wire !== p.wire) {
      throw codec(ERR.WRONG_WIRE_TYPE, `${p.name}: ${wire}`);
    }
    if (p.oneof) {
      const other = oneofs.get(p.oneof);
      if (other !== undefined && other !== number) throw codec(ERR.ONEOF_CONFLICT, p.oneof);
      oneofs.set(p.oneof, number);
    }
    pos = walkValue(p, data, pos, end, wire, depth);
    records.push({ number, start, end: pos });
    seen.add(number);
    last = number;
  }
  for (const p of pl.required) {
    if (!seen.has(p.number)) throw codec(ERR.FIXED_SIZE, `${p.name} absent`);
  }
}

function walkValue(p, data, pos, end, wire, depth) {
  const implicit = !p.repeated && !p.explicit;
  if (wire === VARINT) {
    let value;
    [value, pos] = readVarint(data, pos, end);
    checkVarintRange(p, value);
    if (implicit && value === 0n) throw codec(ERR.DEFAULT_VALUE, `${p.name} = 0`);
    return pos;
  }
  if (wire === I32 || wire === I64) {
    const width = wire === I32 ? 4 : 8;
    if (pos + width > end) throw codec(ERR.TRUNCATED, `${p.name}: ${width} bytes`);
    if (implicit && data.subarray(pos, pos + width).every((b) => b === 0)) throw codec(ERR.DEFAULT_VALUE, p.name);
    return pos + width;
  }
  let length;
  [length, pos] = readVarint(data, pos, end);
  const stop = pos + Number(length);
  if (length > BigInt(end) || stop > end) throw codec(ERR.TRUNCATED, `${p.name}: payload of ${length}`);
  if (p.packed) {
    walkPacked(p, data, pos, stop);
  } else if (isMessage(p.field)) {
    walkMessage(plan(p.field.resolvedType), data, pos, stop, depth + 1, []);
  } else {
    if (implicit && stop === pos) throw codec(ERR.DEFAULT_VALUE, `${p.name} empty`);
    if (p.field.type === "string") {
      try {
        utf8.decode(data.subarray(pos, stop));
      } catch {
        throw codec(ERR.INVALID_UTF8, p.name);
      }
    } else if (p.fixed) {
      const [size, emptyOk] = p.fixed;
      const n = stop - pos;
      if (n !== size && !(emptyOk && n === 0)) throw codec(ERR.FIXED_SIZE, `${p.name}: ${n} bytes`);
    }
  }
  return stop;
}

function walkPacked(p, data, pos, end) {
  if (pos === end) throw codec(ERR.DEFAULT_VALUE, `${p.name}: empty packed list`);
  if (p.wire === VARINT) {
    while (pos < end) {
      let value;
      [value, pos] = readVarint(data, pos, end);
      checkVarintRange(p, value);
    }
    return;
  }
  const width = p.wire === I32 ? 4 : 8;
  if ((end - pos) % width) throw codec(ERR.TRUNCATED, `${p.name}: partial packed values`);
}

/** The top-level records [{number, start, end}] of canonical bytes; throws RuleError. */
export function walk(type, data) {
  const records = [];
  walkMessage(plan(type), data, 0, data.length, 0, records);
  return records;
}

/** The canonical bytes without the top-level records of the given field numbers (the
 * "minus_sig" payloads of seed 002 §6: proto3 omits an empty bytes field). */
export function withoutFields(type, data, numbers) {
  const drop = new Set(numbers);
  const parts = walk(type, data).filter((r) => !drop.has(r.number));
  const out = new Uint8Array(parts.reduce((n, r) => n + r.end - r.start, 0));
  let at = 0;
  for (const r of parts) {
    out.set(data.subarray(r.start, r.end), at);
    at += r.end - r.start;
  }
  return out;
}

// ---- decoding to values and the proto3 JSON mapping ------------------------------------

export function decode(type, data) {
  walk(type, data);
  return type.decode(data);
}

const JSON_OPTIONS = { longs: String, enums: String, bytes: String, defaults: false, json: true };

/** The proto3 JSON mapping with proto field names (what the Python values' to_json writes),
 * Any as {"@type": url, ...fields}; Any payloads are decoded strictly by their type. */
export function toJson(root, type, message) {
  const obj = type.toObject(message, JSON_OPTIONS);
  return fixAny(root, type, message, obj);
}

function fixAny(root, type, message, obj) {
  for (const f of type.fieldsArray) {
    if (!isMessage(f) || obj[f.name] === undefined) continue;
    const sub = f.resolvedType;
    const values = f.repeated ? message[f.name] : [message[f.name]];
    const outs = f.repeated ? obj[f.name] : [obj[f.name]];
    for (let i = 0; i < values.length; i += 1) {
      if (sub.fullName === ".google.protobuf.Any") {
        outs[i] = anyJson(root, values[i]);
      } else {
        outs[i] = fixAny(root, sub, values[i], outs[i]);
      }
    }
    obj[f.name] = f.repeated ? outs : outs[0];
  }
  return obj;
}

function anyJson(root, any) {
  const url = any.type_url;
  const inner = lookupUrl(root, url);
  const value = decode(inner, any.value);
  return { "@type": url, ...toJson(root, inner, value) };
}

export function lookupUrl(root, url) {
  const name = url.startsWith("/") ? url.slice(1) : null;
  const type = name && name.startsWith("dait.") ? root.lookup(name) : null;
  if (!(type instanceof protobuf.Type)) throw codec(ERR.UNKNOWN_TYPE_URL, url);
  return type;
}

/** The binding rules of specs/codec.md §5 on a decoded message: the `required` sub-messages
 * are present. */
export function checkRequired(type, message, required) {
  for (const name of required) {
    if (message[name] === undefined || message[name] === null || !Object.prototype.hasOwnProperty.call(message, name)) {
      throw codec(ERR.FIELD_VALUE, `${type.name}.${name}: required sub-message absent`);
    }
  }
}

// JSON text parsing with the strictness SPUR-IC needs, and RFC 8785 (JCS) output.
//
// JSON.parse cannot report duplicate member names or integers beyond 2^53 - 1, so this is
// a small recursive-descent parser. Integer literals (no fraction, no exponent) beyond the
// IEEE-754 exact range are kept as BigInt so that JCS can refuse them as the reference
// does (specs/codec.md §4); NaN and Infinity literals are read only when allowed.

import { RuleError } from "./wire.mjs";

const MAX_SAFE = 9007199254740991n;

export class JsonSyntaxError extends Error {}

/** Parse a JSON text. Options: constants (NaN/Infinity literals), duplicates ("error"). */
export function parseJson(text, { constants = false, duplicates = "last" } = {}) {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i += 1;
  };
  const fail = (what) => {
    throw new JsonSyntaxError(`${what} at ${i}`);
  };
  const literal = (word, value) => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail(`unexpected ${JSON.stringify(text[i])}`);
  };
  const string = () => {
    i += 1; // opening quote
    let out = "";
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text[i];
      if (c === '"') {
        i += 1;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          fail("bad escape");
        }
      } else if (c.charCodeAt(0) < 0x20) {
        fail("control character in string");
      } else {
        out += c;
        i += 1;
      }
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i));
    if (!m) fail("bad number");
    i += m[0].length;
    if (m[2] === undefined && m[3] === undefined) {
      const big = BigInt(m[0]);
      return big > MAX_SAFE || big < -MAX_SAFE ? big : Number(big);
    }
    return Number(m[0]);
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i += 1;
      const obj = {};
      const keys = new Set();
      ws();
      if (text[i] === "}") {
        i += 1;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a member name");
        const key = string();
        if (keys.has(key) && duplicates === "error") fail(`duplicate member ${JSON.stringify(key)}`);
        keys.add(key);
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i += 1;
        Object.defineProperty(obj, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") i += 1;
        else if (text[i] === "}") {
          i += 1;
          return obj;
        } else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i += 1;
      const arr = [];
      ws();
      if (text[i] === "]") {
        i += 1;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") i += 1;
        else if (text[i] === "]") {
          i += 1;
          return arr;
        } else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (constants && c === "N") return literal("NaN", NaN);
    if (constants && c === "I") return literal("Infinity", Infinity);
    if (constants && c === "-" && text[i + 1] === "I") return literal("-Infinity", -Infinity);
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    return fail(`unexpected ${JSON.stringify(c)}`);
  };
  const out = value();
  ws();
  if (i !== text.length) fail("data after the value");
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** RFC 8785 text of a value; RuleError codec/20, 21, 24 for what JCS cannot carry. */
export function jcs(v) {
  if (v === null || v === true || v === false) return JSON.stringify(v);
  if (typeof v === "bigint") throw new RuleError("codec", 24, `integer ${v} beyond 2^53 - 1`);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RuleError("codec", 20, `${v}`);
    return JSON.stringify(v); // ECMAScript number serialization is JCS's (RFC 8785 §3.2.2.3)
  }
  if (typeof v === "string") {
    if (LONE_SURROGATE.test(v)) throw new RuleError("codec", 21, "lone surrogate");
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(",")}]`;
  const keys = Object.keys(v);
  for (const k of keys) if (LONE_SURROGATE.test(k)) throw new RuleError("codec", 21, "lone surrogate in a key");
  // Default string order compares UTF-16 code units, which is JCS's (RFC 8785 §3.2.3).
  const members = keys.sort().map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`);
  return `{${members.join(",")}}`;
}

export const utf8Encode = (s) => new TextEncoder().encode(s);

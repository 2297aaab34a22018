#!/usr/bin/env node
// An independent reader of the DAIT conformance vectors (specs/vectors.md "The Node reader").
//
//   node reader.mjs VECTOR_DIR [PROTO_DIR]
//
// It checks the manifest (sha256 of every file it reads, and the manifest's own JCS hash),
// then reproduces the verdict of every case of the handlers it implements, from the input
// files alone, with its own protobuf strictness (lib/wire.mjs over protobufjs and the
// repository's .proto files), JCS (lib/json.mjs), @noble crypto and SPUR-IC's check order
// (lib/spurc.mjs). Errors are compared by (codespace, code); results field by field.
// Exit 0 when every case matches, 1 on any mismatch, 2 on a usage error.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RuleError, checkRequired, decode, loadSchema, toJson } from "./lib/wire.mjs";
import { jcs, parseJson } from "./lib/json.mjs";
import { addressOf, equal, fromHex, hex, pubkeyOf, sha256, sign } from "./lib/crypto.mjs";
import {
  checkPresentable,
  hostCheckState,
  stateFromDiagnostic,
  stateSignBytes,
  stateToDiagnostic,
  verifyReceipt,
} from "./lib/spurc.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));

function usage(message) {
  process.stderr.write(`error: ${message}\nusage: node reader.mjs VECTOR_DIR [PROTO_DIR]\n`);
  process.exit(2);
}

const root = process.argv[2];
const protoDir = process.argv[3] ?? path.resolve(here, "../../proto");
if (!root) usage("no vector directory given");
if (!fs.existsSync(path.join(root, "manifest.json"))) usage(`${root} holds no manifest.json`);
if (!fs.existsSync(protoDir)) usage(`${protoDir}: no proto directory`);

const schema = loadSchema(protoDir);
const manifest = parseJson(fs.readFileSync(path.join(root, "manifest.json"), "utf-8"));
const problems = [];
{
  const { manifest_sha256: claimed, ...body } = manifest;
  if (hex(sha256(new TextEncoder().encode(jcs(body)))) !== claimed) problems.push("manifest_sha256 does not match");
}

function readFile(rel) {
  const data = new Uint8Array(fs.readFileSync(path.join(root, rel)));
  const want = manifest.files[rel];
  if (want === undefined) throw new Error(`${rel}: not in the manifest`);
  if (hex(sha256(data)) !== want) throw new Error(`${rel}: sha256 differs from the manifest`);
  return data;
}

const text = (bytes) => new TextDecoder("utf-8", { fatal: true }).decode(bytes);
const json = (bytes) => parseJson(text(bytes));

/** A verdict: {error: {codespace, code}} or a value; compared with the expected result. */
function attempt(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    if (e instanceof RuleError) return { error: { codespace: e.codespace, code: e.code } };
    throw e;
  }
}

function same(a, b) {
  return jcs(a) === jcs(b);
}

function compareVerdict(expected, got, okKey) {
  if (expected.error) {
    if (!got.error) return `expected ${expected.error.codespace}/${expected.error.code}, got a result`;
    if (got.error.codespace !== expected.error.codespace || got.error.code !== expected.error.code) {
      return `expected ${expected.error.codespace}/${expected.error.code}, got ${got.error.codespace}/${got.error.code}`;
    }
    return null;
  }
  if (got.error) return `expected a result, got ${got.error.codespace}/${got.error.code}`;
  const want = okKey ? expected[okKey] : expected;
  return same(want, got.ok) ? null : `result differs: expected ${jcs(want).slice(0, 200)}, got ${jcs(got.ok).slice(0, 200)}`;
}

// ---- codec ---------------------------------------------------------------------------------

function decodeBound(type, bytes, required) {
  const message = decode(type, bytes);
  checkRequired(type, message, required);
  return toJson(schema, type, message);
}

const HANDLERS = {
  "codec/canonical": (files) => {
    const input = json(files["input.json"]);
    const bytes = fromHex(text(files["encoded.hex"]).trim());
    const type = schema.lookupType(input.type);
    const got = attempt(() => decodeBound(type, bytes, input.required));
    if (got.error) return `canonical bytes refused: ${got.error.codespace}/${got.error.code}`;
    if (!same(got.ok, input.value)) return `decoded value differs: ${jcs(got.ok).slice(0, 200)}`;
    const reencoded = type.encode(type.decode(bytes)).finish();
    return equal(reencoded, bytes) ? null : "protobufjs re-encodes other bytes";
  },
  "codec/strict_decode": (files) => {
    const input = json(files["input.json"]);
    const type = schema.lookupType(input.type);
    const got = attempt(() => decodeBound(type, fromHex(input.bytes), input.required));
    return compareVerdict(json(files["result.json"]), got, "value");
  },
  "codec/jcs": (files) => {
    const value = parseJson(text(files["input.txt"]), { constants: true });
    const got = attempt(() => jcs(value));
    return compareVerdict(json(files["result.json"]), got, "canonical");
  },
  "spurc/verify_receipt": (files) => {
    const headers = json(files["headers.json"]);
    const view = viewOf(json(files["view.json"]));
    const state = stateFromDiagnostic(json(files["channel_state.json"]));
    const got = attempt(() => {
      const out = verifyReceipt(schema, {
        headers,
        request: files["request.bin"],
        response: files["response.bin"],
        state,
        view,
      });
      return {
        state: stateToDiagnostic(out.state),
        frontier: { size: out.frontier.size, nodes: out.frontier.nodes.map(hex) },
      };
    });
    return compareVerdict(json(files["result.json"]), got, null);
  },
  "spurc/host_check_state": (files) => {
    const input = json(files["input.json"]);
    const got = attempt(() => ({
      verdict: hostCheckState(
        schema,
        stateFromDiagnostic(input.presented),
        stateFromDiagnostic(input.latest_cosigned),
        input.issued ? stateFromDiagnostic(input.issued) : null,
      ),
    }));
    return compareVerdict(json(files["result.json"]), got, null);
  },
  "spurc/presentable": (files) => {
    const state = stateFromDiagnostic(json(files["state.json"]));
    const got = attempt(() => {
      checkPresentable(schema, state);
      return { presentable: true };
    });
    return compareVerdict(json(files["result.json"]), got, null);
  },
  "spurc/cosign": (files) => {
    const input = json(files["input.json"]);
    const state = stateFromDiagnostic(input.state);
    const key = fromHex(input.user_privkey);
    const got = attempt(() => {
      if (state.sig_user.length) throw new RuleError("spurc", 35, "already cosigned");
      if (addressOf(pubkeyOf(key)) !== state.user_addr) throw new RuleError("spurc", 37, "not the user's key");
      return { state: stateToDiagnostic({ ...state, sig_user: sign(key, stateSignBytes(schema, state)) }) };
    });
    return compareVerdict(json(files["result.json"]), got, null);
  },
};

function viewOf(v) {
  const card = v.rate_card;
  return {
    model_hash: fromHex(v.model_hash),
    rate_card: {
      per_call_uDAIT: BigInt(card.per_call_uDAIT),
      per_token_in_uDAIT: BigInt(card.per_token_in_uDAIT),
      per_token_out_uDAIT: BigInt(card.per_token_out_uDAIT),
    },
    frontier: { size: v.frontier.size, nodes: v.frontier.nodes.map(fromHex) },
    trusted_roots: v.trusted_roots.map(fromHex),
    revoked_keys: v.revoked_keys.map(fromHex),
    quote_types: v.quote_types,
    verifiers: v.verifiers,
    now_ms: BigInt(v.now_ms),
  };
}

// The handlers of the areas this reader covers (codec, spurc) that it does not read, each
// with the reason. A handler of these areas on neither list is a mismatch: a new handler
// must be read or skipped here on purpose, never ignored silently.
const SKIPPED = {
  "codec/json":
    "proto3 JSON parsing strictness would be a parser of its own on top of protobufjs's lenient fromObject",
  "spurc/open_state": "the Python API's argument checks for building turn 0, not a wire verdict",
  "spurc/session":
    "a tenant session with its durable store: the verdicts inside are verify_receipt's, read above",
  "spurc/http_host":
    "the reference host's answers need a host (its store, the simulated model, receipt issuing): a host adapter replays these requests on itself",
  "spurc/checker":
    "the Python checker tool's run (tenant session and report); its verdicts are verify_receipt's and plain HTTP status checks",
};
const COVERED_AREAS = new Set(["codec", "spurc"]);

// ---- the run -------------------------------------------------------------------------------

const cases = new Map();
const skipped = new Map();
const unknown = new Set();
for (const rel of Object.keys(manifest.files).sort()) {
  const parts = rel.split("/");
  const key = `${parts[0]}/${parts[1]}`;
  if (!(key in HANDLERS)) {
    if (key in SKIPPED) skipped.set(key, (skipped.get(key) ?? new Set()).add(parts.slice(0, 4).join("/")));
    else if (COVERED_AREAS.has(parts[0])) unknown.add(key);
    continue;
  }
  const casePath = parts.slice(0, 4).join("/");
  if (!cases.has(casePath)) cases.set(casePath, []);
  cases.get(casePath).push(parts[4]);
}

const counts = {};
const failures = [];
for (const [casePath, names] of cases) {
  const key = casePath.split("/").slice(0, 2).join("/");
  counts[key] ??= { passed: 0, failed: 0 };
  let diff;
  try {
    const files = Object.fromEntries(names.map((n) => [n, readFile(`${casePath}/${n}`)]));
    diff = HANDLERS[key](files);
  } catch (e) {
    diff = `reader error: ${e.message}`;
  }
  if (diff) {
    counts[key].failed += 1;
    failures.push(`${casePath}: ${diff}`);
  } else {
    counts[key].passed += 1;
  }
}

for (const key of Object.keys(counts).sort()) {
  process.stdout.write(`${key.padEnd(28)} ${String(counts[key].passed).padStart(5)} passed ${String(counts[key].failed).padStart(5)} failed\n`);
}
for (const key of [...skipped.keys()].sort()) {
  process.stdout.write(`${key.padEnd(28)} ${String(skipped.get(key).size).padStart(5)} skipped: ${SKIPPED[key]}\n`);
}
for (const key of [...unknown].sort()) failures.push(`${key}: a handler this reader neither reads nor skips`);
for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
for (const p of problems) process.stdout.write(`MANIFEST ${p}\n`);
const total = Object.values(counts).reduce((n, c) => n + c.passed + c.failed, 0);
if (total === 0) {
  process.stdout.write("no case of a handler this reader implements\n");
  process.exit(1);
}
process.exit(failures.length || problems.length ? 1 : 0);


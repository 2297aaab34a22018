// SPUR-IC's verifyReceipt (seed 002 §7, §9) written from the seed and specs/spurc.md's check
// order, with the vectors' view (terms, frontier, trust policy, clock). Each refusal is a
// RuleError("spurc", code), the first rule broken.

import { RuleError, decode, walk, withoutFields } from "./wire.mjs";
import { JsonSyntaxError, jcs, parseJson, utf8Encode } from "./json.mjs";
import {
  DOMAIN_RECEIPT,
  DOMAIN_SIM_AK_CERT,
  DOMAIN_SIM_QUOTE,
  DOMAIN_STATE,
  MalformedKeyOrSignature,
  append,
  concat,
  equal,
  fromHex,
  hex,
  popcount,
  rootOf,
  sha256,
  signedByAddress,
  verify,
} from "./crypto.mjs";

const U64_MAX = (1n << 64n) - 1n;
const spurc = (code, detail) => new RuleError("spurc", code, detail);
const HEADER_NAMES = [
  "X-DAIT-Version",
  "X-DAIT-Channel-Id",
  "X-DAIT-Receipt",
  "X-DAIT-State",
  "Content-Type",
  "X-DAIT-Tee-Quote-Type",
  "X-DAIT-Model-Id",
  "X-DAIT-Call-Seq",
  "X-DAIT-Settle-Hint",
];
const SPURC_HEADERS = new Set(HEADER_NAMES.map((h) => h.toLowerCase()));
const QUOTE_TYPES = ["nras-jwt", "sev-snp", "tdx"];
const SETTLE_HINTS = ["cooperative", "dispute-pending"];
export const STATE_FIELDS = [
  ["channel_id", "bytes"],
  ["host_addr", "string"],
  ["user_addr", "string"],
  ["model_id", "string"],
  ["max_calls", "uint"],
  ["deadline", "uint"],
  ["escrow_amount", "uint"],
  ["spent_amount", "uint"],
  ["call_count", "uint"],
  ["receipts_merkle_root", "bytes"],
  ["turn_num", "uint"],
  ["sig_user", "bytes"],
  ["sig_host", "bytes"],
];

// ---- values ----------------------------------------------------------------------------

/** A decoded protobufjs message as {field: BigInt | Uint8Array | string | bool}. */
export function plain(type, message) {
  const obj = type.toObject(message, { longs: String, defaults: true });
  const out = {};
  for (const f of type.fieldsArray) {
    const v = obj[f.name];
    if (f.type === "bytes") out[f.name] = new Uint8Array(v ?? []);
    else if (f.type === "string" || f.type === "bool") out[f.name] = v;
    else if (f.resolvedType) out[f.name] = v;
    else out[f.name] = BigInt(v ?? 0);
  }
  return out;
}

export function stateFromDiagnostic(obj) {
  const out = {};
  for (const [name, kind] of STATE_FIELDS) {
    const v = obj[name];
    if (typeof v !== "string") throw new Error(`state ${name}: expected a string`);
    out[name] = kind === "bytes" ? fromHex(v) : kind === "uint" ? BigInt(v) : v;
  }
  return out;
}

export function stateToDiagnostic(s) {
  const out = {};
  for (const [name, kind] of STATE_FIELDS) {
    const v = s[name];
    out[name] = kind === "bytes" ? hex(v) : kind === "uint" ? v.toString() : v;
  }
  return out;
}

export function encodeState(root, s) {
  const T = root.lookupType("dait.state_channel.v1.ChannelState");
  const obj = {};
  for (const [name, kind] of STATE_FIELDS) {
    const v = s[name];
    if (kind === "bytes" ? v.length : kind === "uint" ? v !== 0n : v !== "") obj[name] = kind === "uint" ? v.toString() : v;
  }
  const bytes = T.encode(T.fromObject(obj)).finish();
  walk(T, bytes); // must be canonical
  return bytes;
}

const stateSignBytes = (root, s) => concat(DOMAIN_STATE, encodeState(root, { ...s, sig_user: new Uint8Array(), sig_host: new Uint8Array() }));

// ---- headers, framing, streams ---------------------------------------------------------

function headerMap(pairs) {
  const map = new Map();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (map.has(key) && SPURC_HEADERS.has(key)) throw spurc(3, `${name} appears more than once`);
    if (!map.has(key)) map.set(key, value.replace(/^[ \t]+|[ \t]+$/g, ""));
  }
  return map;
}

function require_(map, name) {
  const v = map.get(name.toLowerCase());
  if (v === undefined) throw spurc(2, name);
  return v;
}

function contentKind(map) {
  const raw = require_(map, "Content-Type");
  const [media, ...params] = raw.split(";").map((p) => p.replace(/^[ \t]+|[ \t]+$/g, ""));
  const kind = { "application/json": "json", "text/event-stream": "sse" }[media.toLowerCase()];
  if (!kind) throw spurc(3, `Content-Type ${raw}`);
  for (const p of params) if (p.toLowerCase() !== "charset=utf-8") throw spurc(3, `parameter ${p}`);
  return kind;
}

function b64url(text, name) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw spurc(4, `${name}: alphabet`);
  if (text.length % 4 === 1) throw spurc(4, `${name}: length`);
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  if (Buffer.from(bytes).toString("base64url") !== text) throw spurc(4, `${name}: trailing bits`);
  return bytes;
}

function splitLines(text) {
  const lines = [];
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === "\n" || c === "\r") {
      lines.push(text.slice(start, i));
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      start = i + 1;
    }
  }
  return [lines, text.slice(start)];
}

function parseEvents(body) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw spurc(6, "not UTF-8");
  }
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const [lines, rest] = splitLines(text);
  const events = [];
  let type = "";
  let data = [];
  let pending = false;
  for (const line of lines) {
    if (line === "") {
      if (data.length) events.push({ event: type || "message", data: data.join("\n") });
      type = "";
      data = [];
      pending = false;
      continue;
    }
    pending = true;
    if (line.startsWith(":")) continue;
    const idx = line.indexOf(":");
    const name = idx < 0 ? line : line.slice(0, idx);
    let value = idx < 0 ? "" : line.slice(idx + 1);
    if (idx >= 0 && value.startsWith(" ")) value = value.slice(1);
    if (name === "event") type = value;
    else if (name === "data") data.push(value);
  }
  return { events, pending: pending || rest !== "" };
}

const renderStream = (events) =>
  utf8Encode(events.map((e) => `event: ${e.event}\n${e.data.split("\n").map((l) => `data: ${l}\n`).join("")}\n`).join(""));

function canonicalFrameJson(data, what) {
  let value;
  try {
    value = parseJson(data);
  } catch {
    throw spurc(6, `${what} data is not JSON`);
  }
  let canonical;
  try {
    canonical = jcs(value);
  } catch {
    throw spurc(6, `${what} data is not canonical JSON`);
  }
  if (canonical !== data) throw spurc(6, `${what} data is not canonical JSON`);
  return value;
}

function frameHeaders(value, what) {
  if (!value || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw spurc(6, `${what} data is not an object of header strings`);
  }
  if (Object.keys(value).some((k) => !HEADER_NAMES.includes(k))) throw spurc(6, `${what} names unknown headers`);
  return Object.entries(value);
}

function assembleStream(body) {
  const parsed = parseEvents(body);
  const finals = parsed.events.map((e, i) => (e.event === "dait-final" ? i : -1)).filter((i) => i >= 0);
  if (!finals.length) throw spurc(7, "no dait-final frame");
  if (finals[0] !== parsed.events.length - 1 || parsed.pending) throw spurc(6, "data after dait-final");
  const pieces = [];
  for (const e of parsed.events.slice(0, -1)) {
    if (e.event === "delta") {
      const piece = canonicalFrameJson(e.data, "delta");
      if (typeof piece !== "string") throw spurc(6, "delta data is not a string");
      pieces.push(piece);
    } else if (e.event === "dait-headers") {
      frameHeaders(canonicalFrameJson(e.data, "dait-headers"), "dait-headers");
    } else {
      throw spurc(6, `unknown event type ${e.event}`);
    }
  }
  const headers = frameHeaders(canonicalFrameJson(parsed.events.at(-1).data, "dait-final"), "dait-final");
  if (!equal(renderStream(parsed.events), body)) throw spurc(6, "not the canonical rendering");
  return { text: pieces.join(""), headers };
}

function parseResponseHeaders(map) {
  const version = require_(map, "X-DAIT-Version");
  if (version !== "1") throw spurc(5, `version ${version}`);
  const channelText = require_(map, "X-DAIT-Channel-Id");
  if (!/^[0-9a-f]{64}$/.test(channelText)) throw spurc(3, "X-DAIT-Channel-Id");
  const receipt = b64url(require_(map, "X-DAIT-Receipt"), "X-DAIT-Receipt");
  const state = b64url(require_(map, "X-DAIT-State"), "X-DAIT-State");
  const quoteType = map.get("x-dait-tee-quote-type");
  if (quoteType !== undefined && !QUOTE_TYPES.includes(quoteType)) throw spurc(3, "X-DAIT-Tee-Quote-Type");
  const modelId = map.get("x-dait-model-id");
  if (modelId !== undefined && !/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(modelId)) throw spurc(3, "X-DAIT-Model-Id");
  const callSeqText = map.get("x-dait-call-seq");
  let callSeq;
  if (callSeqText !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(callSeqText) || BigInt(callSeqText) > U64_MAX) throw spurc(3, "X-DAIT-Call-Seq");
    callSeq = BigInt(callSeqText);
  }
  const hint = map.get("x-dait-settle-hint");
  if (hint !== undefined && !SETTLE_HINTS.includes(hint)) throw spurc(3, "X-DAIT-Settle-Hint");
  return { channelId: fromHex(channelText), receipt, state, quoteType, modelId, callSeq };
}

// ---- payloads ------------------------------------------------------------------------------

function strictJson(bytes) {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  return parseJson(text, { duplicates: "error" });
}

function requestHash(body) {
  let value;
  try {
    value = strictJson(body);
  } catch {
    throw spurc(20, "not JSON");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw spurc(20, "not an object");
  const keys = Object.keys(value).sort();
  if (keys.join(",") !== "nonce,params,prompt") throw spurc(20, `members ${keys}`);
  const { prompt, params, nonce } = value;
  if (typeof prompt !== "string" || typeof nonce !== "string" || !params || typeof params !== "object" || Array.isArray(params)) {
    throw spurc(20, "member types");
  }
  try {
    return sha256(utf8Encode(jcs({ prompt, params, nonce })));
  } catch {
    throw spurc(20, "not JCS-able");
  }
}

function outputBytes(kind, body, streamText) {
  if (kind === "sse") {
    try {
      return utf8Encode(jcs({ text: streamText }));
    } catch {
      throw spurc(22, "output has no JCS form");
    }
  }
  let value;
  try {
    value = strictJson(body);
  } catch (e) {
    if (e instanceof JsonSyntaxError || e instanceof TypeError) throw spurc(22, "not JSON");
    throw spurc(22, "not JSON");
  }
  let canonical;
  try {
    canonical = utf8Encode(jcs(value));
  } catch {
    throw spurc(22, "no JCS form");
  }
  if (!equal(canonical, body)) throw spurc(22, "body is not the JCS form of its value");
  return body;
}

// ---- the quote (the simulated vendor's format, specs/spurc.md "Attestation") -----------------

function verifyQuote(root, quoteBytes, view) {
  const Quote = root.lookupType("dait.tee_attest.v1.Quote");
  const Body = root.lookupType("dait.tee_attest.v1.SimQuoteBody");
  const Cert = root.lookupType("dait.tee_attest.v1.SimAttestationKeyCert");
  let envelope;
  try {
    envelope = plain(Quote, decode(Quote, quoteBytes));
  } catch {
    throw spurc(14, "envelope");
  }
  const type = envelope.quote_type;
  if (!QUOTE_TYPES.includes(type)) throw spurc(15, `quote type ${type}`);
  if (!view.quote_types.includes(type)) throw spurc(15, `policy does not accept ${type}`);
  if (!view.verifiers.includes(type)) throw spurc(15, `no verifier for ${type}`);
  let bodyMsg;
  try {
    bodyMsg = decode(Body, envelope.body);
    if (!Object.prototype.hasOwnProperty.call(bodyMsg, "ak_cert")) throw new Error("ak_cert absent");
  } catch {
    throw spurc(14, "body");
  }
  const body = plain(Body, bodyMsg);
  if (body.quote_type !== type) throw spurc(14, "body and envelope types differ");
  const cert = plain(Cert, bodyMsg.ak_cert);
  const trusted = view.trusted_roots.map(hex);
  const revoked = view.revoked_keys.map(hex);
  if (!trusted.includes(hex(cert.root_pubkey))) throw spurc(16, "root not trusted");
  if (revoked.includes(hex(cert.root_pubkey))) throw spurc(16, "root revoked");
  if (revoked.includes(hex(cert.attestation_pubkey))) throw spurc(16, "attestation key revoked");
  const certPayload = Cert.encode(Cert.fromObject({ root_pubkey: cert.root_pubkey, attestation_pubkey: cert.attestation_pubkey })).finish();
  checkSig(cert.root_pubkey, concat(DOMAIN_SIM_AK_CERT, certPayload), cert.sig_root, "certificate");
  const bodyPayload = withoutFields(Body, envelope.body, [5]);
  checkSig(cert.attestation_pubkey, concat(DOMAIN_SIM_QUOTE, bodyPayload), body.sig_ak, "quote");
  return { type, measurement: body.measurement, reportData: body.report_data };
}

function checkSig(pub, message, sig, what) {
  if (!sig.length) throw spurc(16, `${what} unsigned`);
  let ok;
  try {
    ok = verify(pub, message, sig);
  } catch {
    throw spurc(16, `${what} malformed`);
  }
  if (!ok) throw spurc(16, `${what} signature does not verify`);
}

// ---- verifyReceipt -----------------------------------------------------------------------------

/** Seed 002 §9 verifyReceipt(headers, requestBytes, responseBytes, channelState) with the
 * view; returns {state (provisional state n), frontier} or throws RuleError. */
export function verifyReceipt(root, { headers, request, response, state, view }) {
  const Receipt = root.lookupType("dait.state_channel.v1.Receipt");
  const State = root.lookupType("dait.state_channel.v1.ChannelState");
  // 0. the view is the state's: frontier shape and root
  if (view.frontier.nodes.length !== popcount(view.frontier.size) || view.frontier.nodes.some((n) => n.length !== 32)) {
    throw spurc(39, "invalid frontier");
  }
  if (BigInt(view.frontier.size) !== state.call_count || !equal(rootOf(view.frontier.size, view.frontier.nodes), state.receipts_merkle_root)) {
    throw spurc(39, "frontier is not the state's");
  }
  // 1. framing
  let head = headerMap(headers);
  const kind = contentKind(head);
  let streamText = null;
  if (kind === "sse") {
    const stream = assembleStream(response);
    head = headerMap(stream.headers);
    if (head.get("content-type") !== undefined && contentKind(head) !== "sse") throw spurc(3, "final frame Content-Type");
    streamText = stream.text;
  }
  // 2. headers
  const parsed = parseResponseHeaders(head);
  // 3. decode
  let receipt;
  try {
    receipt = plain(Receipt, decode(Receipt, parsed.receipt));
  } catch {
    throw spurc(8, "receipt");
  }
  // 4. channel and echoed headers
  if (!equal(receipt.channel_id, state.channel_id)) throw spurc(9, "receipt channel");
  if (!equal(parsed.channelId, state.channel_id)) throw spurc(9, "header channel");
  if (parsed.callSeq !== undefined && parsed.callSeq !== receipt.call_seq) throw spurc(10, "X-DAIT-Call-Seq");
  if (parsed.modelId !== undefined && parsed.modelId !== state.model_id) throw spurc(10, "X-DAIT-Model-Id");
  // 5. call_seq
  if (receipt.call_seq <= state.call_count) throw spurc(11, "replay");
  if (receipt.call_seq !== state.call_count + 1n) throw spurc(12, "not next");
  // 6. sig_host over the receipt minus its signature (field 12)
  if (!receipt.sig_host.length) throw spurc(13, "sig_host empty");
  let ok;
  try {
    ok = verify(receipt.tee_pubkey, concat(DOMAIN_RECEIPT, withoutFields(Receipt, parsed.receipt, [12])), receipt.sig_host);
  } catch (e) {
    if (!(e instanceof MalformedKeyOrSignature)) throw e;
    ok = false;
  }
  if (!ok) throw spurc(13, "sig_host");
  // 7. the quote
  const report = verifyQuote(root, receipt.tee_quote, view);
  if (parsed.quoteType !== undefined && parsed.quoteType !== report.type) throw spurc(10, "X-DAIT-Tee-Quote-Type");
  if (!equal(report.reportData, sha256(receipt.tee_pubkey))) throw spurc(17, "report data");
  if (!equal(report.measurement, receipt.model_hash)) throw spurc(18, "measurement");
  if (!equal(receipt.model_hash, view.model_hash)) throw spurc(19, "agreed model");
  // 8, 9. hashes
  if (!equal(receipt.request_hash, requestHash(request))) throw spurc(21, "request_hash");
  if (!equal(receipt.response_hash, sha256(outputBytes(kind, response, streamText)))) throw spurc(23, "response_hash");
  // 10. the update's preconditions
  if (view.now_ms >= state.deadline || receipt.timestamp >= state.deadline) throw spurc(24, "deadline");
  if (state.call_count + 1n > state.max_calls) throw spurc(25, "max_calls");
  const card = view.rate_card;
  const price = card.per_call_uDAIT + receipt.tokens_in * card.per_token_in_uDAIT + receipt.tokens_out * card.per_token_out_uDAIT;
  if (receipt.price_uDAIT !== price) throw spurc(26, "price");
  if (state.spent_amount + receipt.price_uDAIT > state.escrow_amount) throw spurc(27, "escrow");
  if (state.turn_num + 1n > U64_MAX) throw spurc(28, "turn_num");
  const [size, nodes] = append(view.frontier.size, view.frontier.nodes, parsed.receipt);
  const computed = {
    ...state,
    call_count: state.call_count + 1n,
    spent_amount: state.spent_amount + receipt.price_uDAIT,
    receipts_merkle_root: rootOf(size, nodes),
    turn_num: state.turn_num + 1n,
    sig_user: new Uint8Array(),
    sig_host: new Uint8Array(),
  };
  // 11. the host's provisional state n
  let hostState;
  try {
    hostState = plain(State, decode(State, parsed.state));
  } catch {
    throw spurc(29, "state");
  }
  for (const [name, k] of STATE_FIELDS.slice(0, 11)) {
    const same = k === "bytes" ? equal(hostState[name], computed[name]) : hostState[name] === computed[name];
    if (!same) throw spurc(30, `${name} differs`);
  }
  if (hostState.sig_user.length) throw spurc(30, "provisional state carries sig_user");
  checkStateSig(root, hostState, "sig_host", hostState.host_addr, 31);
  return { state: hostState, frontier: { size, nodes } };
}

/** A state signature by the key of `address`, recovered (decisions.md x/state_channel). */
export function checkStateSig(root, state, field, address, code) {
  if (!state[field].length) throw spurc(code, `${field} empty`);
  let ok;
  try {
    ok = signedByAddress(stateSignBytes(root, state), state[field], address);
  } catch (e) {
    if (!(e instanceof MalformedKeyOrSignature)) throw e;
    ok = false;
  }
  if (!ok) throw spurc(code, `${field} does not verify`);
}

// ---- the host's check, presentable, cosign ---------------------------------------------------

const sameState = (a, b) => STATE_FIELDS.every(([n, k]) => (k === "bytes" ? equal(a[n], b[n]) : a[n] === b[n]));

export function hostCheckState(root, presented, latest, issued) {
  if (issued && presented.turn_num === issued.turn_num) {
    if (!sameState({ ...presented, sig_user: new Uint8Array() }, issued)) throw spurc(35, "differs from the issued");
    if (!presented.sig_user.length) throw spurc(32, "not cosigned");
    checkStateSig(root, presented, "sig_user", presented.user_addr, 33);
    return "advance";
  }
  if (sameState(presented, latest)) return "retry";
  if (presented.turn_num < latest.turn_num) throw spurc(34, "stale");
  throw spurc(35, "neither the latest cosigned nor the issued");
}

export function checkPresentable(root, state) {
  if (state.turn_num === 0n && !state.sig_user.length && !state.sig_host.length) return;
  if (!state.sig_user.length) throw spurc(36, "provisional");
  checkStateSig(root, state, "sig_host", state.host_addr, 31);
  checkStateSig(root, state, "sig_user", state.user_addr, 33);
}

export { stateSignBytes };

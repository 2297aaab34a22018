// secp256k1 (Cosmos rules: 64-byte r||s, low-S, RFC 6979), hashes, bech32 addresses and
// the RFC 6962 merkle accumulator, from @noble/curves and @noble/hashes.

import { secp256k1 } from "@noble/curves/secp256k1";
import { sha256 as nobleSha256 } from "@noble/hashes/sha256";
import { ripemd160 } from "@noble/hashes/ripemd160";

export const sha256 = (data) => nobleSha256(data);
export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
export const hex = (b) => Buffer.from(b).toString("hex");
export const fromHex = (s) => new Uint8Array(Buffer.from(s, "hex"));
export const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
export const ascii = (s) => new TextEncoder().encode(s);

export const DOMAIN_RECEIPT = ascii("DAIT-RCPT-v1\0");
export const DOMAIN_STATE = ascii("DAIT-STATE-v1\0");
export const DOMAIN_SIM_AK_CERT = ascii("DAIT-SIMTEE-AKCERT-v1\0");
export const DOMAIN_SIM_QUOTE = ascii("DAIT-SIMTEE-QUOTE-v1\0");

const N = secp256k1.CURVE.n;

export class MalformedKeyOrSignature extends Error {}

function checkPubkey(pub) {
  if (pub.length !== 33 || (pub[0] !== 2 && pub[0] !== 3)) throw new MalformedKeyOrSignature("public key");
  try {
    secp256k1.ProjectivePoint.fromHex(pub);
  } catch {
    throw new MalformedKeyOrSignature("public key not on the curve");
  }
}

function parseSignature(sig) {
  if (sig.length !== 64) throw new MalformedKeyOrSignature("signature size");
  const r = BigInt(`0x${hex(sig.subarray(0, 32))}`);
  const s = BigInt(`0x${hex(sig.subarray(32))}`);
  if (r === 0n || s === 0n || r >= N || s >= N) throw new MalformedKeyOrSignature("scalar out of range");
  if (s > N >> 1n) throw new MalformedKeyOrSignature("high S");
  return secp256k1.Signature.fromCompact(sig);
}

/** Cosmos verify over sha256(message): malformed input throws, a wrong signature is false. */
export function verify(pub, message, sig) {
  checkPubkey(pub);
  const signature = parseSignature(sig);
  return secp256k1.verify(signature, sha256(message), pub, { lowS: true, prehash: false });
}

/** The public keys recovered from a signature over sha256(message), recovery ids 0..3,
 * each re-verified. */
export function recover(message, sig) {
  const signature = parseSignature(sig);
  const digest = sha256(message);
  const out = [];
  for (let id = 0; id < 4; id += 1) {
    try {
      const pub = signature.addRecoveryBit(id).recoverPublicKey(digest).toRawBytes(true);
      if (secp256k1.verify(signature, digest, pub, { lowS: true }) && !out.some((k) => equal(k, pub))) out.push(pub);
    } catch {
      // no point for this recovery id
    }
  }
  return out;
}

/** RFC 6979 low-S signature over sha256(message), 64 bytes r||s. */
export function sign(priv, message) {
  return secp256k1.sign(sha256(message), priv, { lowS: true }).toCompactRawBytes();
}

export const pubkeyOf = (priv) => secp256k1.getPublicKey(priv, true);

// ---- bech32 (BIP-173), Cosmos length limit 1023 --------------------------------------------

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values) {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i += 1) if ((top >>> i) & 1) chk ^= GEN[i];
  }
  return chk >>> 0;
}

const hrpExpand = (hrp) => [...hrp].map((c) => c.charCodeAt(0) >> 5).concat([0], [...hrp].map((c) => c.charCodeAt(0) & 31));

function convert(data, from, to, pad) {
  let acc = 0;
  let bits = 0;
  const out = [];
  const max = (1 << to) - 1;
  for (const v of data) {
    acc = (acc << from) | v;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & max);
    }
  }
  if (pad) {
    if (bits) out.push((acc << (to - bits)) & max);
  } else if (bits >= from || ((acc << (to - bits)) & max)) {
    return null;
  }
  return out;
}

export function bech32Encode(hrp, bytes) {
  const data = convert(bytes, 8, 5, true);
  const mod = polymod([...hrpExpand(hrp), ...data, 0, 0, 0, 0, 0, 0]) ^ 1;
  const checksum = [0, 1, 2, 3, 4, 5].map((i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...data, ...checksum].map((d) => CHARSET[d]).join("")}`;
}

/** The 20 or 32 address bytes of a `dait1...` string, or null if it is not one. */
export function decodeAddress(address, hrp = "dait") {
  if (!address.trim() || address.length > 1023) return null;
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) return null;
  const lower = address.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 1 || lower.length - sep - 1 < 6 || lower.slice(0, sep) !== hrp) return null;
  const data = [];
  for (const c of lower.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) return null;
    data.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...data]) !== 1) return null;
  const bytes = convert(data.slice(0, -6), 5, 8, false);
  if (!bytes || (bytes.length !== 20 && bytes.length !== 32)) return null;
  return new Uint8Array(bytes);
}

export const addressOf = (pub) => bech32Encode("dait", ripemd160(sha256(pub)));

/** Whether sig is a signature of message by the key of `address` (recovery, as the chain
 * and the tenant check state signatures). */
export function signedByAddress(message, sig, address) {
  return recover(message, sig).some((pub) => addressOf(pub) === address);
}

// ---- RFC 6962 merkle accumulator ----------------------------------------------------------

const leafHash = (d) => sha256(concat(new Uint8Array([0]), d));
const innerHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));
export const EMPTY_ROOT = sha256(new Uint8Array());

export function popcount(n) {
  let c = 0;
  for (let x = BigInt(n); x > 0n; x >>= 1n) c += Number(x & 1n);
  return c;
}

/** Append one leaf to (size, frontier): the frontier holds the roots of the perfect
 * subtrees of size's binary expansion, largest first. */
export function append(size, frontier, data) {
  const nodes = [...frontier];
  let node = leafHash(data);
  let s = BigInt(size);
  while (s & 1n) {
    node = innerHash(nodes.pop(), node);
    s >>= 1n;
  }
  nodes.push(node);
  return [size + 1, nodes];
}

export function rootOf(size, frontier) {
  if (size === 0) return EMPTY_ROOT;
  let node = frontier[frontier.length - 1];
  for (let i = frontier.length - 2; i >= 0; i -= 1) node = innerHash(frontier[i], node);
  return node;
}

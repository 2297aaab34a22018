"""crypto vectors: secp256k1 with domain tags, bech32 addresses, RFC 6962 merkle trees.

specs/vectors.md "crypto"; the rules are specs/crypto.md's. Every case is one call
(`input.json` {op, ...}) and its result or typed error (`result.json`). Bytes are hex.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dait_chain.crypto import address as addr
from dait_chain.crypto import merkle
from dait_chain.crypto import secp256k1 as k1
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import CURVE_ORDER, DOMAIN_RECEIPT, DOMAIN_STATE
from dait_chain.vectors.files import JsonObject
from dait_chain.vectors.ops import (
    OpCase,
    arg_hex,
    arg_hex_list,
    arg_int,
    arg_str,
    op_handler,
)

SPEC = "specs/crypto.md"
DOMAIN_CLOSE = b"DAIT-CLOSE-v1\x00"
SEED_RULE = (
    "Curve: secp256k1; Hash: sha256; Encoding: 64-byte raw r || s (no recovery byte). "
    'Receipts: sig_host = secp256k1.sign(sha256("DAIT-RCPT-v1\\x00" || '
    "canonical_receipt_minus_sig)) (seed 002 §6)"
)


def key(name: str) -> bytes:
    """A fixed private key for the vectors, derived from a name."""
    return k1.privkey_from_seed(b"dait-vectors/crypto/" + name.encode())


# ---- secp256k1 ops -------------------------------------------------------------------------


def op_privkey_from_seed(obj: JsonObject) -> JsonObject:
    priv = k1.privkey_from_seed(arg_hex(obj, "seed"))
    return {"privkey": priv.hex()}


def op_pubkey_from_privkey(obj: JsonObject) -> JsonObject:
    pub = k1.pubkey_from_privkey(arg_hex(obj, "privkey"))
    return {"pubkey": pub.hex(), "address": addr.address_from_pubkey(pub)}


def op_address_from_pubkey(obj: JsonObject) -> JsonObject:
    pub = arg_hex(obj, "pubkey")
    return {
        "address_bytes": addr.address_bytes_from_pubkey(pub).hex(),
        "address": addr.address_from_pubkey(pub),
    }


def op_sign(obj: JsonObject) -> JsonObject:
    """sign(sha256(domain || payload)); the result also carries the checks on it."""
    priv, domain, payload = arg_hex(obj, "privkey"), arg_hex(obj, "domain"), arg_hex(obj, "payload")
    sig = k1.sign_with_domain(priv, domain, payload) if domain else k1.sign(priv, payload)
    pub = k1.pubkey_from_privkey(priv)
    message = domain + payload
    return {
        "pubkey": pub.hex(),
        "digest": sha256(message).hex(),
        "signature": sig.hex(),
        "verify": k1.verify(pub, message, sig),
        "recovered_pubkeys": [p.hex() for p in k1.recover_pubkeys(message, sig)],
    }


def op_verify(obj: JsonObject) -> JsonObject:
    domain, payload = arg_hex(obj, "domain"), arg_hex(obj, "payload")
    pub, sig = arg_hex(obj, "pubkey"), arg_hex(obj, "signature")
    if domain:
        valid = k1.verify_with_domain(pub, domain, payload, sig)
    else:
        valid = k1.verify(pub, payload, sig)
    return {"valid": valid}


def op_recover(obj: JsonObject) -> JsonObject:
    keys = k1.recover_pubkeys(arg_hex(obj, "message"), arg_hex(obj, "signature"))
    return {"pubkeys": [p.hex() for p in keys]}


def op_recover_for_address(obj: JsonObject) -> JsonObject:
    pub = k1.recover_pubkey_for_address(
        arg_hex(obj, "message"), arg_hex(obj, "signature"), arg_str(obj, "address")
    )
    return {"pubkey": pub.hex()}


SECP_OPS = {
    "privkey_from_seed": op_privkey_from_seed,
    "pubkey_from_privkey": op_pubkey_from_privkey,
    "address_from_pubkey": op_address_from_pubkey,
    "sign": op_sign,
    "verify": op_verify,
    "recover": op_recover,
    "recover_for_address": op_recover_for_address,
}


def _not_on_curve_x() -> bytes:
    """The smallest x (as 32 bytes) with no point on secp256k1 (x^3 + 7 not a square)."""
    p = 2**256 - 2**32 - 977
    x = 1
    while pow((x**3 + 7) % p, (p - 1) // 2, p) == 1:
        x += 1
    return x.to_bytes(32, "big")


def _high_s(sig: bytes) -> bytes:
    s = int.from_bytes(sig[32:], "big")
    return sig[:32] + (CURVE_ORDER - s).to_bytes(32, "big")


def secp_cases() -> Iterator[OpCase]:
    """Key derivation, domain-tagged signatures, verification, recovery, refusals."""
    s2 = f"{SPEC} §2"
    alice, bob = key("alice"), key("bob")
    pub_a = k1.pubkey_from_privkey(alice)
    payload = b"canonical bytes of a receipt minus its signature"
    good = k1.sign_with_domain(alice, DOMAIN_RECEIPT, payload)
    for name, seed in (
        ("account_user", b"dait-sim/spurc/account/user"),
        ("vector_alice", b"dait-vectors/crypto/alice"),
    ):
        yield OpCase(
            "keys",
            f"privkey_from_seed.{name}",
            f"privkey_from_seed({seed.decode()!r})",
            "privkey_from_seed is sha256 of the seed, re-hashed until it is a scalar",
            f"{SPEC} §2.1, Decisions 9",
            {"op": "privkey_from_seed", "seed": seed.hex()},
        )
    yield OpCase(
        "keys",
        "pubkey_from_privkey.alice",
        "the compressed public key and dait1 address of a key",
        'address = bech32("dait", RIPEMD160(SHA256(pubkey)))',
        f"{SPEC} §2.1, §4.1",
        {"op": "pubkey_from_privkey", "privkey": alice.hex()},
    )
    for name, priv in (
        ("zero", bytes(32)),
        ("order", CURVE_ORDER.to_bytes(32, "big")),
        ("short", alice[:31]),
    ):
        yield OpCase(
            "keys",
            f"invalid_privkey.{name}",
            f"private key {name}",
            "private key must be 32 bytes encoding a scalar in [1, n-1]",
            f"{SPEC} §2.1",
            {"op": "pubkey_from_privkey", "privkey": priv.hex()},
        )
    cosmos_pub = bytes.fromhex("02950e1cdfcb133d6024109fd489f734eeb4502418e538c28481f22bce276f248c")
    yield OpCase(
        "keys",
        "address_from_pubkey.cosmos_sdk",
        "cosmos-sdk secpDataTable key",
        "address = RIPEMD160(SHA256(pubkey)) (cosmos-sdk secp256k1.PubKey.Address)",
        f"{SPEC} §4.1",
        {"op": "address_from_pubkey", "pubkey": cosmos_pub.hex()},
    )
    for name, pub in (
        ("size_32", pub_a[1:]),
        ("uncompressed_prefix", b"\x04" + pub_a[1:]),
        ("not_on_curve", b"\x02" + _not_on_curve_x()),
    ):
        yield OpCase(
            "keys",
            f"invalid_pubkey.{name}",
            f"public key: {name}",
            "public key must be 33 bytes, SEC1-compressed, a point on secp256k1",
            f"{SPEC} §2.1",
            {"op": "address_from_pubkey", "pubkey": pub.hex()},
        )
    for tag_name, domain in (
        ("receipt", DOMAIN_RECEIPT),
        ("state", DOMAIN_STATE),
        ("close", DOMAIN_CLOSE),
    ):
        for signer_name, priv in (("alice", alice), ("bob", bob)):
            yield OpCase(
                "sign",
                f"{tag_name}.{signer_name}",
                f"{domain!r} signature by {signer_name}",
                SEED_RULE,
                f"{s2}.4",
                {
                    "op": "sign",
                    "privkey": priv.hex(),
                    "domain": domain.hex(),
                    "payload": payload.hex(),
                },
            )
    yield OpCase(
        "sign",
        "raw_message",
        "a signature over sha256(message), no domain",
        "64-byte r || s, low-S, RFC 6979",
        f"{s2}.2",
        {"op": "sign", "privkey": alice.hex(), "domain": "", "payload": payload.hex()},
    )
    for name, domain in (("no_nul", b"DAIT-RCPT-v1"), ("nul_inside", b"DAIT\x00RCPT-v1\x00")):
        yield OpCase(
            "sign",
            f"invalid_domain.{name}",
            f"domain tag {domain!r}",
            "domain tag must be non-empty and end with its only 0x00 byte",
            f"{s2}.4",
            {
                "op": "sign",
                "privkey": alice.hex(),
                "domain": domain.hex(),
                "payload": payload.hex(),
            },
        )
    verify_cases: list[tuple[str, str, bytes, bytes, bytes, bytes]] = [
        (
            "valid",
            "the signature over the same domain and payload",
            pub_a,
            DOMAIN_RECEIPT,
            payload,
            good,
        ),
        (
            "wrong_domain",
            "a receipt signature checked as a state signature",
            pub_a,
            DOMAIN_STATE,
            payload,
            good,
        ),
        (
            "wrong_payload",
            "one payload byte changed",
            pub_a,
            DOMAIN_RECEIPT,
            payload[:-1] + b"!",
            good,
        ),
        ("wrong_key", "bob's key", k1.pubkey_from_privkey(bob), DOMAIN_RECEIPT, payload, good),
        (
            "high_s",
            "the same signature with s replaced by n - s",
            pub_a,
            DOMAIN_RECEIPT,
            payload,
            _high_s(good),
        ),
        ("r_zero", "r = 0", pub_a, DOMAIN_RECEIPT, payload, bytes(32) + good[32:]),
        (
            "s_order",
            "s = n",
            pub_a,
            DOMAIN_RECEIPT,
            payload,
            good[:32] + CURVE_ORDER.to_bytes(32, "big"),
        ),
        ("size_63", "a 63-byte signature", pub_a, DOMAIN_RECEIPT, payload, good[:63]),
        (
            "size_65",
            "a 65-byte signature (with a recovery byte)",
            pub_a,
            DOMAIN_RECEIPT,
            payload,
            good + b"\x01",
        ),
        ("bad_pubkey", "a 32-byte public key", pub_a[1:], DOMAIN_RECEIPT, payload, good),
    ]
    for name, what, pub, domain, data, sig in verify_cases:
        yield OpCase(
            "verify",
            name,
            what,
            "verify returns false only for a well-formed signature that does not verify; malformed "
            "input is a typed error; high-S is refused",
            f"{s2}.2, Decisions 1-3",
            {
                "op": "verify",
                "pubkey": pub.hex(),
                "domain": domain.hex(),
                "payload": data.hex(),
                "signature": sig.hex(),
            },
        )
    message = DOMAIN_STATE + payload
    state_sig = k1.sign(alice, message)
    yield OpCase(
        "recover",
        "candidates",
        "every public key recovered from a signature, in recovery-id order",
        "the user's and host's public keys are recovered from the 64-byte signature by trying the "
        "recovery ids (decisions.md x/state_channel)",
        f"{s2}.3",
        {"op": "recover", "message": message.hex(), "signature": state_sig.hex()},
    )
    yield OpCase(
        "recover",
        "high_s",
        "recovery refuses a high-S signature like verify",
        "Recovery refuses malformed and high-S signatures exactly like verify",
        f"{SPEC} Decisions 10",
        {"op": "recover", "message": message.hex(), "signature": _high_s(state_sig).hex()},
    )
    yield OpCase(
        "recover",
        "for_address",
        "the key of alice's address",
        "recovered key whose address matches",
        f"{s2}.3",
        {
            "op": "recover_for_address",
            "message": message.hex(),
            "signature": state_sig.hex(),
            "address": addr.address_from_pubkey(pub_a),
        },
    )
    yield OpCase(
        "recover",
        "for_other_address",
        "no recovered key has bob's address",
        "no public key recovered from the signature matches the address",
        f"{s2}.3",
        {
            "op": "recover_for_address",
            "message": message.hex(),
            "signature": state_sig.hex(),
            "address": addr.address_from_pubkey(k1.pubkey_from_privkey(bob)),
        },
    )


# ---- addresses and bech32 ------------------------------------------------------------------


def op_encode(obj: JsonObject) -> JsonObject:
    return {"address": addr.encode_address(arg_hex(obj, "bytes"), arg_str(obj, "hrp"))}


def op_decode(obj: JsonObject) -> JsonObject:
    hrp = arg_str(obj, "hrp")
    raw = addr.decode_address(arg_str(obj, "address"), hrp)
    return {"bytes": raw.hex(), "normalized": addr.encode_address(raw, hrp)}


def op_module(obj: JsonObject) -> JsonObject:
    name = arg_str(obj, "name")
    return {"bytes": addr.module_address_bytes(name).hex(), "address": addr.module_address(name)}


def op_bech32_decode(obj: JsonObject) -> JsonObject:
    hrp, data = addr.bech32_decode(arg_str(obj, "bech"), arg_int(obj, "limit"))
    return {"hrp": hrp, "data": list(data)}


ADDRESS_OPS = {
    "encode": op_encode,
    "decode": op_decode,
    "module_address": op_module,
    "bech32_decode": op_bech32_decode,
}


def _bech32m(hrp: str, data: bytes) -> str:
    """A string with a bech32m checksum (BIP-350), which addresses refuse."""
    groups = addr._five_bit_groups(data)
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    chk = 1
    for v in [*values, *groups, 0, 0, 0, 0, 0, 0]:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= g if (top >> i) & 1 else 0
    polymod = chk ^ 0x2BC830A3
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(addr.CHARSET[g] for g in groups + checksum)


def address_cases() -> Iterator[OpCase]:
    """Encoding, decoding (valid and each refusal), module accounts, bech32 limits."""
    s4 = f"{SPEC} §4.2"
    raw20 = sha256(b"dait-vectors/address")[:20]
    raw32 = sha256(b"dait-vectors/address32")
    good = addr.encode_address(raw20)
    rule = (
        "host_addr, user_addr: bech32 dait1... (seed 002 §4); decode_address refuses every "
        "malformed string with its own error"
    )
    yield OpCase(
        "encode",
        "bytes_20",
        "a 20-byte account address",
        rule,
        s4,
        {"op": "encode", "bytes": raw20.hex(), "hrp": "dait"},
    )
    yield OpCase(
        "encode",
        "bytes_32",
        "a 32-byte (ADR-028) address",
        rule,
        s4,
        {"op": "encode", "bytes": raw32.hex(), "hrp": "dait"},
    )
    yield OpCase(
        "encode",
        "bytes_19",
        "19 bytes",
        "address must decode to 20 or 32 bytes",
        s4,
        {"op": "encode", "bytes": raw20[:19].hex(), "hrp": "dait"},
    )
    yield OpCase(
        "encode",
        "uppercase_hrp",
        "hrp DAIT",
        "human-readable part must be non-empty lowercase ASCII 33-126",
        f"{SPEC} §3",
        {"op": "encode", "bytes": raw20.hex(), "hrp": "DAIT"},
    )
    decode_cases: list[tuple[str, str, str]] = [
        ("valid", good, "a canonical address"),
        ("uppercase", good.upper(), "an all-uppercase address decodes to the same bytes"),
        ("empty", "", "empty string"),
        ("blank", "   ", "blanks only"),
        ("too_long", "dait1" + "q" * 1019, "1024 characters (Cosmos's limit is 1023)"),
        (
            "invalid_character",
            good[:-7] + "b" + good[-6:],
            "the letter b is not in the bech32 charset",
        ),
        ("non_ascii", "dait1\u00e9" + good[6:], "a character outside 33..126"),
        ("mixed_case", good[:6] + good[6:].upper(), "lower and upper case mixed"),
        ("missing_separator", good.replace("1", "", 1).replace("1", ""), "no '1' separator"),
        ("empty_hrp", good[4:], "nothing before the separator"),
        ("checksum_too_short", "dait1qqqqq", "five characters after the separator"),
        (
            "invalid_checksum",
            good[:-1] + ("q" if good[-1] != "q" else "p"),
            "last checksum character changed",
        ),
        ("bech32m_checksum", _bech32m("dait", raw20), "a BIP-350 bech32m checksum"),
        ("wrong_prefix", addr.encode_address(raw20, "cosmos"), "a cosmos1 address"),
        ("bad_padding", _bad_padding(raw20), "five bits left over after the last byte"),
        ("wrong_length", addr.bech32_encode("dait", raw20[:10]), "10 bytes"),
        ("length_21", addr.bech32_encode("dait", raw20 + b"\x00"), "21 bytes"),
    ]
    for name, text, what in decode_cases:
        yield OpCase(
            "decode", name, what, rule, s4, {"op": "decode", "address": text, "hrp": "dait"}
        )
    for name in ("fee_collector", "gov", "bonded_tokens_pool", "state_channel", "compute_market"):
        yield OpCase(
            "module_address",
            name,
            f"module account {name}",
            "NewModuleAddress(name) = sha256(name)[:20]",
            f"{SPEC} §4.3",
            {"op": "module_address", "name": name},
        )
    bip = (
        "an84characterslonghumanreadablepartthatcontainsthenumber1"
        "andtheexcludedcharactersbio1569pvx"
    )
    yield OpCase(
        "bech32",
        "bip173_91_chars_cosmos_limit",
        "the 91-character BIP-173 string under Cosmos's 1023 limit",
        "Cosmos decodes bech32 with a length limit of 1023 characters, not BIP-173's 90",
        f"{SPEC} §3",
        {"op": "bech32_decode", "bech": bip, "limit": 1023},
    )
    yield OpCase(
        "bech32",
        "bip173_91_chars_bip_limit",
        "the same string under BIP-173's 90",
        "bech32 string exceeds the length limit",
        f"{SPEC} §3",
        {"op": "bech32_decode", "bech": bip, "limit": 90},
    )
    yield OpCase(
        "bech32",
        "empty_data",
        "a string whose data part is only the checksum",
        "5-bit groups without the checksum",
        f"{SPEC} §3",
        {"op": "bech32_decode", "bech": addr.bech32_encode("a", b""), "limit": 90},
    )


def _bad_padding(raw20: bytes) -> str:
    """20 bytes are 32 five-bit groups with 0 padding bits; 33 groups leave 5 extra
    bits, which is refused (incomplete group of more than 4 bits)."""
    groups = [*addr._five_bit_groups(raw20), 1]
    hrp = "dait"
    polymod = addr._polymod_step(addr._hrp_polymod(hrp), [*groups, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(addr.CHARSET[g] for g in groups + checksum)


# ---- merkle --------------------------------------------------------------------------------


def _proof_json(p: merkle.MerkleProof) -> JsonObject:
    return {"index": p.index, "total": p.total, "aunts": [a.hex() for a in p.aunts]}


def op_root(obj: JsonObject) -> JsonObject:
    return {"root": merkle.merkle_root(arg_hex_list(obj, "items")).hex()}


def op_proof(obj: JsonObject) -> JsonObject:
    return _proof_json(merkle.inclusion_proof(arg_hex_list(obj, "items"), arg_int(obj, "index")))


def op_verify_inclusion(obj: JsonObject) -> JsonObject:
    proof = merkle.MerkleProof(
        arg_int(obj, "index"), arg_int(obj, "total"), tuple(arg_hex_list(obj, "aunts"))
    )
    return {"valid": merkle.verify_inclusion(arg_hex(obj, "root"), arg_hex(obj, "item"), proof)}


def op_frontier_root(obj: JsonObject) -> JsonObject:
    acc = merkle.MerkleAccumulator.from_frontier(
        arg_int(obj, "size"), arg_hex_list(obj, "frontier")
    )
    return {"root": acc.root().hex()}


def op_accumulate(obj: JsonObject) -> JsonObject:
    acc = merkle.MerkleAccumulator()
    for item in arg_hex_list(obj, "items"):
        acc.append(item)
    return {"size": acc.size, "frontier": [f.hex() for f in acc.frontier], "root": acc.root().hex()}


MERKLE_OPS = {
    "root": op_root,
    "proof": op_proof,
    "verify": op_verify_inclusion,
    "frontier_root": op_frontier_root,
    "accumulate": op_accumulate,
}


def merkle_cases() -> Iterator[OpCase]:
    """RFC 6962 roots (CometBFT's vectors), proofs, verification, accumulator frontiers."""
    rule = (
        "receipts_merkle_root: 32 bytes; sha256-merkle of canonical receipts (seed 002 §4); "
        "RFC 6962 with sha256 of nothing for the empty tree"
    )
    items = [f"item-{i}".encode() for i in range(7)]
    for n in range(8):
        yield OpCase(
            "root",
            f"items_{n}",
            f"root of {n} leaves",
            rule,
            f"{SPEC} §5.1",
            {"op": "root", "items": [x.hex() for x in items[:n]]},
        )
    yield OpCase(
        "root",
        "one_empty_leaf",
        "root of one empty leaf",
        rule,
        f"{SPEC} §5.1",
        {"op": "root", "items": [""]},
    )
    for n in (1, 5, 7):
        yield OpCase(
            "accumulate",
            f"items_{n}",
            f"accumulator after {n} appends",
            "the frontier holds the roots of the perfect subtrees of the binary expansion of size",
            f"{SPEC} §5.2",
            {"op": "accumulate", "items": [x.hex() for x in items[:n]]},
        )
    for index in (0, 3, 4):
        yield OpCase(
            "proof",
            f"of_5_index_{index}",
            f"inclusion proof of leaf {index} of 5",
            "aunts[0] is the leaf's sibling (CometBFT merkle.Proof)",
            f"{SPEC} §5.3",
            {"op": "proof", "items": [x.hex() for x in items[:5]], "index": index},
        )
    yield OpCase(
        "proof",
        "index_out_of_range",
        "leaf 5 of 5",
        "leaf index is outside the tree",
        f"{SPEC} §5.3",
        {"op": "proof", "items": [x.hex() for x in items[:5]], "index": 5},
    )
    root5 = merkle.merkle_root(items[:5])
    proof = merkle.inclusion_proof(items[:5], 3)
    base: dict[str, Any] = {
        "op": "verify",
        "root": root5.hex(),
        "index": 3,
        "total": 5,
        "aunts": [a.hex() for a in proof.aunts],
    }
    yield OpCase(
        "verify",
        "valid",
        "leaf 3 of 5 with its proof",
        rule,
        f"{SPEC} §5.3",
        {**base, "item": items[3].hex()},
    )
    yield OpCase(
        "verify",
        "wrong_item",
        "another item with leaf 3's proof",
        "a well-formed proof that fails gives false",
        f"{SPEC} §5.3",
        {**base, "item": items[2].hex()},
    )
    yield OpCase(
        "verify",
        "short_aunt",
        "an aunt of 31 bytes",
        "merkle proof is malformed",
        f"{SPEC} §5.3",
        {**base, "item": items[3].hex(), "aunts": [proof.aunts[0][:31].hex(), *base["aunts"][1:]]},
    )
    yield OpCase(
        "verify",
        "index_not_below_total",
        "index 5 of 5",
        "merkle proof is malformed",
        f"{SPEC} §5.3",
        {**base, "item": items[3].hex(), "index": 5},
    )
    acc = merkle.MerkleAccumulator()
    for x in items[:6]:
        acc.append(x)
    yield OpCase(
        "frontier",
        "size_6",
        "the root from a persisted frontier of 6 leaves",
        "from_frontier(size, frontier) restores an accumulator",
        f"{SPEC} §5.2",
        {"op": "frontier_root", "size": 6, "frontier": [f.hex() for f in acc.frontier]},
    )
    yield OpCase(
        "frontier",
        "wrong_length",
        "size 6 with one subtree root",
        "merkle frontier does not match the accumulator size",
        f"{SPEC} §5.2",
        {"op": "frontier_root", "size": 6, "frontier": [acc.frontier[0].hex()]},
    )


HANDLERS = (
    op_handler(
        "crypto",
        "secp256k1",
        "keys, domain-tagged signatures, verify, recovery",
        SECP_OPS,
        secp_cases,
    ),
    op_handler(
        "crypto",
        "address",
        "bech32 dait1 addresses, module accounts, bech32 limits",
        ADDRESS_OPS,
        address_cases,
    ),
    op_handler(
        "crypto",
        "merkle",
        "RFC 6962 roots, proofs, accumulator frontiers",
        MERKLE_OPS,
        merkle_cases,
    ),
)

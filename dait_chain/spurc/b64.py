"""Strict base64url without padding (RFC 4648 §5, seed 002 §2: X-DAIT-Receipt, X-DAIT-State).

One byte string has exactly one encoding here: the alphabet is A-Z a-z 0-9 - _, there is
no padding, no whitespace, and the unused low bits of the last character are zero. A
decoder that accepted any other spelling would let two header values carry the same
receipt, and a single-byte change could go unnoticed.
"""

from __future__ import annotations

import base64
import binascii

from dait_chain.spurc.errors import ErrBadBase64url

_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url_encode(data: bytes) -> str:
    """The canonical unpadded base64url text of `data`."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; anything else raises ErrBadBase64url.

    Refused: padding, `+` or `/`, whitespace or any byte outside the alphabet, a length
    of 1 mod 4 (no byte string encodes to it), and non-zero unused trailing bits.
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise ErrBadBase64url("non-ASCII character") from exc
    bad = next((c for c in raw if c not in _ALPHABET), None)
    if bad is not None:
        raise ErrBadBase64url(f"byte {bad:#04x} outside the base64url alphabet")
    if len(raw) % 4 == 1:
        raise ErrBadBase64url(f"length {len(raw)} is 1 mod 4")
    padded = raw + b"=" * (-len(raw) % 4)
    try:
        data = base64.b64decode(padded, altchars=b"-_", validate=True)
    except binascii.Error as exc:  # unreachable after the checks above; kept as a guard
        raise ErrBadBase64url(str(exc)) from exc
    # Non-zero unused bits decode to the same bytes as the zero-bit spelling; re-encoding
    # exposes them.
    if b64url_encode(data) != text:
        raise ErrBadBase64url("non-zero unused trailing bits")
    return data

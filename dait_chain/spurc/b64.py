"""Strict base64url without padding (RFC 4648 §5, seed 002 §2: X-DAIT-Receipt, X-DAIT-State).

One byte string has exactly one encoding here: the alphabet is A-Z a-z 0-9 - _, there is
no padding, no whitespace, and the unused low bits of the last character are zero. A
decoder that accepted any other spelling would let two header values carry the same
receipt, and a single-byte change could go unnoticed.
"""

from __future__ import annotations

import base64
import binascii
import re

from dait_chain.spurc.errors import ErrBadBase64url

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_OUTSIDE_RE = re.compile(r"[^A-Za-z0-9_-]")
# The 6-bit value of each alphabet character, to read the last character's unused bits.
_VALUE = {char: value for value, char in enumerate(_ALPHABET)}
# A text of length 2 or 3 mod 4 ends in a character of which only the high 2 or 4 bits
# belong to the last byte; the low 4 or 2 bits are unused and must be zero.
_UNUSED_BITS_MASK = {0: 0, 2: 0b1111, 3: 0b11}


def b64url_encode(data: bytes) -> str:
    """The canonical unpadded base64url text of `data`."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; anything else raises ErrBadBase64url.

    Refused: padding, `+` or `/`, whitespace or any byte outside the alphabet, a length
    of 1 mod 4 (no byte string encodes to it), and non-zero unused trailing bits.
    """
    # Every receipt and state passes here, so the checks are C-level string operations.
    # The standard decoder in strict mode accepts exactly the standard alphabet with the
    # padding added below; replacing - and _ by + and / after refusing those two (and =)
    # in the text makes that exactly this alphabet. Any refusal is named by _refusal.
    if "+" in text or "/" in text or "=" in text or not text.isascii():
        raise _refusal(text)
    raw = text.encode("ascii")
    remainder = len(raw) % 4
    # Non-zero unused bits would decode to the same bytes as the zero-bit spelling.
    if remainder == 1 or (raw and _VALUE.get(raw[-1], 0) & _UNUSED_BITS_MASK[remainder]):
        raise _refusal(text)
    try:
        # Two replacements (memchr-driven) cost less than one byte-by-byte translation.
        standard = raw.replace(b"-", b"+").replace(b"_", b"/")
        return binascii.a2b_base64(standard + _PADDING[remainder], strict_mode=True)
    except binascii.Error:  # a character outside the alphabet
        raise _refusal(text) from None


_PADDING = {0: b"", 2: b"==", 3: b"="}


def _refusal(text: str) -> ErrBadBase64url:
    """The error for a text b64url_decode refuses, naming its first problem in this order:
    a character outside the alphabet, the length, the unused bits."""
    bad = _OUTSIDE_RE.search(text)
    if bad is not None:
        return ErrBadBase64url(f"character {bad.group()!r} outside the base64url alphabet")
    if len(text) % 4 == 1:
        return ErrBadBase64url(f"length {len(text)} is 1 mod 4")
    return ErrBadBase64url("non-zero unused trailing bits")

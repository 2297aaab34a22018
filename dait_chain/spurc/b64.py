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

_ALPHABET_RE = re.compile(r"[A-Za-z0-9_-]*")
_OUTSIDE_RE = re.compile(r"[^A-Za-z0-9_-]")
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")


def b64url_encode(data: bytes) -> str:
    """The canonical unpadded base64url text of `data`."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode canonical unpadded base64url; anything else raises ErrBadBase64url.

    Refused: padding, `+` or `/`, whitespace or any byte outside the alphabet, a length
    of 1 mod 4 (no byte string encodes to it), and non-zero unused trailing bits.
    """
    if not _ALPHABET_RE.fullmatch(text):
        bad = _OUTSIDE_RE.search(text)
        assert bad is not None  # fullmatch failed, so some character is outside
        raise ErrBadBase64url(f"character {bad.group()!r} outside the base64url alphabet")
    if len(text) % 4 == 1:
        raise ErrBadBase64url(f"length {len(text)} is 1 mod 4")
    # The alphabet is checked above, so the standard decoder sees only valid characters.
    padded = text.encode("ascii").translate(_TO_STANDARD) + b"=" * (-len(text) % 4)
    try:
        data = binascii.a2b_base64(padded)
    except binascii.Error as exc:  # unreachable after the checks above; kept as a guard
        raise ErrBadBase64url(str(exc)) from exc
    # Non-zero unused bits decode to the same bytes as the zero-bit spelling; re-encoding
    # exposes them.
    if b64url_encode(data) != text:
        raise ErrBadBase64url("non-zero unused trailing bits")
    return data

"""specs/crypto.md §7: the crypto codespace's registered errors."""

from __future__ import annotations

import inspect

import pytest

from dait_chain.crypto import errors as crypto_errors
from dait_chain.crypto.errors import CryptoError, ErrSignatureHighS
from dait_chain.errors import DaitError, error_class, registered_errors


def _concrete() -> list[type[CryptoError]]:
    return [
        cls
        for _, cls in inspect.getmembers(crypto_errors, inspect.isclass)
        if issubclass(cls, CryptoError) and cls is not CryptoError
    ]


def test_every_crypto_error_is_registered_in_the_crypto_codespace() -> None:
    registered = {(e.codespace, e.code): e.name for e in registered_errors()}
    for cls in _concrete():
        assert cls.codespace == "crypto"
        assert registered[("crypto", cls.code)] == cls.__name__
        assert error_class("crypto", cls.code) is cls


def test_crypto_codes_are_contiguous_from_two() -> None:
    # Codes start at 2 (architecture.md) and the table in specs/crypto.md §7 has no gaps.
    codes = sorted(cls.code for cls in _concrete())
    assert codes == list(range(2, 2 + len(codes)))
    assert len(codes) == 25


def test_crypto_error_family_cannot_be_raised() -> None:
    with pytest.raises(TypeError):
        CryptoError("detail")


def test_error_log_wraps_detail_around_description() -> None:
    err = ErrSignatureHighS("s=ff")
    assert isinstance(err, DaitError)
    assert err.log == "s=ff: signature s is above n/2 (not low-S)"

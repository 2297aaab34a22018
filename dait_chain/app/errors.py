"""The `sdk` codespace: Cosmos SDK's root errors, with Cosmos's own numbers.

specs/app.md "Tx results". cosmos-sdk types/errors/errors.go registers these under the
codespace "sdk"; a Cosmos client decodes a DAIT tx result with the same table. Only the
errors DAIT raises are declared here; every other area imports them from this module
(declaring an `sdk` error elsewhere would collide in the registry).
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class SdkError(DaitError, codespace="sdk"):
    """Family of Cosmos SDK root errors."""


class ErrTxDecode(SdkError, code=2, description="tx parse error"):
    pass


class ErrUnauthorized(SdkError, code=4, description="unauthorized"):
    pass


class ErrInsufficientFunds(SdkError, code=5, description="insufficient funds"):
    pass


class ErrUnknownRequest(SdkError, code=6, description="unknown request"):
    pass


class ErrInvalidAddress(SdkError, code=7, description="invalid address"):
    pass


class ErrInvalidPubKey(SdkError, code=8, description="invalid pubkey"):
    pass


class ErrUnknownAddress(SdkError, code=9, description="unknown address"):
    pass


class ErrInvalidCoins(SdkError, code=10, description="invalid coins"):
    pass


class ErrMemoTooLarge(SdkError, code=12, description="memo too large"):
    pass


class ErrInsufficientFee(SdkError, code=13, description="insufficient fee"):
    pass


class ErrTooManySignatures(SdkError, code=14, description="maximum number of signatures exceeded"):
    pass


class ErrNoSignatures(SdkError, code=15, description="no signatures supplied"):
    pass


class ErrInvalidRequest(SdkError, code=18, description="invalid request"):
    pass


class ErrInvalidSigner(
    SdkError, code=24, description="tx intended signer does not match the given signer"
):
    pass


class ErrTxTimeoutHeight(SdkError, code=30, description="tx timeout height"):
    pass


class ErrWrongSequence(SdkError, code=32, description="incorrect account sequence"):
    pass


class ErrNotSupported(SdkError, code=37, description="feature not supported"):
    pass


# --- the app's own codespace ---------------------------------------------------------------


class AppError(DaitError, codespace="app"):
    """Family of errors of the app itself (genesis and block input)."""


class ErrInvalidGenesis(AppError, code=2, description="invalid genesis"):
    """A genesis document or module section that cannot be imported."""


class ErrInvalidBlock(AppError, code=3, description="invalid block"):
    """A FinalizeBlock request out of sequence (height not next, time going back)."""


class ErrVoteExtension(AppError, code=4, description="invalid vote extension request"):
    """An ABCI++ request the app cannot serve (e.g. for a height other than the next)."""


class ErrInvalidValidatorSet(AppError, code=5, description="invalid validator set"):
    """A proposer-selection input CometBFT would refuse (empty, duplicate, overflowing)."""

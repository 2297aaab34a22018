"""Building consistent genesis documents (specs/app.md "Genesis").

A genesis document is a JSON object: `chain_id`, `genesis_time_ms` and `initial_height`
(uint64 as decimal strings, as proto3 JSON writes them), and one section per module named
after it; a missing section is the module's default. `build_genesis` writes the sections
of auth, bank, staking and distribution consistently (accounts numbered in order, balances
summing to the supply, bonded tokens in the bonded pool) for tests and the harness.

The optional top-level `gov_authority` is app configuration carried by the document: the
address whose signature gov-gated messages need (`msg.authority`), handed to every
gov-gated keeper at InitChain (specs/app.md §6).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import Module
from dait_chain.crypto.address import module_address
from dait_chain.x.auth.address import address_problem
from dait_chain.x.auth.types import DEFAULT_PARAMS as AUTH_DEFAULTS
from dait_chain.x.auth.types import BaseAccount
from dait_chain.x.auth.types import GenesisState as AuthGenesis
from dait_chain.x.auth.types import Params as AuthParams
from dait_chain.x.bank.types import Balance
from dait_chain.x.bank.types import GenesisState as BankGenesis
from dait_chain.x.distribution.types import DEFAULT_PARAMS as DISTR_DEFAULTS
from dait_chain.x.distribution.types import GenesisState as DistrGenesis
from dait_chain.x.distribution.types import Params as DistrParams
from dait_chain.x.staking.keeper import BONDED_POOL
from dait_chain.x.staking.types import DEFAULT_PARAMS as STAKING_DEFAULTS
from dait_chain.x.staking.types import Delegation, Validator
from dait_chain.x.staking.types import GenesisState as StakingGenesis
from dait_chain.x.staking.types import Params as StakingParams

GOV_AUTHORITY_FIELD: Final = "gov_authority"
# Cosmos's default: the gov module account (x/gov's address), which no key signs for.
DEFAULT_GOV_AUTHORITY: Final = module_address("gov")
# The modules whose messages are gov-gated. As Cosmos app.go passes the authority to these
# keepers' constructors by name, the wiring names them here; a module not built is skipped.
GOV_GATED_MODULES: Final = ("tee_attest", "pouw")


@runtime_checkable
class GovGatedKeeper(Protocol):
    """A keeper whose gov-gated messages require `msg.authority == keeper.authority`."""

    authority: str


@dataclass(frozen=True, slots=True)
class GenesisValidator:
    """A genesis validator: its operator account, consensus key and self-bond (uDAIT)."""

    operator: str
    consensus_pubkey: bytes
    self_bond: int


@dataclass(frozen=True, slots=True)
class GenesisSpec:
    """What a genesis holds, before it is written as sections."""

    chain_id: str = "dait-local-1"
    genesis_time_ms: int = 1_700_000_000_000
    initial_height: int = 1
    # (address, liquid balance in uDAIT); accounts are numbered in this order
    accounts: tuple[tuple[str, int], ...] = ()
    validators: tuple[GenesisValidator, ...] = ()
    auth_params: AuthParams = AUTH_DEFAULTS
    staking_params: StakingParams = STAKING_DEFAULTS
    distribution_params: DistrParams = DISTR_DEFAULTS
    # extra module sections, e.g. {"state_channel": {...}}
    sections: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    # the gov authority (specs/app.md §6); None leaves the field out (the app's wiring)
    gov_authority: str | None = None


def build_genesis(spec: GenesisSpec) -> dict[str, Any]:
    """The genesis document of spec. Validator operators get accounts too (after the listed
    ones, if not listed) and their self-bond sits in the bonded pool."""
    addresses = [a for a, _ in spec.accounts]
    for v in spec.validators:
        if v.operator not in addresses:
            addresses.append(v.operator)
    accounts = tuple(BaseAccount(a, b"", n, 0) for n, a in enumerate(addresses))
    balances = {a: amount for a, amount in spec.accounts if amount > 0}
    bonded = sum(v.self_bond for v in spec.validators)
    if bonded:
        balances[module_address(BONDED_POOL)] = bonded
    bank = BankGenesis(
        tuple(Balance(a, str(balances[a])) for a in sorted(balances)),
        str(sum(balances.values())),
    )
    validators = tuple(
        Validator(v.operator, v.consensus_pubkey, str(v.self_bond))
        for v in sorted(spec.validators, key=lambda v: v.operator)
    )
    delegations = tuple(
        Delegation(v.operator, v.operator, str(v.self_bond))
        for v in sorted(spec.validators, key=lambda v: v.operator)
        if v.self_bond > 0
    )
    doc: dict[str, Any] = {
        "chain_id": spec.chain_id,
        "genesis_time_ms": str(spec.genesis_time_ms),
        "initial_height": str(spec.initial_height),
        "auth": AuthGenesis(
            spec.auth_params,
            tuple(sorted(accounts, key=lambda a: a.address)),
            len(accounts),
        ).to_json(),
        "bank": bank.to_json(),
        "staking": StakingGenesis(spec.staking_params, validators, delegations, (), 0).to_json(),
        "distribution": DistrGenesis(spec.distribution_params, "0").to_json(),
    }
    if spec.gov_authority is not None:
        doc[GOV_AUTHORITY_FIELD] = spec.gov_authority
    doc.update(spec.sections)
    return doc


def read_gov_authority(genesis: Mapping[str, Any]) -> str | None:
    """The document's `gov_authority`, or None when absent; a value that is not a canonical
    dait1 account address is refused (ErrInvalidGenesis), as any other header field."""
    if GOV_AUTHORITY_FIELD not in genesis:
        return None
    value = genesis[GOV_AUTHORITY_FIELD]
    problem = address_problem(value) if isinstance(value, str) else "not a string"
    if problem is not None:
        raise ErrInvalidGenesis(f"{GOV_AUTHORITY_FIELD} {value!r}: {problem}")
    return str(value)


def gov_gated_keepers(modules: Iterable[Module]) -> list[GovGatedKeeper]:
    """The keepers of the gov-gated modules among `modules`, in module order."""
    keepers: list[GovGatedKeeper] = []
    for module in modules:
        if module.name in GOV_GATED_MODULES:
            keeper = module.keeper
            if not isinstance(keeper, GovGatedKeeper):
                raise TypeError(f"{module.name}: gov-gated, but its keeper has no authority")
            keepers.append(keeper)
    return keepers


def set_gov_authority(modules: Iterable[Module], authority: str) -> None:
    """Hand the genesis's gov authority to every gov-gated keeper (it overrides what the
    module factories were given: the document is the chain's configuration)."""
    for keeper in gov_gated_keepers(modules):
        keeper.authority = authority


def gov_authority_export(modules: Iterable[Module]) -> dict[str, str]:
    """`{"gov_authority": address}` for an export, or `{}` when the keepers hold the
    default (the field is optional, so a default chain's export does not change)."""
    authorities = sorted({k.authority for k in gov_gated_keepers(modules)})
    if len(authorities) > 1:
        # Only module wiring can do this (factories given different authorities); one
        # field cannot describe it, so an export would not continue the chain.
        raise TypeError(f"gov-gated keepers disagree on the authority: {authorities}")
    if not authorities or authorities[0] == DEFAULT_GOV_AUTHORITY:
        return {}
    return {GOV_AUTHORITY_FIELD: authorities[0]}


def genesis_validators(
    operators: Sequence[tuple[str, bytes, int]],
) -> tuple[GenesisValidator, ...]:
    """GenesisValidators from (operator, consensus pubkey, self-bond) triples."""
    return tuple(GenesisValidator(o, k, b) for o, k, b in operators)


__all__ = [
    "DEFAULT_GOV_AUTHORITY",
    "GOV_AUTHORITY_FIELD",
    "GOV_GATED_MODULES",
    "GenesisSpec",
    "GenesisValidator",
    "GovGatedKeeper",
    "build_genesis",
    "genesis_validators",
    "gov_authority_export",
    "gov_gated_keepers",
    "read_gov_authority",
    "set_gov_authority",
]

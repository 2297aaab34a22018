"""The default module set, in order (specs/app.md "Module order").

The order is the order of construction (a factory sees the keepers of the modules above
it), of InitGenesis and ExportGenesis, of PreBlock, BeginBlock and EndBlock, and of the
invariants. Module engineers add their module with one line, below the modules it needs.
"""

from __future__ import annotations

from dait_chain.app.module import ModuleFactory
from dait_chain.x.auth.module import new_module as new_auth
from dait_chain.x.bank.module import new_module as new_bank
from dait_chain.x.compute_market.module import new_module as new_compute_market
from dait_chain.x.distribution.module import new_module as new_distribution
from dait_chain.x.pouw.module import new_module as new_pouw
from dait_chain.x.staking.module import new_module as new_staking
from dait_chain.x.staking_tiers.module import new_module as new_staking_tiers
from dait_chain.x.state_channel.module import new_module as new_state_channel
from dait_chain.x.tee_attest.module import new_module as new_tee_attest

DEFAULT_MODULES: tuple[ModuleFactory, ...] = (
    new_auth,
    new_bank,
    new_staking,
    new_distribution,
    new_state_channel,
    new_tee_attest,
    new_pouw,
    new_staking_tiers,
    new_compute_market,
)

__all__ = ["DEFAULT_MODULES"]

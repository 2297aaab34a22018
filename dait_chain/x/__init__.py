"""The chain's modules, one package each (specs/app.md "Writing a module").

Base modules: auth, bank, staking, distribution. Product modules: state_channel,
compute_market, staking_tiers, pouw, tee_attest. The default set and its order are in
dait_chain/app/modules.py.
"""

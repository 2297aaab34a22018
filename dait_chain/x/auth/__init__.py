"""x/auth: accounts, module accounts, the flat fee and the memo limit (specs/app.md "x/auth").

`check_address` is the one address check every module uses on message fields.
"""

from dait_chain.x.auth.address import check_address

__all__ = ["check_address"]

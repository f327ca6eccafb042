"""A local OpenID Connect provider: a stand-in for the national identity provider (eGov
IDP) on this machine, with the demo's people as accounts. Built on Authlib's generic
authorization server; every signature is joserfc's.

Modules: ``accounts`` (who it knows, the 0600 file of hashes), ``demo`` (the demo's
people), ``store`` (codes and refresh-token families), ``attempts`` (failed sign-ins
limited), ``grants`` (Authlib's grants and tokens with the provider's rules), ``server``
(Authlib on Starlette), ``languages`` and ``pages`` (the sign-in page), ``app`` (the
endpoints), ``process`` (the local process ``./dev run`` starts).
"""

from contest_local.identity.accounts import Account, ProviderClient
from contest_local.identity.demo import demo_accounts
from contest_local.identity.process import LocalIdentity, identity_process

__all__ = ["Account", "LocalIdentity", "ProviderClient", "demo_accounts", "identity_process"]

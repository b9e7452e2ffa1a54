"""API tokens for the telephony service and the web shop: shown once when made, stored only as a hash."""
from __future__ import annotations

import secrets

from inbox import clock
from inbox.extensions import db
from inbox.models import ApiToken, Shop, User
from inbox.services import audit
from inbox.tokens import hash_token


def create(shop: Shop, name: str, *, by: User, scope: str = "imports") -> str:
    """A new token for the shop, answered in full this once. `scope`: read, write or imports (calls and orders
    only; see inbox.api.core.SCOPES). The caller commits."""
    raw = "inb_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(shop_id=shop.id, name=name.strip(), token_hash=hash_token(raw), prefix=raw[:10],
                            created_by=by.id, scope=scope))
    audit.record(shop.id, "api_token.create", actor=by, new=f"{name.strip()} ({scope})")
    return raw


def revoke(token: ApiToken, *, by: User) -> bool:
    """Stop the token working at once; False when it already had. The caller commits."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.now()
    audit.record(token.shop_id, "api_token.revoke", actor=by, old=token.name)
    return True

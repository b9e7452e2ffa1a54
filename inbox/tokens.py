"""Secrets handed out once (API tokens, invitation and password links): only their hash is stored, and a presented
token is found by hashing it again. Pure: stdlib only."""
from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """The stored form of a token: SHA-256 is enough, as tokens are long random strings, not passwords."""
    return hashlib.sha256(token.encode()).hexdigest()

"""Editor authentication: verify a Cognito (or local) JWT ourselves, on every admin request.

API Gateway's JWT authorizer checks tokens in AWS too, but the app never relies on it alone: a
local run, or a route someone forgot to protect, is still closed. Checks: RS256 signature against
the JWKS, expiry (with 30 s leeway), issuer, the app client (``client_id`` of an access token or
``aud`` of an ID token) and membership of the editors group.

PyJWT (and cryptography under it, ~25 ms) is imported at the first verification, not at cold
start: the editor function's first request is usually the editor view's page, which needs neither.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import Request

from kysy.errors import Forbidden, Unauthorized
from kysy.service.questions import Editor
from kysy.settings import Settings

if TYPE_CHECKING:
    import jwt

LEEWAY_SECONDS = 30


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._jwks_client: jwt.PyJWKClient | None = None
        self._local_keys: dict[str, jwt.PyJWK] = {}
        self._keys_loaded = False

    def _load_keys(self) -> None:
        import jwt

        if self.settings.jwks_json:
            keyset = jwt.PyJWKSet.from_dict(json.loads(self.settings.jwks_json))
            self._local_keys = {str(k.key_id): k for k in keyset.keys}
        elif self.settings.jwks_url:
            self._jwks_client = jwt.PyJWKClient(self.settings.jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._keys_loaded = True

    def _key(self, token: str) -> Any:
        import jwt

        if not self._keys_loaded:
            self._load_keys()
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as error:
            raise Unauthorized("The sign-in token is malformed. Please sign in again.") from error
        if self._local_keys:
            key = self._local_keys.get(str(kid))
            if key is None:
                raise Unauthorized("The sign-in token was not issued by this site. Please sign in again.")
            return key.key
        if self._jwks_client is None:
            raise Unauthorized("Editor sign-in is not configured for this deployment.")
        try:
            return self._jwks_client.get_signing_key(str(kid)).key
        except jwt.PyJWKClientConnectionError as error:
            from kysy.errors import Unavailable

            raise Unavailable("The sign-in service is not reachable right now.", retry_after=10) from error
        except jwt.PyJWKClientError as error:
            raise Unauthorized("The sign-in token was not issued by this site. Please sign in again.") from error

    def verify(self, token: str) -> Editor:
        if not self.settings.jwt_issuer or not self.settings.jwt_audience:
            raise Unauthorized("Editor sign-in is not configured for this deployment.")
        import jwt

        key = self._key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as error:
            raise Unauthorized("Your sign-in has expired. Please sign in again.", code="token_expired") from error
        except jwt.PyJWTError as error:
            raise Unauthorized("The sign-in token is not valid. Please sign in again.", code="invalid_token") from error
        client = claims.get("client_id") if claims.get("token_use") == "access" else claims.get("aud")
        if client != self.settings.jwt_audience:
            raise Unauthorized("The sign-in token is for another application.", code="invalid_token")
        groups = claims.get("cognito:groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            # Cognito sends a JSON array. A string would make `in` a substring test ("not-editors").
            raise Forbidden("The sign-in token's groups are not a list.", code="not_an_editor")
        if self.settings.editor_group not in groups:
            raise Forbidden(
                "Your account is not in the editors group. Ask an administrator for access.", code="not_an_editor"
            )
        return Editor(
            id=str(claims["sub"]),
            email=str(claims.get("email", "")),
            name=str(claims.get("name", claims.get("username", ""))),
        )


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Sign in as an editor to use this page.", code="not_signed_in")
    return token.strip()

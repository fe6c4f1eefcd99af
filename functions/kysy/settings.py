"""Runtime settings, read once per process (Lambda cold start) from the environment.

Every knob is an environment variable prefixed ``KYSY_`` (e.g. ``KYSY_TABLE_NAME``); the SAM
template sets them per function and ``kysy dev`` sets them for the local run.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KYSY_", extra="ignore")

    table_name: str = "kysy"
    region: str = Field(
        default="eu-north-1",
        validation_alias=AliasChoices("KYSY_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    # Any DynamoDB endpoint (moto's server, DynamoDB Local); None means the real AWS endpoint.
    dynamodb_endpoint: str | None = None

    # Comma-separated blog origins allowed to call the reader API (CORS) and to submit questions.
    # Empty means "any origin" (CORS `*`, no origin check on submissions).
    allowed_origins: str = ""
    # Unknown post ids: create the post on the first question (True) or answer 404 (False).
    auto_create_posts: bool = True

    # Submission rate limit per client (hashed source IP) and post.
    rate_limit_max: int = Field(default=5, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # Secret for hashing client IPs and signing pagination cursors; the template injects a random one.
    secret: str = "kysy-local-development-secret"  # noqa: S105 - overridden in every deployment

    # How long a shared cache (a CDN in front of the API) may keep a post's public list; browsers always
    # revalidate with the ETag (see kysy.api.reader._cache_control). 0 = no shared caching either.
    cache_max_age_seconds: int = Field(default=60, ge=0)
    idempotency_ttl_seconds: int = Field(default=3600, ge=60)
    page_size_default: int = Field(default=50, ge=1, le=100)

    # Editor authentication: JWTs from a Cognito user pool (or the local signer of `kysy dev`).
    jwt_issuer: str = ""
    jwt_audience: str = ""  # the user pool app client id
    jwks_url: str = ""
    jwks_json: str = ""  # inline JWKS (local run); takes precedence over jwks_url
    editor_group: str = "editors"
    # Cognito Hosted UI base URL (https://<prefix>.auth.<region>.amazoncognito.com) for the editor view.
    cognito_domain: str = ""

    # Public site the answers live on, for links in notification emails.
    public_base_url: str = ""

    # ---- notifications (kysy.notify; the stream notifier function and the local poller)
    # SES-verified From address for "your question was answered" emails; empty = no asker emails.
    sender_email: str = ""
    # SNS topic editors subscribe to (by email) for new-question digests; empty = none.
    new_question_topic_arn: str = ""
    # Optional incoming-webhook URL (Slack, Teams) for the same digests; http(s) only.
    webhook_url: str = ""
    # Local runs: write emails (and digests) as .eml files into this folder instead of SES/SNS.
    mail_dir: str = ""
    # Local runs: where the stream poller writes records that still fail after its retries.
    dead_letter_dir: str = ""
    # SES/SNS endpoint (moto's server in tests and local runs); None means the real AWS endpoints.
    notify_endpoint: str | None = None

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

"""Runtime settings, read once per process (Lambda cold start) from the environment.

Every knob is an environment variable prefixed ``KYSY_`` (e.g. ``KYSY_TABLE_NAME``); the SAM
template sets them per function and ``kysy dev`` sets them for the local run.

``Settings`` is a plain pydantic model that reads the environment itself (``_from_environment``):
pydantic-settings did the same for ~55 ms of imports at every cold start (dotenv, every secrets
provider), more than the reader's whole route table. The rules are the ones pydantic-settings
applies here: ``KYSY_<FIELD>`` (case-insensitive), or the names of a field's ``AliasChoices``;
keyword arguments win over the environment; list/dict fields take JSON.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any, get_origin

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

ENV_PREFIX = "KYSY_"

DEV_SECRET = "kysy-local-development-secret"  # noqa: S105 - the public local value, refused in Lambda
MIN_SECRET_CHARS = 16


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_by_name=True, validate_by_alias=True)

    table_name: str = "kysy"
    region: str = Field(
        default="eu-north-1",
        validation_alias=AliasChoices("KYSY_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"),
    )
    # Any DynamoDB endpoint (moto's server, DynamoDB Local); None means the real AWS endpoint.
    dynamodb_endpoint: str | None = None
    # Read timeout of one DynamoDB call: well below the Lambda timeout in AWS; local emulators need more.
    dynamodb_timeout_seconds: float = Field(default=2, gt=0, le=60)

    # Comma-separated blog origins allowed to call the reader API (CORS) and to submit questions.
    # Empty means "any origin" (CORS `*`, no origin check on submissions).
    allowed_origins: str = ""
    # Unknown post ids: create the post on the first question (True) or answer 404 (False).
    auto_create_posts: bool = True

    # Submission rate limit per client (hashed source IP) and post.
    rate_limit_max: int = Field(default=5, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # Questions one client may send per UTC day across all posts.
    daily_question_limit: int = Field(default=20, ge=1)
    # Posts readers' questions may create (auto-create) per UTC day: per client, and in total.
    new_posts_per_client_per_day: int = Field(default=3, ge=0)
    new_posts_per_day: int = Field(default=20, ge=0)
    # Search gaps ("what readers could not find") one client may report per UTC day; more are not counted.
    gap_reports_per_day: int = Field(default=30, ge=1)
    # Secret for hashing client IPs and addresses and signing cursors; the template injects a random one.
    # Inside Lambda the public development value (or a short one) is refused at start.
    secret: str = DEV_SECRET

    # ---- search index (kysy.service.search_index): snapshots in S3, change log in the table
    # Bucket holding the index snapshots (the template creates it; `kysy dev` and tests use moto).
    search_bucket: str = "kysy-search"
    # S3 endpoint (moto's server locally and in tests); None means the real AWS endpoint.
    s3_endpoint: str | None = None
    # How often a search environment looks for index changes (one GetItem), at most.
    search_refresh_seconds: float = Field(default=1.0, ge=0)

    # ---- privacy
    # Days an asker's address (given with consent) is kept at most, also when never used.
    email_retention_days: int = Field(default=180, ge=1, le=3650)
    # How long an editor can undo a bulk rejection.
    bulk_undo_seconds: int = Field(default=86_400, ge=60, le=30 * 86_400)

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

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = set(data)
        return {**{k: v for k, v in _environment_values(cls).items() if not given & _names(cls, k)}, **data}

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]

    @property
    def asker_emails_on(self) -> bool:
        """Whether anyone will ever email askers: SES sender configured, or the local outbox."""
        return bool(self.sender_email or self.mail_dir)

    @property
    def email_retention_seconds(self) -> int:
        return self.email_retention_days * 86_400

    @model_validator(mode="after")
    def _no_public_secret_in_lambda(self) -> Settings:
        """A deployment with the public development secret has forgeable cursors and reversible hashes."""
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and (
            self.secret == DEV_SECRET or len(self.secret) < MIN_SECRET_CHARS
        ):
            raise ValueError(
                "KYSY_SECRET is missing, the public development value, or shorter than "
                f"{MIN_SECRET_CHARS} characters. Set it to a long random value (the SAM template injects one "
                "from Secrets Manager); Kysy refuses to run in Lambda without it."
            )
        return self


def _env_names(model: type[BaseModel], name: str) -> list[str]:
    alias = model.model_fields[name].validation_alias
    return [str(a) for a in alias.choices] if isinstance(alias, AliasChoices) else [f"{ENV_PREFIX}{name}"]


def _names(model: type[BaseModel], name: str) -> set[str]:
    """Every key a caller may pass for the field: its name and its aliases."""
    return {name, *(_env_names(model, name) if model.model_fields[name].validation_alias else ())}


def _environment_values(model: type[BaseModel]) -> dict[str, Any]:
    """Each field's value from the environment, keyed by field name."""
    environ = {k.upper(): v for k, v in os.environ.items()}
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        for env_name in _env_names(model, name):
            raw = environ.get(env_name.upper())
            if raw is not None:
                structured = get_origin(field.annotation) in (list, dict, set, tuple)
                values[name] = json.loads(raw) if structured else raw
                break
    return values


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

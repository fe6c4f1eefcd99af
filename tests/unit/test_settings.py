"""Settings read the environment the way pydantic-settings did (KYSY_ prefix, aliases, overrides)."""

from __future__ import annotations

import pytest

from kysy.settings import Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.upper().startswith("KYSY_") or name in {"AWS_REGION", "AWS_DEFAULT_REGION"}:
            monkeypatch.delenv(name)
    return monkeypatch


def test_reads_prefixed_variables_case_insensitively(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KYSY_RATE_LIMIT_MAX", "9")
    clean_env.setenv("kysy_table_name", "t1")
    clean_env.setenv("KYSY_AUTO_CREATE_POSTS", "false")
    settings = Settings()
    assert (settings.rate_limit_max, settings.table_name, settings.auto_create_posts) == (9, "t1", False)


def test_region_aliases_in_order_and_keyword_arguments_win(clean_env: pytest.MonkeyPatch) -> None:
    assert Settings().region == "eu-north-1"
    clean_env.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert Settings().region == "eu-west-1"
    clean_env.setenv("AWS_REGION", "us-east-1")
    assert Settings().region == "us-east-1"
    clean_env.setenv("KYSY_REGION", "eu-central-1")
    assert Settings().region == "eu-central-1"
    assert Settings(region="ap-south-1").region == "ap-south-1"
    clean_env.setenv("KYSY_TABLE_NAME", "from-env")
    assert Settings(table_name="given").table_name == "given"


def test_invalid_values_are_refused(clean_env: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    clean_env.setenv("KYSY_RATE_LIMIT_MAX", "0")
    with pytest.raises(ValidationError):
        Settings()

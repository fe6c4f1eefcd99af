"""The smaller holes, each closed: format characters, the public secret in Lambda, group claims,
chat-digest escaping, spam heuristics, and client timeouts that fit inside the Lambda timeout."""

from __future__ import annotations

import pytest

from kysy import errors
from kysy.notify.channels import WebhookDigest, escape_slack, escape_teams, webhook_flavour
from kysy.notify.messages import digest_text
from kysy.service import validation
from kysy.service.spam import spam_flags
from kysy.settings import DEV_SECRET, Settings
from kysy.text import clean_text
from tests.iam import load_template


# ------------------------------------------------------------------------------ format characters
@pytest.mark.parametrize(
    "invisible", ["\u202e\u202e\u202e", "\u2060\u2060\u2060\u2060", "\u200b \u200b\u200b", "\ufeff" * 5]
)
def test_format_only_questions_are_too_short(invisible):
    with pytest.raises(errors.ValidationFailed, match="at least"):
        validation.question(invisible)


def test_bidi_overrides_are_stripped_but_emoji_joiners_kept():
    assert clean_text("Miksi\u202e ?kysymys\u202c") == "Miksi ?kysymys"
    assert clean_text("sana\u2060liitos\u00adtavu") == "sanaliitostavu"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_text(f"Perhe {family}?") == f"Perhe {family}?"
    assert clean_text("\u200dalussa") == "alussa"  # a joiner joining nothing goes


# ---------------------------------------------------------------------------------------- secret
def test_settings_refuse_the_public_secret_inside_lambda(monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "kysy-reader")
    monkeypatch.delenv("KYSY_SECRET", raising=False)
    with pytest.raises(ValueError, match="KYSY_SECRET"):
        Settings()
    with pytest.raises(ValueError, match="KYSY_SECRET"):
        Settings(secret="short")
    assert Settings(secret="x" * 48).secret == "x" * 48


def test_outside_lambda_the_development_secret_is_allowed(monkeypatch):
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.delenv("KYSY_SECRET", raising=False)
    assert Settings().secret == DEV_SECRET


# ------------------------------------------------------------------------------------ group claim
@pytest.mark.parametrize(
    ("groups", "allowed"),
    [(["editors"], True), (["readers", "editors"], True), ("editors", False), ("not-editors", False), (None, False)],
)
def test_the_editors_group_claim_must_be_a_list_containing_it(groups, allowed):
    from kysy.api.auth import TokenVerifier
    from kysy.localauth import LocalSigner

    signer = LocalSigner.ephemeral(issuer="https://issuer.example")
    settings = Settings(
        jwks_json=__import__("json").dumps(signer.jwks()), jwt_issuer=signer.issuer, jwt_audience=signer.audience
    )
    token = signer.token(**{"cognito:groups": groups})
    verifier = TokenVerifier(settings)
    if allowed:
        assert verifier.verify(token).email == "editor@example.com"
    else:
        with pytest.raises(errors.Forbidden):
            verifier.verify(token)


# ------------------------------------------------------------------------------- chat escaping
HOSTILE = "<!channel> please read <https://evil.example|your bank> & [click](https://evil.example) *now*"


def test_slack_text_cannot_mention_or_disguise_links():
    text = escape_slack(HOSTILE)
    assert "<" not in text
    assert ">" not in text
    assert "&lt;!channel&gt;" in text
    assert "&lt;https://evil.example|your bank&gt;" in text
    assert "&amp;" in text


def test_teams_text_cannot_form_markdown_links_or_html():
    text = escape_teams(HOSTILE)
    assert "[click](" not in text
    assert "\\[click\\]\\(https://evil.example\\)" in text
    assert "<" not in text
    assert "\\*now\\*" in text


def test_webhook_digest_escapes_reader_text_for_its_flavour():
    from kysy.ids import new_id
    from kysy.models import QA

    digest = digest_text([QA(post_id="p", id=new_id(), question=HOSTILE)], "https://kysy.example.com")
    slack = WebhookDigest("https://hooks.slack.com/services/T/B/x").text(digest)
    teams = WebhookDigest("https://acme.webhook.office.com/webhookb2/x").text(digest)
    assert slack.startswith("*Kysy: 1 new question*\n")
    assert "<!channel>" not in slack
    assert "&lt;!channel&gt;" in slack
    assert "https://kysy.example.com/editor/" in slack  # Kysy's own link stays usable
    assert teams.startswith("**Kysy: 1 new question**\n")
    assert "[click](" not in teams
    assert (webhook_flavour("https://x.logic.azure.com/w"), webhook_flavour("https://chat.example/hook")) == (
        "teams",
        "slack",
    )


# ------------------------------------------------------------------------------------------- spam
@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Katso https://a.example ja https://b.example nyt?", "links"),
        ("www.spam.example", "links"),
        ("Tarvitsetko pikavippiä heti tänään?", "spam_phrase"),
        ("Best online casino, buy now?", "spam_phrase"),
        ("MIKSI ETTE VASTAA KYSYMYKSIINI KOSKAAN?", "caps"),
        ("Haloooooooo onko ketään?", "repeated"),
        ("spam spam spam spam spam spam kysymys?", "repeated"),
        ("Ota yhteyttä WhatsApp +358 40 123 4567", "contact"),
    ],
)
def test_spam_heuristics_flag(text, flag):
    assert flag in spam_flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "Miten mittaatte somen vaikutusta myyntiin?",
        "Is LinkedIn better than X for B2B in 2026?",
        "Kannattaako yrityksen blogissa käyttää videoita, ja jos kannattaa, kuinka pitkiä?",
        "What does https://example.com/guide say about GDPR?",
        "EU:n GDPR ja IT-tuki: mitä pk-yrityksen pitää tehdä?",
    ],
)
def test_ordinary_questions_are_not_flagged(text):
    assert spam_flags(text) == ()


# ---------------------------------------------------------------------------------------- timeouts
def test_client_timeouts_fit_inside_the_lambda_timeout():
    from kysy.repository.aws import CLIENT_CONFIG as NOTIFY_CONFIG
    from kysy.repository.dynamo import client_config

    template = load_template()
    default_timeout = template["Globals"]["Function"]["Timeout"]
    notifier_timeout = template["Resources"]["NotifierFunction"]["Properties"].get("Timeout", default_timeout)

    def worst_case(config: object) -> float:
        """Every attempt times out, plus botocore's standard-mode back-off (at most 2**i s after
        attempt i, capped at 20 s)."""
        connect = float(config.connect_timeout)  # type: ignore[attr-defined]
        read = float(config.read_timeout)  # type: ignore[attr-defined]
        attempts = int(config.retries["total_max_attempts"])  # type: ignore[attr-defined]
        return attempts * (connect + read) + sum(min(2**i, 20) for i in range(attempts - 1))

    # Kysy answers 503 itself (with Retry-After) before Lambda would kill the request.
    aws_default = Settings.model_fields["dynamodb_timeout_seconds"].default
    assert worst_case(client_config(aws_default)) < default_timeout
    assert worst_case(NOTIFY_CONFIG) < notifier_timeout


# ------------------------------------------------------------------------------- stream filter
def _matches(pattern: object, event: object) -> bool:
    """Lambda event-filter semantics for the forms the template uses: nested objects, lists of
    allowed literals, and ``{"prefix": ...}``."""
    if isinstance(pattern, dict):
        return isinstance(event, dict) and all(k in event and _matches(v, event[k]) for k, v in pattern.items())
    assert isinstance(pattern, list)
    for allowed in pattern:
        if isinstance(allowed, dict) and "prefix" in allowed:
            if isinstance(event, str) and event.startswith(allowed["prefix"]):
                return True
        elif event == allowed:
            return True
    return False


@pytest.mark.parametrize(
    ("event_name", "pk", "sk", "delivered"),
    [
        ("INSERT", "ASK#post", "QA#01J0", True),
        ("MODIFY", "POST#post", "QA#01J0", True),
        ("REMOVE", "ASK#post", "QA#01J0", False),
        ("INSERT", "SUBJECT#abc", "QA#post#01J0", False),  # a look-up item's SK starts with QA# too
        ("INSERT", "EMAIL#01J0", "EMAIL", False),
        ("MODIFY", "COUNTS", "POST#post", False),
        ("INSERT", "RATE#c", "D#20260101", False),
    ],
)
def test_the_notifier_receives_only_question_records(event_name, pk, sk, delivered):
    import json

    events = load_template()["Resources"]["NotifierFunction"]["Properties"]["Events"]
    [pattern] = [f["Pattern"] for f in events["TableStream"]["Properties"]["FilterCriteria"]["Filters"]]
    record = {"eventName": event_name, "dynamodb": {"Keys": {"PK": {"S": pk}, "SK": {"S": sk}}}}
    assert _matches(json.loads(pattern), record) is delivered


def test_special_use_domains_copied_from_email_validator_are_current() -> None:
    """The contract's email pattern copies the library's list (so a cold start need not import it)."""
    import email_validator

    assert tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES) == validation.SPECIAL_USE_DOMAIN_NAMES

"""Where notifications go: SES or an outbox folder for asker emails; SNS, a webhook or the outbox
for editor digests. Failures become ``DeliveryFailed`` whose message never contains an address."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from kysy.notify.messages import Digest
from kysy.repository.aws import AwsCallFailed, aws_client, call

__all__ = ["DeliveryFailed", "SesMailer", "SnsDigest", "WebhookDigest", "aws_client"]

WEBHOOK_TIMEOUT_SECONDS = 5


class DeliveryFailed(Exception):
    """A send failed. The message names the channel and an error code, never a recipient."""


# ------------------------------------------------------------------------------------ asker mail
class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SesMailer:
    """Amazon SES v2 ``SendEmail`` with the raw MIME message (the same bytes the outbox writes)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def send(self, message: EmailMessage) -> None:
        try:
            call(
                self.client.send_email,
                FromEmailAddress=str(message["From"]),
                Destination={"ToAddresses": [str(message["To"])]},
                Content={"Raw": {"Data": message.as_bytes(policy=SMTP)}},
            )
        except AwsCallFailed as error:
            # `from None`: SES messages can quote the addresses; keep them out of tracebacks and logs.
            raise DeliveryFailed(f"SES did not accept the email ({error.code})") from None


class OutboxMailer:
    """Local runs: every email becomes an .eml file in a folder (open it in any mail client)."""

    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.folder = folder
        self.prefix = prefix
        self._lock = threading.Lock()
        self._n = 0

    def send(self, message: EmailMessage) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with self._lock:
                self._n += 1
                name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.time_ns() % 10**9:09d}-{self._n:04d}.eml"
            (self.folder / f"{self.prefix}{name}").write_bytes(message.as_bytes())
        except OSError as error:
            raise DeliveryFailed(f"Outbox not writable ({type(error).__name__})") from None


# ------------------------------------------------------------------------------- editor digests
class DigestChannel(Protocol):
    name: str

    def publish(self, digest: Digest) -> None: ...


class SnsDigest:
    name = "sns"

    def __init__(self, client: Any, topic_arn: str) -> None:
        self.client = client
        self.topic_arn = topic_arn

    def publish(self, digest: Digest) -> None:
        try:
            call(self.client.publish, TopicArn=self.topic_arn, Subject=digest.subject[:99], Message=digest.text)
        except AwsCallFailed as error:
            raise DeliveryFailed(f"SNS publish failed ({error.code})") from None


def valid_webhook_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


_TEAMS_HOSTS = (".webhook.office.com", "outlook.office.com", ".logic.azure.com", ".powerplatform.com")
# Teams renders Markdown (and a little HTML) in `text`: every character that starts markup is escaped.
_TEAMS_SPECIAL = re.compile(r"([\\`*_\[\]()#|~])")


def webhook_flavour(url: str) -> str:
    """``teams`` for Microsoft Teams/Power Automate webhooks; else ``slack`` (Slack and look-alikes)."""
    host = (urlsplit(url).hostname or "").lower()
    return "teams" if host.endswith(_TEAMS_HOSTS) or host in {h.lstrip(".") for h in _TEAMS_HOSTS} else "slack"


def escape_slack(text: str) -> str:
    """Slack's rule for message text: escape ``&``, ``<`` and ``>`` (in that order). Then reader text
    cannot form ``<!channel>``, ``<@U123>`` mentions or ``<https://evil|innocent>`` disguised links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_teams(text: str) -> str:
    """Teams: HTML-escape ``& < >`` and backslash-escape Markdown, so reader text stays literal text
    (no ``[disguised](links)``, no headings, no mentions via ``<at>``)."""
    html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _TEAMS_SPECIAL.sub(r"\\\1", html)


class WebhookDigest:
    """Slack/Teams incoming webhook: POST ``{"text": ...}``, 5 s timeout, http(s) only.

    Everything in the digest that came from readers (question excerpts, post ids) is escaped for
    the target's markup; only the bold subject line is Kysy's own markup.
    """

    name = "webhook"

    def __init__(self, url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        if not valid_webhook_url(url):
            raise ValueError("The webhook URL must be an http(s) URL.")
        self.url = url
        self.timeout = timeout
        self.flavour = webhook_flavour(url)

    def text(self, digest: Digest) -> str:
        escape = escape_teams if self.flavour == "teams" else escape_slack
        bold = f"**{escape(digest.subject)}**" if self.flavour == "teams" else f"*{escape(digest.subject)}*"
        return f"{bold}\n{escape(digest.text)}"

    def publish(self, digest: Digest) -> None:
        body = json.dumps({"text": self.text(digest)}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked to be http(s) in __init__
            self.url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - see above
                status = int(response.status)
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"Webhook answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:  # includes timeouts
            raise DeliveryFailed(f"Webhook not reachable ({type(error).__name__})") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"Webhook answered HTTP {status}")


class OutboxDigest:
    """Local runs: the digest as an .eml file next to the asker emails."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str) -> None:
        self.mailer = OutboxMailer(folder, prefix="digest-")
        self.sender = sender

    def publish(self, digest: Digest) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = "editors@localhost"
        message["Subject"] = digest.subject
        message.set_content(digest.text)
        self.mailer.send(message)

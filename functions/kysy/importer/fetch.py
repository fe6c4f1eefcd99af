"""Fetch one web page for ``kysy import https://...``, safely.

Only http and https; a size cap and timeouts; no credentials in the URL. The host is resolved
once and EVERY address it resolves to must be public: loopback, private, link-local, multicast
and reserved ranges are refused, and the connection goes to the address that was checked (so a
second DNS answer cannot point it elsewhere). Redirects are followed by hand, at most five, each
checked the same way. Loopback can be allowed for tests and local use only
(``KYSY_IMPORT_ALLOW_LOOPBACK=1``); private ranges never.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from kysy.importer.model import ImportFailed
from kysy.importer.optional import needs
from kysy.importer.source import MAX_BYTES

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
DEADLINE = 60.0  # seconds for the whole fetch, redirects included
MAX_REDIRECTS = 5
USER_AGENT = "kysy-import/1 (+https://github.com/kysy)"
ALLOW_LOOPBACK_ENV = "KYSY_IMPORT_ALLOW_LOOPBACK"


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    content_type: str


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def loopback_allowed() -> bool:
    return os.environ.get(ALLOW_LOOPBACK_ENV, "").lower() in ("1", "true", "yes")


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def resolve(host: str, port: int, *, allow_loopback: bool) -> str:
    """The address to connect to, after checking every address the host resolves to."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ImportFailed("fetch_failed", f"The host {host!r} could not be resolved ({error}).") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if not _allowed(address, allow_loopback):
            raise ImportFailed(
                "address_not_allowed",
                f"{host} resolves to {address}, a local or private address: only public web pages are fetched.",
            )
    if not addresses:
        raise ImportFailed("fetch_failed", f"The host {host!r} has no address.")
    return addresses[0]


def fetch(url: str, *, allow_loopback: bool | None = None, max_bytes: int = MAX_BYTES) -> Fetched:
    with needs("urllib3"):
        import urllib3
    allow = loopback_allowed() if allow_loopback is None else allow_loopback
    deadline = time.monotonic() + DEADLINE
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ImportFailed("bad_url", f"Only http and https addresses can be imported, not {url!r}.")
        if parts.username or parts.password:
            raise ImportFailed("bad_url", "Addresses with a user name or password are not fetched.")
        port = parts.port or (443 if scheme == "https" else 80)
        address = resolve(parts.hostname, port, allow_loopback=allow)
        default_port = port == (443 if scheme == "https" else 80)
        host_header = parts.hostname if default_port else f"{parts.hostname}:{port}"
        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=parts.hostname,
                assert_hostname=parts.hostname,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={
                    "Host": host_header,
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,text/markdown,text/plain;q=0.9,*/*;q=0.1",
                },
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as error:
            raise ImportFailed("fetch_failed", f"Fetching {url} failed: {error}") from None
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise ImportFailed("fetch_failed", f"{url} redirects without saying where.")
                url = urljoin(url, location)
                continue
            if response.status >= 400:
                raise ImportFailed("fetch_failed", f"{url} answered HTTP {response.status}.")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, max_bytes)
            body = bytearray()
            for chunk in response.stream(64 * 1024, decode_content=True):
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise _too_large(url, max_bytes)
                if time.monotonic() > deadline:
                    raise ImportFailed("fetch_failed", f"Fetching {url} took too long.")
            return Fetched(url, bytes(body), response.headers.get("Content-Type", ""))
        except urllib3.exceptions.HTTPError as error:
            raise ImportFailed("fetch_failed", f"Fetching {url} failed: {error}") from None
        finally:
            response.release_conn()
    raise ImportFailed("fetch_failed", f"{url} redirects more than {MAX_REDIRECTS} times.")


def _too_large(url: str, max_bytes: int) -> ImportFailed:
    return ImportFailed("too_large", f"{url} is larger than {max_bytes / 1_000_000:.1f} MB: not a blog post.")


def format_of(content_type: str, url: str) -> str:
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/markdown", "text/x-markdown") or url.lower().endswith((".md", ".markdown")):
        return "md"
    if kind == "text/plain" or url.lower().endswith(".txt"):
        return "txt"
    return "html"


def slug_of(url: str) -> str:
    """A post id from the URL's last path segment ("/blog/my-post/" -> "my-post")."""
    import re
    from urllib.parse import unquote

    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    last = segments[-1] if segments else urlsplit(url).hostname or "post"
    last = re.sub(r"\.(html?|php|aspx?|md|txt)$", "", last.lower())
    return re.sub(r"[^\w~-]+|_", "-", last).strip("-.")[:80] or "post"

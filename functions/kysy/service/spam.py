"""Cheap signs that a question is spam. They only FLAG a question for editors (it still waits in the
queue like any other); nothing a reader sends is dropped because of them.

Flags (machine codes, shown to editors and filterable in the queue):

* ``links``        two or more links (or one link and almost nothing else)
* ``spam_phrase``  a phrase typical of spam, Finnish or English (casino, "buy now", pikavippi ...)
* ``caps``         shouting: mostly capital letters
* ``repeated``     the same character or word over and over
* ``contact``      asks readers to reach someone elsewhere (phone numbers, messaging apps)
"""

from __future__ import annotations

import re

LINKS = "links"
SPAM_PHRASE = "spam_phrase"
CAPS = "caps"
REPEATED = "repeated"
CONTACT = "contact"
FLAGS = (LINKS, SPAM_PHRASE, CAPS, REPEATED, CONTACT)

_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|net|org|ru|xyz|top|info|biz|io|fi|shop|site)\b/?\S*", re.I)
_PHRASES = re.compile(
    r"\b(?:"
    # English
    r"buy now|order now|click here|limited offer|free money|make money|earn \$?\d+|work from home|"
    r"casino|viagra|cialis|porn|xxx|escort|crypto ?currency|bitcoin|forex|binary options|payday loan|"
    r"cheap (?:pills|meds|loans?)|seo services?|backlinks?|guest post(?:ing)?|increase your (?:traffic|sales)|"
    r"weight loss|diet pills|replica watches|dating site|hot singles|"
    # Finnish
    r"osta nyt|tilaa nyt|klikkaa tästä|napsauta tästä|ilmaista rahaa|tienaa (?:rahaa|\d+)|"
    r"pikavippi\w*|pikalaina\w*|vippi\w*|kasino\w*|nettikasino\w*|laihdutus\w*|halpoja lääkkeitä|"
    r"seksi\w*|deittisivu\w*|sijoitusvinkki\w*|kryptovaluut\w*"
    r")\b",
    re.I,
)
_CONTACT = re.compile(r"\b(?:whats ?app|telegram|wechat|signal me|dm me|call me)\b|\+?\d[\d \-]{8,}\d", re.I)
_REPEATED_CHAR = re.compile(r"(.)\1{5,}")
_WORD = re.compile(r"\w+", re.UNICODE)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 12:
        return False
    upper = sum(1 for c in letters if c.isupper())
    return upper / len(letters) >= 0.7


def _repeated(text: str) -> bool:
    if _REPEATED_CHAR.search(text):
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 6:
        return False
    most = max(words.count(w) for w in set(words))
    return most >= 4 and most / len(words) >= 0.4


def spam_flags(question: str, name: str = "") -> tuple[str, ...]:
    """The flags for a reader's question (and name), in a stable order; empty when it looks fine."""
    text = f"{name}\n{question}" if name else question
    flags: list[str] = []
    links = _URL.findall(text)
    words = _WORD.findall(_URL.sub(" ", question))
    if len(links) >= 2 or (links and len(words) < 4):
        flags.append(LINKS)
    if _PHRASES.search(text):
        flags.append(SPAM_PHRASE)
    if _shouting(_URL.sub(" ", question)):
        flags.append(CAPS)
    if _repeated(question):
        flags.append(REPEATED)
    if _CONTACT.search(text):
        flags.append(CONTACT)
    return tuple(flags)

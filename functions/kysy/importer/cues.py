"""What words say about a paragraph, in Finnish and English: does it ask, request, close the post?

General language knowledge only (question words, imperative request verbs, the ways people
thank, sign off and wrap up). Structure decides first; these cues break ties and score plain
text. No phrase here is taken from a particular post.
"""

from __future__ import annotations

import re

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TRAILER = re.compile(r"(?:\s*(?:[:;]-?[)(DP]|[)\]\"'”’»…]|\.{3}))+$")

# fmt: off
INTERROGATIVES = frozenset((
    "how", "what", "why", "when", "where", "which", "who", "whom", "whose", "is", "are", "am", "was", "were",
    "can", "could", "do", "does", "did", "should", "would", "will", "shall", "may", "might", "has", "have",
    "had", "any", "isn't", "aren't", "can't", "don't", "doesn't", "won't", "wouldn't", "shouldn't", "must",
    "miten", "mitä", "miksi", "milloin", "missä", "mistä", "mihin", "mikä", "mitkä", "kuka", "ketkä", "kenen",
    "keneltä", "kenelle", "kuinka", "millainen", "millaista", "millaiset", "millaisia", "millaisena",
    "minkälainen", "minkälaista", "minkä", "paljonko", "montako", "monessako", "kumpi", "kummalla", "mille",
    "millä", "mitkä", "mikäli",
))
# Imperative requests that make a heading or label a question without a question mark.
REQUESTS = frozenset((
    "tell", "explain", "describe", "share", "clarify", "elaborate", "please", "walk", "comment", "compare",
    "define", "list", "recommend", "suggest", "give",
    "kerro", "kertokaa", "kertoisitko", "kertoisitteko", "selitä", "selittäkää", "kuvaile", "kuvailkaa",
    "avaa", "avatkaa", "avaisitko", "avaisitteko", "vertaa", "verratkaa", "suosittele", "suositelkaa",
    "antakaa", "esittele", "esitelkää", "perustele", "perustelkaa", "kommentoi", "kommentoikaa",
))
ANSWER_OPENERS = (
    "yes", "no,", "no.", "no!", "sure", "absolutely", "definitely", "certainly", "of course", "good question",
    "great question", "good point", "thanks for asking", "thanks for the question",
    "kyllä", "ei,", "ei.", "ei!", "hyvä kysymys", "hyvä pointti", "kiitos kysymyksestä", "ehdottomasti",
    "totta kai", "tietysti", "toki", "riippuu", "it depends",
)
_THANKS = re.compile(r"\b(?:thank(?:s| you)?|kiito(?:s|kset|ksia)|kiitä\w*|kiittä\w*|kiitän|kiitämme)\b", re.I)
_COLLECTIVE = re.compile(
    r"\b(?:every(?:one|body)|all\b|all of you|y'?all|folks|kaik\w*|jokaise\w*|osallistu\w*|participants?|"
    r"attendees?|audience|listeners?|readers?|kuulij\w*|lukij\w*|katsoj\w*)", re.I,
)
_META = re.compile(
    r"\b(?:questions?|q&a|ama|webinars?|sessions?|events?|episodes?|streams?|office hours|meetups?|"
    r"kysymy\w*|kysy(?:mään|jille|neille)\w*|webinaar\w*|tilaisuu\w*|tapahtum\w*|jakso\w*|lähetyks\w*|"
    r"ill(?:an|assa|aan)|aamupäiv\w*|koulutuks\w*)\b", re.I,
)
_FUTURE = re.compile(
    r"\b(?:next|upcoming|later this|another|soon|see you|stay tuned|until next|"
    r"seuraava\w*|ensi\b|ensi kerra\w*|tuleva\w*|jatka(?:mme|taan)\b|uudestaan|uudelleen|taas\b|nähdään|"
    r"pian\b|syksyllä|keväällä|kesällä|talvella|in the (?:autumn|fall|spring|summer|winter)|after the summer)",
    re.I,
)
_WRAP_UP = re.compile(
    r"\b(?:that'?s (?:all|it|everything|a wrap)|that was (?:all|it|everything)|wrapping up|to wrap up|"
    r"in closing|to sum up|in summary|for now|for this time|this round|"
    r"siinä (?:kaikki|olivat|oli|tällä kertaa)|tässä (?:kaikki|tällä kertaa)|tällä kertaa|lopuksi|"
    r"yhteenvetona|näillä eväillä)",
    re.I,
)
_CONTACT = re.compile(
    r"\b(?:contact us|get in touch|drop us|write to us|reach out|let us know|email us|send us|"
    r"ota (?:meihin )?yhteyttä|soita meille|lähetä (?:meille )?viesti|kirjoita meille|laita viesti)", re.I,
)
# "Still have questions?", "Puuttuiko jotain?": the post hands over to the reader.
_LEFTOVER = re.compile(
    r"\b(?:(?:still|more|other|further|additional|any other|remaining) questions|questions (?:we|i) did(?:n't| not)|"
    r"did(?:n't| not) (?:find|see|cover)|could(?:n't| not) find|not (?:covered|answered) here|"
    r"(?:did(?:n't| not)|have(?:n't| not)|was(?:n't| not)) (?:we )?answer\w*|"
    r"muita kysymyksiä|lisäkysymyksiä|lisää kysyttävää|kysyttävää|jäikö|puuttuiko|"
    r"(?:emme|emmekö|ei|eikö)\b.{0,40}\b(?:vastanneet|vastannut|löytynyt|löytänyt|käsitelty)|askarrutta\w*)",
    re.I,
)
_INVITE = re.compile(
    r"\b(?:come and|come by|join us|say hi|say hello|see you|meet us|keep (?:the|your|those) \w+ coming|"
    r"send (?:us )?(?:your|more) \w+|ask (?:us )?more|tervetuloa|tulkaa|tule mukaan|tule moikkaamaan|nähdään|"
    r"moikataan|lähetä (?:oma |omat )?kysymyk\w*|lähettäkää \w+|kysykää lisää)",
    re.I,
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()-]{6,}\d")
# The intro points at what follows: "below are the questions", "alle on koottu", "tässä vastaukset".
_POINTER = re.compile(
    r"\b(?:below|here are|here is|here's|in this post|we answer\w*|we collected|we gathered|we picked|"
    r"alla|alle|tässä|seuraavassa|kokosimme|koottu|kerätty|keräsimme|poimimme|vastaamme|vastasimme|vastaukset)\b",
    re.I,
)
_SIGN_OFF_WORDS = re.compile(
    r"^(?:(?:kind |best |warm |many )?regards|best(?: wishes)?|cheers|thanks|all the best|yours|sincerely|"
    r"(?:ystävällisin |parhain |lämpimin |aurinkoisin )?terveisin|terveisin|t\.|toivottaa|hyvää (?:syksyä|kevättä|"
    r"kesää|talvea|viikonloppua|jatkoa))\b",
    re.I,
)
_TEAM = re.compile(r"\b(?:team|crew|staff|editors?|tiimi\w*|toimitus|porukka|väki)\b", re.I)
_NOT_CLITIC = frozenset(("koko", "jouko", "marko", "ranko", "tokko", "loko", "ruoko", "neko", "haiku"))
_ANON = frozenset(("anonymous", "anon", "anonyymi", "nimetön", "tuntematon", "unknown", "guest", "vieras"))
# fmt: on


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def core(text: str) -> str:
    """The text without trailing smileys, quotes and ellipses."""
    return _TRAILER.sub("", text.strip())


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(core(text)) if s]


def opens_as_question(sentence: str) -> bool:
    """A sentence that starts like a question: a question word, or a Finnish verb with -ko/-kö."""
    first = words(sentence[:40])[:1]
    if not first:
        return False
    word = first[0]
    if word in INTERROGATIVES or re.split("['’]", word)[0] in INTERROGATIVES:
        return True
    return (
        len(word) >= 4 and word.endswith(("ko", "kö")) and not word.endswith(("kko", "kkö")) and word not in _NOT_CLITIC
    )


def is_request(text: str) -> bool:
    """An imperative request ("Tell us about...", "Kerro lisää...") asks without a question mark."""
    first = words(text[:40])[:2]
    if not first:
        return False
    if first[0] in REQUESTS:
        return first[0] != "please" or len(first) > 1
    return False


def asks(text: str) -> bool:
    """The text is phrased as a question or a request (with or without a question mark)."""
    stripped = core(text)
    return "?" in stripped or is_request(stripped) or any(opens_as_question(s) for s in sentences(stripped))


def question_score(text: str) -> float:
    """Log-odds-like evidence that a paragraph is a question (positive) rather than an answer."""
    stripped = core(text)
    length = len(text)
    parts = sentences(text)
    asking = sum(1.0 if s.rstrip().endswith("?") else 0.5 if opens_as_question(s) else 0.0 for s in parts)
    score: float = 2.5 if stripped.endswith("?") else 0.0
    score += 1.5 * asking / max(1, len(parts))
    short = 1.5 if length <= 120 else 0.75 if length <= 250 else 0.0
    score += short if "?" in text else short / 3  # short and asking, not just short
    if length > 550:
        score -= 2.0
    elif length > 400:
        score -= 1.0
    if "?" not in text:  # asks nothing in writing: a question only if its neighbours say so
        score -= 1.25 if length > 300 else 0.75
    if opens_as_question(stripped) or is_request(stripped):
        score += 0.75
    if stripped.lower().startswith(ANSWER_OPENERS):
        score -= 1.5
    last_asking = max((i for i, s in enumerate(parts) if s.rstrip().endswith("?")), default=-1)
    if 0 <= last_asking < len(parts) - 1:
        after = parts[last_asking + 1 :]
        if after[0].lower().startswith(ANSWER_OPENERS) or len(after) >= 2 or len(words(after[0])) <= 3:
            score -= 2.0  # the paragraph answers its own question: an answer that asks rhetorically
    return score


def is_anonymous(name: str) -> bool:
    return name.strip().lower().rstrip(".") in _ANON


def is_sign_off(text: str) -> bool:
    """A closing signature: "— Sara", "Terveisin, Mervi", "Anna & the product team"."""
    stripped = text.strip()
    if not stripped or len(stripped) > 80 or "?" in stripped:
        return False
    if stripped[0] in "—–-~" and len(words(stripped)) <= 8:
        return True
    if _SIGN_OFF_WORDS.match(stripped):
        return len(words(stripped)) <= 8
    tokens = stripped.replace(",", " ").split()
    if len(tokens) > 7 or stripped.endswith((".", "!", ":", ";")):
        return False
    names = [t for t in tokens if t[:1].isupper()]
    joiners = {"&", "and", "ja", "sekä", "+", "/"}
    if _TEAM.search(stripped) and (names or "&" in tokens):
        return True
    return bool(names) and all(t[:1].isupper() or t.lower() in joiners or t[:1] in "(&" for t in tokens)


def closing_score(text: str) -> float:
    """Evidence that a paragraph closes the post (thanks, wrap-up, what comes next) rather than answers."""
    score = 0.0
    if _THANKS.search(text):
        score += 2.0
    score += min(2.0, (1.0 if _COLLECTIVE.search(text) else 0.0) + (1.0 if _META.search(text) else 0.0))
    if _FUTURE.search(text):
        score += 1.5
    if _WRAP_UP.search(text):
        score += 2.0
    if _CONTACT.search(text):
        score += 1.0
    if _LEFTOVER.search(text):
        score += 1.5
    if _INVITE.search(text):
        score += 1.0
    if _ADDRESS.search(text) and len(text) <= 200:
        score += 1.0
    if "!" in text:
        score += 0.5
    if len(text) > 400:
        score -= 1.5
    if core(text).lower().startswith(ANSWER_OPENERS):
        score -= 2.0
    return score


def intro_score(text: str) -> float:
    """Evidence that a paragraph introduces the post's questions rather than answers one."""
    score = 0.0
    if _POINTER.search(text):
        score += 1.0
    if _META.search(text):
        score += 1.0
    if _COLLECTIVE.search(text):
        score += 0.5
    return score

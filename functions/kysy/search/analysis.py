"""Text analysis: normalisation, tokenisation, stop words and Snowball stemming per language.

Documents are analysed with the analyser of their own language; a query whose language is unknown is
analysed with every language present in the index, because a reader may type Finnish into an English
post's widget (and brand names are shared). Unknown languages get a language-neutral analyser that only
normalises (NFC + case folding); the fuzzy layer in ``index.py`` still gives them prefix, infix and typo
matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# A token is a run of letters/digits, optionally joined by ':' (Finnish case endings on abbreviations:
# NGO:n, B2B:ssä), apostrophes (don't, O'Brien) or hyphens (B2B-markkinointi, some-kanava).
TOKEN_RE = re.compile(r"[^\W_]+(?:[:'’\-][^\W_]+)*")
_APOS = "'’"

# Snowball algorithms by ISO 639-1 code. Only fi and en have curated stop word lists; the others still
# get stemming, which is most of the value.
_ALGORITHMS = {
    "fi": "finnish",
    "en": "english",
    "sv": "swedish",
    "et": "estonian",
    "de": "german",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "nl": "dutch",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "ru": "russian",
}

# Short on purpose: only words that carry no topic. Question words are included because nearly every
# question contains them ("miten", "how"), so they never discriminate between Q&A records.
_FI_STOP = """
        ja ei eikä että ja jo jos kun kuin mutta niin sekä tai vai vaan myös vielä sitten siis nyt
        on ole olen olet olemme olette ovat oli olivat ollut olla olisi olisin ollaan
        se sen sitä siitä siihen siinä sillä ne niiden niitä niistä niihin niissä niillä
        tämä tämän tätä tästä tähän tässä nämä näiden näitä tuo tuon tuota
        minä minun minua minulle minulla sinä sinun sinua sinulle hän hänen häntä me meidän meitä meille
        meillä te teidän teitä teille teillä he heidän heitä heille heillä
        mikä mitä mistä mihin missä millä miksi miten mikään kuka ketkä kenen keneltä kenelle
        mikähän mitähän miksei miksi millainen millaisia millaista kuinka
        onko onkohan voiko voinko voimmeko voitteko kannattaako pitääkö täytyykö saako saanko
        voi voin voit voimme voitte voivat voisi voisin voisitteko
        joka jonka jota josta johon jossa jolla jotka joiden joita
        kanssa ilman yli alla mukaan kautta aina kaikki kaikkia mitään jotain jokin joku
        ihan aivan hyvin paljon vähän enemmän eniten
"""
_EN_STOP = """
        a an the and or but if then than so as of at by for from in into on onto to with without
        about over under is are was were be been being am do does did doing done have has had having
        i me my we our us you your he him his she her it its they them their this that these those
        there here what which who whom whose when where why how can could should would will shall may
        might must not no nor any some all each more most very just also too only own same such
        own s t ll d re ve m don doesn didn isn aren wasn weren hasn haven hadn won wouldn shouldn can't
"""
STOP_WORDS: dict[str, frozenset[str]] = {"fi": frozenset(_FI_STOP.split()), "en": frozenset(_EN_STOP.split())}


@dataclass(frozen=True, slots=True)
class Token:
    """One token with its character span in the original text and its index terms."""

    start: int
    end: int
    terms: tuple[str, ...]


def normalise(text: str) -> str:
    """NFC + case folding: 'Ä' typed as A + combining diaeresis must equal 'ä'; 'ß' folds to 'ss'."""
    return unicodedata.normalize("NFC", text).casefold()


@lru_cache(maxsize=32)
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    algorithm = _ALGORITHMS.get(lang)
    if algorithm is None:
        return None
    stemmer = Stemmer.Stemmer(algorithm)
    stemmer.maxCacheSize = 50_000  # PyStemmer's own memo; words repeat a lot (Zipf).
    return stemmer


def base_lang(lang: str | None) -> str:
    """'fi-FI' → 'fi'; anything unknown maps to '' (the neutral analyser)."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in _ALGORITHMS else ""


def stop_words(lang: str) -> frozenset[str]:
    return STOP_WORDS.get(lang, frozenset())


def stem(word: str, lang: str) -> str:
    """Snowball stem of an already normalised word; digits and short words pass through unchanged."""
    stemmer = _stemmer(lang)
    if stemmer is None or len(word) < 3 or not word.isalpha():
        return word
    result: str = stemmer.stemWord(word)
    return result


def word_terms(word: str, lang: str) -> tuple[str, ...]:
    """Index terms for one normalised token (possibly 'ngo:n', 'b2b-markkinointi', "don't").

    The part before ':' is the word (the rest is a Finnish case ending); hyphenated compounds give every
    part plus the joined word, so 'some-kanava' and 'somekanava' meet.
    """
    word = word.split(":", 1)[0]
    for apostrophe in _APOS:
        if apostrophe in word:
            head, _, tail = word.partition(apostrophe)
            # English possessive/clitic ("company's", "don't") keeps the head; O'Brien keeps both glued.
            word = head if len(tail) <= 2 else head + tail
    if not word:
        return ()
    stops = stop_words(lang)
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        terms = [stem(p, lang) for p in parts if p not in stops]
        joined = "".join(parts)
        if len(parts) > 1:
            terms.append(stem(joined, lang))
        return tuple(dict.fromkeys(terms))
    if word in stops:
        return ()
    return (stem(word, lang),)


def tokens(text: str, lang: str) -> Iterator[Token]:
    """Tokens with spans into ``text`` (which must already be NFC so spans stay valid)."""
    for match in TOKEN_RE.finditer(text):
        terms = word_terms(match.group().casefold(), lang)
        if terms:
            yield Token(match.start(), match.end(), terms)


def query_words(text: str) -> list[str]:
    """Normalised query words (no stemming yet: the query may be analysed in several languages)."""
    return [m.group() for m in TOKEN_RE.finditer(normalise(text))]

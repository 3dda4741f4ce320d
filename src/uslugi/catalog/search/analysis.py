"""Text analysis shared by indexing and querying, identical on every database:
normalise, tokenise, stem (Snowball Russian for Cyrillic words, English for Latin ones),
and fold synonyms and abbreviations (ГИБДД, ПФР/СФР, загран, ...) into one token."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer  # type: ignore[import-untyped]
import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

_TOKEN_RE = re.compile(r"[0-9a-zа-я]+")
_CYRILLIC_RE = re.compile(r"[а-я]")
# A synonym group's token: this prefix plus the group's name in Latin letters
# ("syngibdd"): one word for both databases' tokenisers, and no real word looks like it.
SYNONYM_PREFIX = "syn"
_GROUP_NAME_RE = re.compile(r"[a-z0-9]+")

_STOP_WORDS = frozenset(
    [
        "и",
        "в",
        "во",
        "на",
        "с",
        "со",
        "о",
        "об",
        "обо",
        "по",
        "для",
        "за",
        "из",
        "от",
        "до",
        "к",
        "ко",
        "у",
        "при",
        "а",
        "или",
        "не",
        "ни",
        "же",
        "ли",
        "бы",
        "что",
        "как",
        "мой",
        "моя",
        "мое",
        "мои",
        "свой",
        "свою",
        "его",
        "ее",
        "их",
        "это",
        "этот",
        "эта",
        "эти",
        "мне",
        "меня",
        "я",
        "мы",
        "вы",
        "the",
        "of",
        "a",
        "an",
        "to",
        "for",
        "in",
        "on",
        "and",
        "or",
        "by",
        "with",
        "my",
        "me",
        "i",
        "how",
        "do",
        "does",
        "at",
        "from",
        "is",
        "are",
        "be",
        "can",
        "s",
    ]
)


@functools.cache
def _stemmers() -> tuple[snowballstemmer.stemmer, snowballstemmer.stemmer]:
    return snowballstemmer.stemmer("russian"), snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The stem of one lower-case word; digits stay as they are."""
    if word.isdigit():
        return word
    russian, english = _stemmers()
    if _CYRILLIC_RE.search(word):
        return str(russian.stemWord(word))
    return str(english.stemWord(word))


def normalise(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Lower-case words without stop words."""
    return [w for w in _TOKEN_RE.findall(normalise(text)) if w not in _STOP_WORDS]


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def is_cyrillic(term: str) -> bool:
    return bool(_CYRILLIC_RE.search(term))


@dataclass(frozen=True)
class SynonymGroup:
    token: str
    phrases: tuple[tuple[str, ...], ...]


class Synonyms:
    """Synonym and abbreviation groups: each phrase of a group (as stems) stands for the
    group's token. Documents get the token added; queries get the phrase replaced."""

    def __init__(self, groups: Iterable[SynonymGroup]) -> None:
        self.groups = list(groups)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.known_stems: set[str] = set()
        self.tokens = frozenset(group.token for group in self.groups)
        for group in self.groups:
            for phrase in group.phrases:
                self._by_first.setdefault(phrase[0], []).append((phrase, group.token))
                self.known_stems.update(phrase)
        for candidates in self._by_first.values():
            candidates.sort(key=lambda item: -len(item[0]))  # longest phrase first

    @classmethod
    def from_data(cls, data: Sequence[dict[str, object]]) -> Synonyms:
        groups = []
        for item in data:
            name = str(item["name"])
            if not _GROUP_NAME_RE.fullmatch(name):
                raise ValueError(f"synonym group name {name!r}: use a-z and 0-9 only")
            phrases = tuple(
                tuple(stems(str(p)))
                for p in item["phrases"]  # type: ignore[attr-defined]
            )
            groups.append(
                SynonymGroup(token=SYNONYM_PREFIX + name, phrases=tuple(p for p in phrases if p))
            )
        return cls(groups)

    def _matches(self, terms: Sequence[str]) -> Iterable[tuple[int, int, str]]:
        """(start, end, token) of each phrase found, leftmost-longest, not overlapping."""
        i = 0
        while i < len(terms):
            for phrase, token in self._by_first.get(terms[i], ()):
                if tuple(terms[i : i + len(phrase)]) == phrase:
                    yield i, i + len(phrase), token
                    i += len(phrase)
                    break
            else:
                i += 1

    def expand(self, terms: Sequence[str]) -> list[str]:
        """Document side: the terms plus the token of every group phrase among them
        (overlapping phrases included: a document should be found by each)."""
        found: list[str] = []
        for i, term in enumerate(terms):
            for phrase, token in self._by_first.get(term, ()):
                if tuple(terms[i : i + len(phrase)]) == phrase and token not in found:
                    found.append(token)
        return [*terms, *found]

    def fold(self, terms: Sequence[str]) -> list[str]:
        """Query side: each group phrase replaced by its group's token."""
        out: list[str] = []
        i = 0
        for start, end, token in self._matches(terms):
            out.extend(terms[i:start])
            out.append(token)
            i = end
        out.extend(terms[i:])
        return out


@functools.cache
def synonyms() -> Synonyms:
    with (DATA_DIR / "synonyms.yaml").open(encoding="utf-8") as f:
        return Synonyms.from_data(yaml.safe_load(f)["groups"])


def analyse_document(text: str) -> list[str]:
    """Terms of a document field: stems with synonym tokens added."""
    return synonyms().expand(stems(text))


def is_synonym_token(term: str) -> bool:
    return term in synonyms().tokens

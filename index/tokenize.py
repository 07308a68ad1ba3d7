"""Tokenization for the lexical index that keeps model and dataset names findable.

Plain word splitting loses names: 'bert-base-uncased' becomes three common words that
half the corpus shares. Here each whitespace-delimited chunk also yields its joined
forms, so the exact name is one rare token that only its own cards carry:

    'bert-base-uncased'             -> bert, base, uncased, bertbaseuncased
    'ResNet-50'                     -> resnet, 50, resnet50
    'resnet50'                      -> resnet50, resnet, 50   (letters / digits split)
    'google-bert/bert-base-uncased' -> google, bert, googlebert, bert, base, uncased,
                                       bertbaseuncased, googlebertbertbaseuncased

Text is lowercased; parts are runs of letters or digits; '/' and ':' separate the
segments of an id (org/name, hf:model/...). English stopwords (Lucene's list, as
shipped by bm25s) are dropped as parts but kept inside joined forms. Queries go through
the same function, so a query and a card agree on what a name is. Bump
TOKENIZER_VERSION whenever the output changes: saved indexes then ask to be rebuilt.
"""

from __future__ import annotations

import re
from functools import lru_cache

TOKENIZER_VERSION = 1
MAX_TOKEN_CHARS = 64  # longer tokens are hashes, base64, URLs: noise for BM25
MAX_JOINED_PARTS = 12

_CHUNK = re.compile(r"[^\s,;!?()\[\]{}<>\"'`|*#]+")
_SEGMENT = re.compile(r"[/:\\]+")
_PART = re.compile(r"[^\W_]+")
_ALPHA_NUM = re.compile(r"[^\W\d_]+|\d+")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """English stopwords (Lucene's 33-word list)."""
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    """Tokens of `text` for BM25: lowercased parts plus the joined forms of names."""
    stop = stopwords()
    out: list[str] = []

    def emit(token: str) -> None:
        if token and len(token) <= MAX_TOKEN_CHARS:
            out.append(token)

    for chunk in _CHUNK.findall(text.lower()):
        all_parts: list[str] = []
        named_segments = 0
        for segment in _SEGMENT.split(chunk):
            parts = _PART.findall(segment)
            named_segments += bool(parts)
            for part in parts:
                if part not in stop:
                    emit(part)
                pieces = _ALPHA_NUM.findall(part)
                if len(pieces) > 1:
                    for piece in pieces:
                        if piece not in stop:
                            emit(piece)
            if len(parts) > 1:
                emit("".join(parts))
            all_parts.extend(parts)
        if named_segments > 1 and len(all_parts) <= MAX_JOINED_PARTS:
            emit("".join(all_parts))
    return out

"""One small exception hierarchy; the CLI and the HTTP layer map these in one place."""

from __future__ import annotations


class AssetScoutError(Exception):
    """Base class for every error assetscout raises on purpose."""


class InvalidInput(AssetScoutError, ValueError):
    """A value given by the user (argument, parameter, query) is not allowed."""


class RecordError(AssetScoutError):
    """One input record (card, file, row) could not be read; the others still can.

    Readers raise it for a record-level problem; the ingest loop turns it into a
    rejected-record line naming the file, the line (if known) and the reason.
    """

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


class CatalogError(AssetScoutError):
    """The catalog directory is missing, locked, of another format version, or damaged."""


class NotFound(AssetScoutError, KeyError):
    """An asset, table or column id that the catalog does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "not found"


class NotInCatalog(NotFound, InvalidInput):
    """A name the user gave (e.g. a table id) that the catalog does not hold.

    Both a lookup miss (HTTP 404) and a bad argument (CLI exit 2), so each layer maps
    it the way it maps its own kind of mistake.
    """


def check_unicode(text: str, what: str) -> str:
    """`text` if it is valid Unicode; InvalidInput naming the first lone surrogate otherwise.

    Python strings may hold lone UTF-16 surrogates (a JSON "\\ud800", a CLI argument of
    undecodable bytes); they cannot be encoded, indexed or echoed, so they are refused
    where text enters, not discovered by whichever encoder, log or page meets them first.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = text[exc.start]
        raise InvalidInput(f"{what} is not valid Unicode: a lone surrogate U+{ord(bad):04X} at position {exc.start} "
                           "(send text encoded as UTF-8)") from None
    return text

"""What can go wrong with the index itself, in words for the user (each says what to do)."""

from __future__ import annotations

from legalqa.errors import LegalqaError

REBUILD_COMMAND = "legalqa ingest --rebuild PATH..."


class IndexMismatchError(LegalqaError):
    """The index on disk was built with other settings than the ones in force."""


class IndexUnavailableError(LegalqaError):
    """The index cannot be opened (no server at the configured host, unreadable folder)."""


class IndexBusyError(IndexUnavailableError):
    """Another process (or thread) is writing to the index and did not finish in time."""


class StaleIndexError(IndexUnavailableError):
    """The generation being read was replaced and removed by a rebuild; refresh and ask again."""


def no_index_error() -> IndexUnavailableError:
    """The one error for "nothing has been ingested here yet", with the command that fixes it."""
    return IndexUnavailableError("there is no index yet. Build one with: legalqa ingest PATH...")


def mismatch_error(differences: list[str]) -> IndexMismatchError:
    """The index was built differently (``differences`` says how); only a rebuild helps."""
    return IndexMismatchError(
        "the index was built with other settings (" + "; ".join(differences) + f"). Rebuild it with: {REBUILD_COMMAND}"
    )

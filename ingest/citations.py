"""Case and statute citations in legal text (eyecite), normalised so they can be matched exactly.

"Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569, 578 (1994)" -> "510 U.S. 569";
"17 U.S.C. § 107(4)" -> "17 U.S.C. § 107". Short forms (Id., supra) carry no
volume and page, so they are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache

_LAW = re.compile(r"^(\d+)\s+(\S+(?:\s\S+)*?)\s+§+\s*([\w.\-]+)")


def find_citations(text: str) -> list[str]:
    """Distinct full citations in order of first appearance."""
    return list(dict.fromkeys(c for _, _, c in citation_spans(text)))


def citation_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, normalised citation) for each full citation in ``text``.

    Run once per page; chunks take the citations inside their span.
    """
    if not _maybe_cites(text):
        return []
    import logging

    from eyecite import get_citations
    from eyecite.models import FullCaseCitation, FullLawCitation

    logging.getLogger("eyecite").setLevel(logging.ERROR)
    try:
        citations = get_citations(text)
    except Exception:  # eyecite on malformed text must not stop an ingest
        return []
    found = []
    for c in citations:
        g = c.groups
        if isinstance(c, FullCaseCitation) and g.get("volume") and g.get("reporter") and g.get("page"):
            norm = f"{g['volume']} {g['reporter']} {g['page']}"
        elif isinstance(c, FullLawCitation) and g.get("title") and g.get("reporter") and g.get("section"):
            section = re.split(r"[(\s]", g["section"])[0].rstrip(".,")
            norm = f"{g['title']} {g['reporter']} § {section}"
        else:
            continue
        start, end = c.span()
        found.append((start, end, norm))
    return found


def citation_token(citation: str) -> str:
    """One BM25 token per citation, so '510 U.S. 569' matches as a whole and never by its parts."""
    return "cite:" + re.sub(r"\s+", "_", citation.lower())


@lru_cache(maxsize=1)
def _cue() -> re.Pattern:
    # Cheap pre-filter: eyecite is slow, and most sentences cite nothing.
    return re.compile(r"\d+\s+[A-Z][\w.]*\.?\s*(?:\d[a-z]{1,2}\s+)?\d|§")


def _maybe_cites(text: str) -> bool:
    return bool(_cue().search(text))

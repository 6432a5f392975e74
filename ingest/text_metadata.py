"""Legal metadata read from a document's own text, where no sidecar gives it: the caption
(court, parties, docket), the ECF stamp (docket, filing date), the signature block (judge),
and the headers of statutes and Federal Register notices. Best effort: a field not found
is left out, and a sidecar (ingest/metadata.py) always wins.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), start=1)}
_MONTH_DATE = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s*(\d{4})"
)
_ECF_FILED = re.compile(r"\bDocument\s+#?\s*\d+[\w\- ]*?\s+Filed:?\s+(\d{1,2})/(\d{1,2})/(\d{2,4})")
_DECIDED = re.compile(r"\b(?:Decided|Dated|Filed|Entered)[:\s]+" + _MONTH_DATE.pattern)
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")

_STATES = (
    "ALABAMA ALASKA ARIZONA ARKANSAS CALIFORNIA COLORADO CONNECTICUT DELAWARE FLORIDA GEORGIA HAWAII IDAHO "
    "ILLINOIS INDIANA IOWA KANSAS KENTUCKY LOUISIANA MAINE MARYLAND MASSACHUSETTS MICHIGAN MINNESOTA MISSISSIPPI "
    "MISSOURI MONTANA NEBRASKA NEVADA OHIO OKLAHOMA OREGON PENNSYLVANIA TENNESSEE TEXAS UTAH VERMONT VIRGINIA "
    "WASHINGTON WISCONSIN WYOMING COLUMBIA"
).split() + ["NEW HAMPSHIRE", "NEW JERSEY", "NEW MEXICO", "NEW YORK", "NORTH CAROLINA", "NORTH DAKOTA",
             "RHODE ISLAND", "SOUTH CAROLINA", "SOUTH DAKOTA", "WEST VIRGINIA", "PUERTO RICO"]
_DISTRICT = re.compile(
    r"UNITED STATES DISTRICT COURT\s+(?:FOR\s+THE\s+)?(?:(NORTHERN|SOUTHERN|EASTERN|WESTERN|MIDDLE|CENTRAL)\s+)?"
    r"DISTRICT\s+OF\s+(" + "|".join(sorted(_STATES, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_CIRCUIT = re.compile(r"United States Court of Appeals\s+(?:for\s+the\s+)?([\w.]+(?:\s+of\s+Columbia)?)\s+Circuit", re.I)
_JPML = re.compile(r"JUDICIAL\s+PANEL\s+(?:ON|on)\s+MULTIDISTRICT\s+LITIGATION", re.I)
_SUPREME = re.compile(r"SUPREME COURT OF THE UNITED STATES", re.I)

_ROLE = re.compile(
    r"\b(?:Plaintiff\s+s\b|Defendant\s+s\b|Plaintiffs?|Defendants?|Appellants?|Appellees?|Petitioners?|Respondents?|"
    r"Counter-?claimants?|Counter-?defendants?)\b\.?",
    re.IGNORECASE,
)
_ET_AL = re.compile(r"\bet\s+al\s*\.?", re.IGNORECASE)
_IN_RE = re.compile(r"\bIn\s+Re:?\s+(.{3,80}?Litigation)\b", re.IGNORECASE)
_ORG_WORDS = {
    "INC", "INC.", "LLC", "L.L.C.", "CORP", "CORP.", "CORPORATION", "COMPANY", "CO.", "GMBH", "PBC", "LTD", "LTD.",
    "GROUP", "LP", "L.P.", "LLP", "THE", "ASSOCIATION", "GUILD", "FOUNDATION", "UNIVERSITY", "PLATFORMS",
}
_SUFFIXES = {"INC.", "INC", "LLC", "L.L.C.", "LTD.", "LTD", "CORP.", "L.P.", "LP", "LLP", "PBC"}
_CASING = {
    "GMBH": "GmbH", "OPENAI": "OpenAI", "AI": "AI", "PBC": "PBC", "LLC": "LLC", "LP": "LP", "LLP": "LLP",
    "L.P.": "L.P.", "ROSS": "ROSS", "ML": "ML", "LLM": "LLM", "U.S.": "U.S.", "OF": "of", "AND": "and", "THE": "The",
}
_CAPTION_WORD = re.compile(r"^(?:[A-Z][A-Z0-9.'’&\-]*|&|and|,|\.)$")
_SECTION_WORDS = {"INTRODUCTION", "BACKGROUND", "STATEMENT", "DISCUSSION", "ANALYSIS", "CONCLUSION", "RE"}
_DOC_TITLE = re.compile(
    r"\b((?:MEMORANDUM\s+OPINION|TRANSFER\s+ORDER|OPINION|ORDER|COMPLAINT)\b(?:\s+[A-Z][A-Z’'\-]*(?![A-Za-z]))*)"
)
# A name in capitals; a hyphenated surname may be split by extraction ("MARTÍNEZ -OLGUÍN").
_NAME = r"((?:-?[A-Z\u00C0-\u00DE][\w.’'\-]*\s+){1,4}-?[A-Z\u00C0-\u00DE][\w.’'\-]*?)"
_JUDGE = re.compile(
    _NAME + r"\s*,?\s*(?:JR\.|Jr\.)?\s*,?\s+(?i:(?:United\s+States|U\.S\.)\s+(?:District|Circuit|Magistrate)\s+Judge)"
)
_JUDGE_HEAD = re.compile(
    r"(?:Opinion for the Court filed by (?:Senior\s+)?Circuit Judge\s+([A-Z][A-Za-z\-]+))"
    r"|(?:\b([A-Z]{2,}(?:\s+[A-Z]\.)?(?:\s+[A-Z]{2,})?)\s*,\s+(?:U\.S\.\s+)?(?:Circuit|District|Chief)\s+Judge)"
    r"|(?:Judge\s+((?:[A-Z][a-z.]+\s+){1,3}[A-Z][a-z]+)\s+MEMORANDUM)"
)
_CAPTION_DOCKET = re.compile(
    r"\b(?:Master\s+)?(?:Case\s+No\s*s?\.|Civil\s+Action\s+No\.|C\.\s?A\.\s+No\.|MDL\s+No\.|No\.)\s*([A-Z]?\s?[\d:]+[\w:\- ]{2,20}?\d)(?=\s|$)"
)


def extract_metadata(first_page: str, full_text: str, last_page: str, filename: str) -> dict:
    """Best-effort legal metadata from raw (uncleaned) text; missing fields are left out."""
    head = " ".join(first_page.split())[:2500]
    meta: dict = {}
    court = find_court(head)
    if court:
        meta["court"] = court
    case = find_case_name(head)
    if case:
        meta["case_name"] = case
    docket = find_ecf_docket(full_text) or find_caption_docket(head)
    if docket:
        meta["docket"] = docket
    when = find_date(head, full_text, filename)
    if when:
        meta["date"] = when
    kind = find_kind(head, filename)
    if kind:
        meta["kind"] = kind
    judge = find_judge(" ".join(last_page.split())[-3000:]) or find_judge(head)
    if judge:
        meta["judge"] = judge
    doc_title = find_document_title(head)
    if doc_title:
        meta["document_title"] = doc_title
    statute = find_statute_title(head)
    if statute:
        meta.update(title=statute, kind="statute", publisher=meta.get("publisher") or "U.S. Government Publishing Office")
    notice = find_federal_register(" ".join(full_text.split())[:20000])
    if notice:
        meta.update(notice)
    return meta


_FR_HEADER = re.compile(r"(\d{5}) Federal Register\s*/\s*Vol\.\s*(\d+)")
_FR_NOTICE = re.compile(
    r"\[Docket No\.\s*([\d–\-]+)\]\s+(.{5,120}?)\s+AGENCY:\s+(.+?)\.\s+ACTION:\s+(.+?)\.\s"
)


def find_federal_register(text: str) -> dict | None:
    """A Federal Register notice: its agency, title, action and FR citation."""
    m = _FR_NOTICE.search(text)
    if not m:
        return None
    docket, subject, agency, action = (" ".join(g.split()) for g in m.groups())
    agency = agency.split(",")[0]
    out = {
        "title": f"{agency}, {subject}: {action}",
        "docket": docket.replace("–", "-"),
        "kind": "agency_notice" if "notice" in action.lower() else "agency_report",
        "publisher": "Federal Register",
    }
    header = _FR_HEADER.search(text)
    if header:
        out["title"] += f" ({header.group(2)} FR {header.group(1)})"
    return out


_STATUTE_PDF = re.compile(r"TITLE\s+(\d+)\s*—\s*[A-Z]+\s*§\s*(\d+[A-Za-z]?)")
_STATUTE_HTML = re.compile(r"\bTitle\s+(\d+)\b.{0,200}?\bSec\.\s+(\d+[A-Za-z]?)\s+-\s+(.+?)\s+From the\b")


def find_statute_title(head: str) -> str | None:
    """'17 U.S.C. § 107, Limitations on exclusive rights: Fair use' for GovInfo section PDFs and HTML."""
    m = _STATUTE_HTML.search(head[:800])
    if m:
        return f"{m.group(1)} U.S.C. § {m.group(2)}, {m.group(3).strip()}"
    m = _STATUTE_PDF.search(head[:300])
    if m:
        title, section = m.group(1), m.group(2)
        name = re.search(r"§\s*" + re.escape(section) + r"\.\s+([A-Z][^.]{3,120})\.", head)
        return f"{title} U.S.C. § {section}" + (f", {name.group(1)}" if name else "")
    return None


def find_court(text: str) -> str | None:
    """A short court name in citation form ('N.D. Cal.', 'D.C. Cir.', 'J.P.M.L.')."""
    if _JPML.search(text):
        return "J.P.M.L."
    if _SUPREME.search(text[:300]):
        return "U.S."
    m = _CIRCUIT.search(text)
    if m:
        which = m.group(1).strip().rstrip(".")
        name = "D.C." if which.lower().startswith(("district", "d.c")) else which.title()
        return _court_citation(f"Court of Appeals for the {name} Circuit") or f"{name} Cir."
    m = _DISTRICT.search(text)
    if m:
        direction, state = (m.group(1) or "").title(), m.group(2).title()
        name = f"United States District Court for the {direction + ' ' if direction else ''}District of {state}"
        return _court_citation(name) or name
    return None


@lru_cache(maxsize=256)
def _court_citation(name: str) -> str | None:
    try:
        import courts_db
    except ImportError:
        return None
    ids = [i for i in courts_db.find_court(name) if not i.endswith("b")]  # not the bankruptcy courts
    if len(ids) != 1:
        return None
    court = courts_db.find_court_by_id(ids[0])
    record = court[0] if isinstance(court, list) and court else court
    return (record or {}).get("citation_string") or None


def find_case_name(text: str) -> str | None:
    m = _IN_RE.search(text[:1500])
    if m and (text.find(" v. ") < 0 or m.start() < text.find(" v. ")):
        return "In re " + _titlecase(m.group(1).rstrip(". "))
    # The parties follow the court's name (and its division, if any).
    # The last statement of the court's name before "v." (N.D. Cal. prints it twice: sidebar and caption).
    v_at = text.find(" v. ") if " v. " in text[:2000] else text.find(" V. ")
    start = 0
    for pattern in (_DISTRICT, _CIRCUIT, _JPML):
        ends = [m.end() for m in pattern.finditer(text[:1500]) if v_at < 0 or m.end() < v_at]
        if ends:
            start = ends[-1]
            break
    division = re.match(r"\s+[A-Z]+\s+DIVISION\b", text[start:])
    start += division.end() if division else 0
    caption = _ET_AL.sub(" ", _ROLE.sub(" ", text[start : start + 2000]))
    m = re.search(r"\s[vV]\.\s", caption)
    if not m:
        return None
    left = _caption_run(caption[: m.start()].split(), backwards=True)
    right = _caption_run(caption[m.end():].split(), backwards=False)
    first, second = _first_party(left), _first_party(right)
    if not first or not second:
        return None
    return f"{first} v. {second}"


def _caption_run(words: list[str], *, backwards: bool) -> list[str]:
    """The run of upper-case caption words next to 'v.'."""
    seq = list(reversed(words)) if backwards else words
    run: list[str] = []
    for w in seq:
        core = w.strip(",")
        if not core or _CAPTION_WORD.match(core) and not core.isdigit() and not re.match(r"^\d", core):
            run.append(w)
            continue
        break
    if backwards:
        run.reverse()
    return run


def _first_party(words: list[str]) -> str | None:
    text = " ".join(words).replace(" ,", ",").strip(" ,")
    text = re.sub(r"\s+and\s+.*$|\s+&\s+.*$", "", text)  # the first of several parties
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    name = parts[0]
    for part in parts[1:]:
        if part.upper() in _SUFFIXES:
            name += ", " + part
        else:
            break
    tokens = name.replace(",", " ").split()
    if not tokens:
        return None
    is_org = any(t.upper() in _ORG_WORDS for t in tokens) or len(tokens) > 4 or len(tokens) == 1
    if not is_org:
        return _titlecase(tokens[-1])  # an individual goes by surname
    return _titlecase(name)


def _titlecase(text: str) -> str:
    out = []
    for i, word in enumerate(text.split()):
        key = word.upper().rstrip(",")
        trail = "," if word.endswith(",") else ""
        if key in _CASING and not (i == 0 and key in {"OF", "AND"}):
            out.append(_CASING[key] + trail)
        elif word.isupper() or word.islower():
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
        else:
            out.append(word)
    return " ".join(out).replace("In Re ", "In re ")


def find_ecf_docket(text: str) -> str | None:
    m = re.search(
        r"\b(?:USCA\s+)?Case\s+(?:#\s*)?((?:MDL\s+No\.\s*\d+)|(?:\d{1,2}:)?\d{2}-[A-Za-z]{2,4}-\d{3,6}(?:-[A-Z]{1,4})*|\d{2}-\d{4,5})"
        r"\s+Document\b",
        text,
    )
    return m.group(1) if m else None


def find_caption_docket(text: str) -> str | None:
    m = _CAPTION_DOCKET.search(text[:2500])
    if not m:
        return None
    value = re.sub(r"\s*-\s*", "-", m.group(1).strip())
    value = re.sub(r"(?<=\d) (?=\d)", "", value)  # "2 2-1564" -> "22-1564"
    return value if re.search(r"\d{2}", value) else None


def find_date(head: str, full_text: str, filename: str) -> str | None:
    m = re.search(r"\bDecided\s+" + _MONTH_DATE.pattern, head)
    if m:
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _ECF_FILED.search(full_text)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        return _iso(year + 2000 if year < 100 else year, month, day)
    m = re.search(r"Federal Register\s*/\s*Vol\.\s*\d+,\s*No\.\s*\d+\s*/\s*\w+,\s*" + _MONTH_DATE.pattern, head)
    if m:
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _FILENAME_DATE.search(filename)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DECIDED.search(full_text[-4000:])
    if m:
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_kind(head: str, filename: str) -> str | None:
    lower = head.lower()
    if "project-written" in lower[:600]:
        return "summary"
    if "federal register" in lower[:300] or "notice of inquiry" in lower:
        return "agency_notice"
    if "u.s.c." in lower[:200] or "united states code" in lower[:400] or "title 17" in lower[:200]:
        return "statute"
    if "Opinion for the Court" in head or "MEMORANDUM OPINION" in head:
        return "opinion"
    m = _DOC_TITLE.search(head[:1500])
    if m:
        word = m.group(1).split()[0]
        return {"OPINION": "opinion", "MEMORANDUM": "opinion", "COMPLAINT": "complaint"}.get(word, "order")
    if "BRIEF" in head[:1500]:
        return "brief"
    return None


def find_document_title(head: str) -> str | None:
    m = _DOC_TITLE.search(head[:1500])
    if not m:
        return None
    words = m.group(1).split()
    for i, word in enumerate(words[1:], start=1):
        if word in _SECTION_WORDS:
            words = words[:i]
            break
    title = _titlecase(" ".join(words[:14]))
    small = {"On", "To", "Of", "And", "The", "In", "For", "With", "A", "An", "By"}
    title = " ".join(w.lower() if i and w in small else w for i, w in enumerate(title.split()))
    return title + ("…" if len(words) > 14 else "")


_NOT_NAME = {"Delaware", "Memorandum", "Opinion", "Order", "Dated", "District", "Court", "The", "Honorable", "Hon.",
             "MEMORANDUM", "OPINION", "ORDER", "SO", "ORDERED", "IT", "IS"}


def find_judge(text: str) -> str | None:
    """The judge who signed (the last signature block) or who wrote for the court."""
    matches = _JUDGE.findall(text)
    if not matches:
        for pattern in _JUDGE_HEAD.pattern.split("|(?:"):
            m = re.search(pattern if pattern.startswith("(?:") else "(?:" + pattern, text)
            if m:
                matches = [next(g for g in m.groups() if g)]
                break
        else:
            return None
    words = matches[-1].split()
    while words and words[0].rstrip(".:") in _NOT_NAME:
        words = words[1:]
    name = re.sub(r"\s+-", "-", " ".join(words))
    name = re.sub(r"^(?:Hon\.|Honorable|Judge|Dated:.*?\d{4})\s*", "", name)
    return _titlecase(name) if name else None

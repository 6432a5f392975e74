"""What an answer is made of: evidence in, citations and an answer out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from chatbot.filters import FilterError, court_citations, court_matches, date_span, parse_date

from ingest.headings import NOTES_HEADING, ends_in_notes
from ingest.types import Chunk


class Evidence(BaseModel):
    """A retrieved chunk with its fused score and its cosine similarity to the question."""

    model_config = ConfigDict(extra="forbid")

    chunk: Chunk
    score: float
    similarity: float | None = None


class Citation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    source: str
    title: str
    page: int | None
    quote: str
    chunk_id: str
    cite: str = Field("", description="The citation a lawyer checks: case, docket, court, date and pinpoint page.")
    kind: str = "other"

    @classmethod
    def of(cls, n: int, chunk, quote: str) -> Citation:
        """Citation [n]: ``quote`` from ``chunk``, cited as its document is (when the chunk knows it)."""
        doc = chunk.document
        notes = " (editorial notes)" if in_notes(chunk, chunk.text.find(quote)) else ""  # the House Report, not the law
        cite = doc.cite(chunk.page) if doc else ""
        return cls(n=n, source=chunk.source, title=chunk.title + notes, page=chunk.page, quote=quote,
                   chunk_id=chunk.chunk_id, cite=cite + notes if cite else "", kind=doc.kind if doc else "other")

    def label(self, *, pinpoint: bool = True) -> str:
        """How every renderer names the cited document: its legal citation (with its pinpoint
        page), or, for a document the registry does not know, its title, followed by the page
        unless ``pinpoint`` is False (where the page is shown beside it)."""
        if self.cite:
            return self.cite
        return f"{self.title}, p. {self.page}" if pinpoint and self.page is not None else self.title


def case_key(chunk) -> str:
    """The case a chunk's document belongs to (the document itself, when it has no case)."""
    doc = chunk.document
    return doc.case_name if doc and doc.case_name else chunk.source


_OPENING = 40  # characters of a quote's start in which a heading opens it


def in_notes(chunk, at: int | None = None) -> bool:
    """Is the chunk (at offset ``at`` of its text, when given) in the editorial notes of a section
    of the U.S. Code (its historical and revision notes, the House Report, amendments), not in the
    statute's text? A chunk that begins in a section's text may run into its notes."""
    began = (getattr(chunk, "heading", "") or "").split(" › ")[0] == NOTES_HEADING
    doc = getattr(chunk, "document", None)
    if at is None or at < 0 or doc is None or doc.kind != "statute":
        return began
    return ends_in_notes(chunk.text[:at + _OPENING], began)  # a heading that opens the quote counts


class Retrieved(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str
    page: int | None
    chunk_id: str
    score: float


class Answer(BaseModel):
    """The JSON contract of `legalqa ask --json`, which evaluation and scripts rely on."""

    model_config = ConfigDict(extra="forbid")

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[Retrieved] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    rewritten_query: str | None = Field(None, description="The stand-alone query a follow-up was rewritten into.")
    notes: list[str] = Field(default_factory=list, description="What verification removed, filters applied, and so on.")

    def sources_text(self) -> str:
        """The numbered sources, one a line (see :func:`chatbot.render.sources_text`)."""
        from chatbot.render import sources_text

        return sources_text(self.citations)

    def render_text(self) -> str:
        """The answer as the CLI prints it (see :func:`chatbot.render.answer_text`)."""
        from chatbot.render import answer_text

        return answer_text(self)


ABSTAIN_MESSAGE = "The indexed documents do not answer this."


class Draft(BaseModel):
    """What an answerer returns: text with [n] markers, the citations behind them, and notes."""

    model_config = ConfigDict(extra="forbid")

    text: str
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    notes: list[str] = Field(default_factory=list)

    def __init__(self, text: str = "", citations=None, abstained: bool = False, notes=None, **kw):
        super().__init__(text=text, citations=citations or [], abstained=abstained, notes=notes or [], **kw)


class Filters(BaseModel):
    """Restrict retrieval to some documents: by kind, case, court and date range.

    Constructing one checks it, so the CLI, the API and the web chat refuse the same values
    with the same message: an unreadable or impossible date, From after To, an unknown kind
    raise :class:`FilterError`. Dates are stored as ISO days (see chatbot.filters.parse_date)."""

    model_config = ConfigDict(extra="forbid")

    kind: list[str] = Field(default_factory=list, description="Document kinds, e.g. ['statute'].")
    case: str | None = Field(None, description="Part of the case name, case-insensitive: 'Kadrey'.")
    court: str | None = Field(None, description="A court by abbreviation, name or state: 'N.D. Cal.', "
                                                "'Northern District of California', 'California'.")
    date_from: str | None = Field(None, description="First day, inclusive: ISO, or 'June 2025' (-> 2025-06-01).")
    date_to: str | None = Field(None, description="Last day, inclusive: ISO, or 'June 2025' (-> 2025-06-30).")

    def __init__(self, **fields):
        try:
            super().__init__(**fields)
        except ValidationError as exc:
            raise FilterError.from_validation(exc) from None

    @classmethod
    def from_form(cls, kinds=None, case=None, court=None, date_from=None, date_to=None) -> Filters:
        """Filters from what a form or the command line gives: blanks are no filter, text is trimmed.
        Raises :class:`FilterError` with a message for the user."""
        def text(value):
            return " ".join(str(value).split()) or None if value is not None else None

        return cls(kind=[k for k in (kinds or []) if k], case=text(case), court=text(court),
                   date_from=text(date_from), date_to=text(date_to))

    @field_validator("kind")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        from ingest.metadata import KINDS

        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise FilterError(f"unknown document kind '{unknown[0]}' (allowed: {', '.join(KINDS)}).")
        return kinds

    @field_validator("case", "court", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return value if value is None or str(value).strip() else None

    @field_validator("date_from", "date_to", mode="before")
    @classmethod
    def _iso_day(cls, value, info: ValidationInfo):
        if value is None or not str(value).strip():
            return None
        field = "From" if info.field_name == "date_from" else "To"
        return parse_date(str(value), end=field == "To", field=field)

    @model_validator(mode="after")
    def _from_before_to(self) -> Filters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError(f"the From date ({self.date_from}) is after the To date ({self.date_to}).")
        return self

    def active(self) -> bool:
        return bool(self.kind or self.case or self.court or self.date_from or self.date_to)

    def matches(self, doc) -> bool:
        if self.kind and doc.kind not in self.kind:
            return False
        if self.case and self.case.lower() not in f"{doc.case_name or ''} {doc.title}".lower():
            return False
        if self.court and not court_matches(self.court, doc.court):
            return False
        if self.date_from or self.date_to:
            span = date_span(doc.date)  # a document dated "2025" is within June 2025
            if span is None or (self.date_from and span[1] < self.date_from) or (self.date_to and span[0] > self.date_to):
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.kind:
            parts.append("kind " + "/".join(self.kind))
        if self.case:
            parts.append(f"case '{self.case}'")
        if self.court:
            parts.append(f"court '{self.court}'{_court_note(self.court)}")
        if self.date_from or self.date_to:
            parts.append(f"dates {self.date_from or '…'} to {self.date_to or '…'}")
        return ", ".join(parts)


def _court_note(typed: str) -> str:
    """' (D. Del.)', or a warning when courts-db knows no court by that name."""
    citations = court_citations(typed)
    if not citations:
        return " (which matched no known court)"
    if citations == [typed]:
        return ""
    shown = ", ".join(citations[:3]) + (f" and {len(citations) - 3} more" if len(citations) > 3 else "")
    return f" ({shown})"

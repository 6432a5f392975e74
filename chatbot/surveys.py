"""Survey questions ("Which courts have ruled on whether training is fair use?"): answered with one
line per case, from the courts' decisions, about what the survey asks once its frame is cut."""

from __future__ import annotations

import re

from ingest.types import SourceDocument


_SURVEY = re.compile(
    # "Which courts have ruled on X", "which cases are about Y"; not "which cases was the complaint
    # to consolidate", where the cases are what something else acts on.
    # "Which AI companies have been sued?", "which of those cases went for the AI company?".
    r"\b(?:which|what)\s+(?:of\s+(?:the|these|those)\s+)?(?:other\s+)?(?:AI\s+)?(?:courts|cases|judges|decisions|rulings|"
    r"lawsuits|suits|companies|developers)\b(?!\s+(?:was|were|did|does|do|is|"
    r"will|would|should|could|can|must)\s+(?:the|a|an|it|they|he|she|its|this|that|these|those)\b)"
    r"|\bhow\s+have\s+(?:the\s+)?(?:courts|judges)\b|\bcourts?\s+(?:that\s+)?have\s+(?:ruled|held|decided|addressed)\b"
    r"|\bcompare\b.*\b(?:courts|cases|rulings|decisions)\b",
    re.IGNORECASE,
)


def is_survey(question: str) -> bool:
    """'Which courts have ruled on X, and how?': one answer line per case."""
    return bool(_SURVEY.search(question))


# The frame of a survey, which every ruling would match as well as any other: "Which courts have
# ruled on whether …", "…, and how did each come out?".
_SURVEY_LEAD = re.compile(r"^.*?\b(?:ruled|held|decided|addressed|handled|treated|considered|dealt\s+with|said|found|"
                          r"discuss(?:ed|es)?|cited?|cites|relied|rely|mention(?:ed|s)?)\b"
                          r"(?:\s+(?:on|about|with))?(?:\s+(?:whether|that|if))?\s+", re.I)
_SURVEY_TAIL = re.compile(r",?\s+and\s+(?:for\s+)?(?:how|what|why)\b[^?]*\??\s*$|\?\s*$", re.I)


def survey_topic(question: str) -> str:
    """What a survey asks the courts about: "Which courts have ruled on whether training on
    copyrighted works is fair use, and how?" is "training on copyrighted works is fair use"."""
    about = _SURVEY_TAIL.sub("", _SURVEY_LEAD.sub("", question, count=1))
    return about if len(about.split()) >= 2 else question


def survey_sources(documents: dict[str, SourceDocument], allowed: set[str] | None) -> set[str] | None:
    """The documents a survey question reads: the courts' decisions (opinions and orders), or
    where the index holds none, the documents about a case (briefs of it); within ``allowed``
    when a filter set it. Unchanged if no document qualifies."""
    decisions = {s for s, d in documents.items() if d.kind in ("opinion", "order") and d.court}
    if not decisions or (allowed is not None and not allowed & decisions):
        decisions = {s for s, d in documents.items() if d.case_name}
    if decisions and (allowed is None or allowed & decisions):
        return decisions if allowed is None else allowed & decisions
    return allowed

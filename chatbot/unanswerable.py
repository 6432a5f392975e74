"""Questions the index cannot answer, and why: said before any passage is weighed, so the answer
names the reason ("The index holds no case of Disney and Universal against Midjourney.").

- A lawsuit named by its sides that no indexed case is between, and no retrieved passage names.
- A ruling taken for a judge's whom no indexed document is by ("What did Judge Stein rule?").
- A ruling asked of a case whose only indexed documents are its pleadings (a complaint).
- A report's part named by number that no indexed document is ("Part 3 of the Office's AI report").
- An event dated later than every document of the case it concerns ("filed in August 2025").
- An event taken for granted that no document of the case mentions (a settlement, a jury's award,
  a rehearing en banc, a ruling on class certification, an appeal, a trial date, a ruling on an
  injunction, sanctions, a ruling on fair use).
"""

from __future__ import annotations

import re

from chatbot.names import absent_lawsuit
from chatbot.described import MONTHS
from chatbot.quotes import closest_note
from chatbot.types import ABSTAIN_MESSAGE, Evidence
from ingest.types import SourceDocument


def unindexed_case_note(question: str, documents: dict[str, SourceDocument], evidence: list[Evidence]) -> str | None:
    """The abstention for a question about a lawsuit the index does not hold (see :func:`absent_lawsuit`)."""
    absent = absent_lawsuit(question, documents, [e.chunk.text for e in evidence])
    if absent is None:
        return None
    return _abstain_because(f"The index holds no case of {absent}.", evidence)


# A ruling the question takes for a judge's ("What did Judge Stein rule on the motion to dismiss?",
# "Judge Rakoff's order"): only that judge's own documents can say what he decided.
_JUDGE_RULED = re.compile(
    r"\b[Jj]udge\s+([A-Z][\w'’-]+)(?:['’]s\s+(?:\w+\s+){0,2}(?:ruling|order|decision|opinion|holding)|"
    r"\s+(?:\w+\s+)?(?:rule|ruled|rules|decide|decided|decides|hold|held|holds|grant|granted|grants|deny|denied|"
    r"denies|dismiss|dismissed|dismisses|award|awarded|find|found|finds|conclude|concluded))\b")


def unindexed_judge_note(question: str, documents: dict[str, SourceDocument], evidence: list[Evidence]) -> str | None:
    """The abstention for a ruling the question gives to a judge no indexed document is by."""
    from ingest.tokenization import tokenize

    judges = set().union(*(tokenize(d.judge) for d in documents.values() if d.judge))
    for name in _JUDGE_RULED.findall(question):
        if not set(tokenize(name)) & judges:
            return _abstain_because(f"No indexed ruling is by Judge {name}.", evidence)
    return None


# A court's ruling asked for: "How did the court rule on Microsoft's motion?", "what did the judge decide".
_COURT_RULED = re.compile(r"\b(?:court|judge|panel)\b[^?]{0,40}?\b(?:rule|ruled|rules|decide|decided|decides|hold|held|"
                          r"holds|grant|granted|grants|deny|denied|denies|dismiss|dismissed|dismisses|award|awarded|"
                          r"conclude|concluded)\b", re.I)


def pleadings_only_note(question: str, case_docs: list[SourceDocument], evidence: list[Evidence]) -> str | None:
    """The abstention for a court's ruling asked of a case whose only indexed documents are its
    pleadings: a complaint says what a party claims, never what the court decided."""
    if not case_docs or any(d.kind != "complaint" for d in case_docs) or not _COURT_RULED.search(question):
        return None
    return _abstain_because("The indexed documents of the case are its pleadings: no ruling in it is indexed.",
                            evidence)


# An event the question dates ("the motion the plaintiffs filed in August 2025", "after the July 2025
# conference"): the documents of the case, all written before it, cannot say what happened then.
_EVENT_DATE = re.compile(r"\b(?:filed|ruled|decided|issued|entered|granted|denied|heard|argued|signed|submitted|"
                         r"brought|held|moved|announced|released|reached|awarded|returned|in|on|after|since)\s+"
                         r"(?:on\s+|in\s+)?(?:the\s+)?(%s)\s+(?:\d{1,2},\s+)?((?:19|20)\d\d)\b" % "|".join(MONTHS), re.I)


def after_the_record_note(question: str, documents: list[SourceDocument], evidence: list[Evidence]) -> str | None:
    """The abstention for a question about what happened after the latest of ``documents`` (the
    case's, or the retrieved ones') was written; None when it asks about no later month."""
    asked = [(month, f"{year}-{MONTHS.index(month.lower()) + 1:02d}") for month, year in _EVENT_DATE.findall(question)]
    dates = [d.date for d in documents if d.date]
    if not asked or not dates or any(month <= max(dates)[:7] for _, month in asked):
        return None
    when = asked[0][0].capitalize() + " " + asked[0][1][:4]
    return _abstain_because(f"The question asks about {when}; the latest indexed document it concerns is dated "
                            f"{max(dates)}.", evidence)


def _abstain_because(reason: str, evidence: list[Evidence]) -> str:
    """The abstention, the reason, then the closest indexed documents."""
    return f"{ABSTAIN_MESSAGE} {reason}" + closest_note(evidence)[len(ABSTAIN_MESSAGE):]


# Events a question may take for granted that only some cases reach: "How much did Anthropic agree to pay
# to settle?", "What did the jury award?", "Did the D.C. Circuit grant rehearing en banc?".
_EVENTS = {  # what it is called, the words searched for it, and how a passage mentions it
    "a settlement": ("settle settled settles settlement settlements",
                     re.compile(r"\bsettle(?:d|s|ment|ments)?\b(?!\s+(?:law|question))", re.I)),
    # "What did the jury decide?": a verdict, not the many "a reasonable jury could find" of a summary judgment.
    "a jury's verdict": ("jury juries verdict verdicts", re.compile(
        r"\bverdicts?\b|\bjur(?:y|ies)\s+(?:decided|found|awarded|returned|determined|ruled)\b|"
        r"\bdid\s+(?:a|the)\s+jur(?:y|ies)\b", re.I)),
    "a rehearing en banc": ("en banc rehearing", re.compile(r"\ben\s+banc\b|\brehearing\b", re.I)),
    # "What did the court decide at trial?": a trial held, not the "go to trial" of a summary judgment.
    "a trial": ("trial tried jury bench verdict", re.compile(
        r"\b(?:decide[ds]?|held|hold|ruled?|found|find|award(?:ed)?|conclude[ds]?)\b[^?.]*\bat\s+(?:the\s+)?trial\b|"
        r"\b(?:after|following)\s+(?:a|the)\s+(?:\w+\s+)?trial\b", re.I), re.compile(
        r"\b(?:after|following)\s+(?:a|the)\s+(?:\w+\s+)?trial\b|\b(?:bench|jury)\s+trial\s+(?:was\s+)?(?:held|began|"
        r"concluded|ended)\b|\bat\s+trial,\s+(?:the\s+)?(?:jury|court)\s+(?:found|held|awarded)\b|\btrial\s+verdict\b",
        re.I)),
    # "When is the trial in the Times case scheduled?": a trial date set, not a trial held nor one to come.
    "a trial date": ("trial date set scheduled", re.compile(
        r"\bwhen\s+(?:is|will)\s+(?:the\s+)?(?:\w+\s+){0,3}trial\b|\btrial\s+(?:date|is\s+(?:set|scheduled))\b|"
        r"\btrial\s+(?:\w+\s+){0,4}(?:scheduled|set\s+for)\b", re.I), re.compile(
        r"\btrial\s+(?:date|is\s+set|was\s+set|set\s+for|scheduled|will\s+(?:begin|start))\b|"
        r"\b(?:set|scheduled)\s+(?:the\s+case\s+)?for\s+(?:a\s+)?(?:jury\s+|bench\s+)?trial\b", re.I)),
    "a petition for certiorari": ("certiorari", re.compile(r"\bcertiorari\b", re.I)),
    # "Did Anthropic appeal Judge Alsup's ruling?": an appeal taken, not "the appeals court" nor a "Court of
    # Appeals" cited.
    "an appeal": ("appeal appealed appellant appellee interlocutory", re.compile(
        r"\bappeal(?:ed|ing)?\s+(?:the|its|his|her|their|that|this|judge|to\s+the|from)\b|"
        r"\b(?:on|the|an|its|their)\s+appeal\b|\bnotice\s+of\s+appeal\b", re.I), re.compile(
        r"(?<!Court of )(?<!Courts of )\bappeal(?:ed|ing)?\b|\bappell(?:ant|ee)s?\b|\binterlocutory\b", re.I)),
    # "How did the judge rule on the fair use defense at summary judgment?" of a case decided on the pleadings.
    "a summary judgment": ("summary judgment", re.compile(r"\bsummary\s+judgment\b", re.I)),
    # "How did the court rule on the class certification motion?": a ruling on it, not its deadline.
    "a ruling on class certification": ("certify certified certifies class certification", re.compile(
        r"\bcertif(?:y|ied|ies|ying)\s+(?:a|the)\s+(?:\w+\s+)?class\b|\bclass\s+certification\s+(?:was\s+)?"
        r"(?:granted|denied)\b|\b(?:rule[ds]?|decide[ds]?)\s+on\s+(?:the\s+)?(?:\w+\s+)?class[\s-]certification\b",
        re.I), re.compile(r"\bcertif(?:y|ied|ies|ying)\s+(?:a|the)\s+(?:\w+\s+)?class\b|\bclass\s+certification\s+"
                          r"(?:is|was)\s+(?:granted|denied)\b|\b(?:grant|grants|granted|deny|denies|denied)\s+(?:the\s+)?"
                          r"(?:\w+\s+){0,2}motion\s+for\s+class\s+certification\b", re.I)),
    # "What defenses did Midjourney raise in its answer to the complaint?": a pleading, not a reply.
    "an answer to the complaint": ("answer answered complaint", re.compile(
        r"\b(?:its|their)\s+answer\b|\bfiled\s+an\s+answer\b|"
        r"\banswer(?:ed|s)?\s+(?:to\s+)?the\s+(?:[\w'’-]+\s+){0,3}complaint\b", re.I)),
    # "What injunction did Judge Alsup issue?", "Did the court grant a preliminary injunction against Meta?":
    # an injunction granted or denied, not one a citation discusses.
    "a ruling on an injunction": ("injunction preliminary permanent enjoin granted denied", re.compile(
        r"\b(?:what|which)\s+(?:\w+\s+)?injunction\b|\b(?:grant|granted|issue|issued|enter|entered)\s+(?:a\s+|an\s+|the\s+)?"
        r"(?:preliminary\s+|permanent\s+)?injunction\b", re.I), re.compile(
        r"\b(?:grant|grants|granted|deny|denies|denied|enter|entered|issue|issued)\s+(?:a\s+|an\s+|the\s+)?(?:\w+['’]?\s+)?"
        r"(?:motion\s+for\s+(?:a\s+)?)?(?:preliminary\s+|permanent\s+)?injunction\b|\bnot\s+entitled\s+to\s+(?:\w+\s+){0,6}"
        r"(?:preliminary\s+|permanent\s+)?injunction\b|\binjunction\b[^.]{0,80}\b(?:is|was)\s+(?:granted|denied)\b|"
        r"\binjunction\s+(?:granted|denied)\b", re.I)),
    "sanctions": ("sanction sanctions sanctioned", re.compile(r"\bsanction(?:s|ed)?\b", re.I)),
    # "What did the court decide about OpenAI's fair use defense in Tremblay?": a case decided on the
    # pleadings may never reach fair use.
    # Asked as what or how it was decided, which takes a ruling for granted; "did it rule on fair use?" asks whether.
    "a ruling on fair use": ("fair use", re.compile(
        r"\b(?:what|how)\b[^?]*\b(?:rule[ds]?|ruling|decide[ds]?|decision|h[eo]ld|holds|f[io]und|finds|conclude[ds]?)\b"
        r"[^?]*\bfair[\s-]use\b", re.I),
        re.compile(r"\b(?:is|was|were|be|not)\s+(?:a\s+)?fair\s+use\b|\bfair\s+use\s+(?:defen[cs]e\s+)?"
                   r"(?:fails|failed|succeeds|prevails|applies)\b|\bfavou?rs?\s+fair\s+use\b|\bagainst\s+fair\s+use\b|"
                   r"\bsummary\s+judgment\b[^.]{0,80}\bfair\s+use\b", re.I)),
}


def unmentioned_event_note(question: str, sources: set[str], lexical, index, evidence: list[Evidence]) -> str | None:
    """The abstention for a question that takes for granted an event (a settlement, a jury's
    award, a rehearing en banc) which no document of the case in ``sources`` mentions."""
    if lexical is None or not sources:
        return None
    for event, (words, pattern, *told) in _EVENTS.items():
        if not pattern.search(question):
            continue
        found = index.get_chunks([cid for cid, _ in lexical.search(words, 5, sources=sources)])
        if not any((told or [pattern])[0].search(c.text) for c in found):  # how a passage tells it, if not so
            return _abstain_because(f"No indexed document of the case mentions {event}.", evidence)
    return None


# A report's part named by number ("the Office's Part 3 report", "Part 3 of its AI report").
_REPORT_PART = re.compile(r"\bPart\s+(\d{1,2}|[IVX]{1,4})\b(?=[^?]*\breport\b)|\breport\b[^?]*?\bPart\s+(\d{1,2}|[IVX]{1,4})\b")


def unindexed_part_note(question: str, documents: dict[str, SourceDocument], evidence: list[Evidence]) -> str | None:
    """The abstention for a part of a report the question names and no indexed document is:
    "What did Part 3 of the Office's AI report conclude?" with only the 2023 notice indexed."""
    m = _REPORT_PART.search(question)
    if m is None:
        return None
    part = m.group(1) or m.group(2)
    if any(d.is_part(part) for d in documents.values()):
        return None
    return _abstain_because(f"The index holds no Part {part} of that report.", evidence)


def unindexed_note(query: str, visible: dict[str, SourceDocument], focus: set[str], evidence: list[Evidence],
                   lexical, index) -> str | None:
    """The abstention, with its reason, for a question the index cannot answer (see the module's
    list); None when nothing says so before the passages are weighed."""
    # The documents of the cases the question concerns, all of them: a later ruling may tell what followed.
    # When one of them is no case's, every document is what the question concerns, and no case's events.
    # No case named, a party named ("How much did Anthropic agree to pay?"): that party's cases.
    cases = {visible[s].case_name for s in focus or _party_named(query, visible) or {e.chunk.source for e in evidence}
             if s in visible}
    case_docs = [d for d in visible.values() if d.case_name in cases] if None not in cases else None
    return (unindexed_case_note(query, visible, evidence) or unindexed_judge_note(query, visible, evidence) or
            pleadings_only_note(query, [visible[s] for s in focus if s in visible], evidence) or
            unindexed_part_note(query, visible, evidence) or
            after_the_record_note(query, list(visible.values()) if case_docs is None else case_docs, evidence) or
            unmentioned_event_note(query, {d.source for d in case_docs or []}, lexical, index, evidence))


def _party_named(query: str, visible: dict[str, SourceDocument]) -> set[str]:
    """The documents of the cases a party the question names is a party of."""
    from chatbot.mentions import question_names
    from chatbot.names import party_words

    names = set().union(*question_names(query))
    return {s for s, d in visible.items() if d.case_name and names & party_words(d.case_name, None)}

"""What a question asks for, and which sentences of a passage could answer it.

The extractive answerer quotes sentences; this module decides which sentences are text at
all (a caption, a header block, a table-of-contents line or a signature block is not) and
describes each candidate by features that the answer model (chatbot.calibration) weighs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


# -- what the question asks for ------------------------------------------------------------

_NUMBER = re.compile(r"\bhow\s+(?:many|much|long|large|big|old)\b|\b(?:what|which)\s+(?:number|amount|percentage|"
                     r"share|sum|figure|price|fine|damages)\b|\bhow\s+high\b|\bper\s*cent|\bnumber\s+of\b", re.I)
_DATE = re.compile(r"\bwhen\b|\b(?:what|which)\s+(?:date|day|year|month)\b|\bhow\s+long\s+ago\b|\bdated?\b", re.I)
# "Which judge", not "which claims did Judge Orrick dismiss" nor "which claims survived the judge's order".
JUDGE_ASKED = r"(?:judges?|justices?)\b(?!\s*(?-i:[A-Z])|['’]s)"
_PERSON = re.compile(r"\bwho\b|\bwhich\s+(?:\w+\s+){0,2}(?:" + JUDGE_ASKED + r"|person|people|authors?|plaintiffs?|lawyers?|"
                     r"attorneys?|experts?|executives?|members?|officers?)\b|"
                     r"\bname\s+of\s+the\s+(?:judge|author)|\bjudge'?s\s+name\b", re.I)
# "When was the order decided?": the date is in the signature block ("Dated: June 25, 2025") or the caption.
RULED_WHEN = (r"\bwhen\s+(?:was|were|did)\b[^?]*\b(?:decided|issued?|entered|signed|filed|dated|ruled?|handed\s+down|"
              r"come\s+out|came\s+out)\b|\b(?:what|which)\s+(?:date|day)\b[^?]*\b(?:decide|decided|issue|issued|enter|entered|"
              r"sign|signed)\b")
# Who signed, decided, sat or argued, or when, is said in the caption or the signature block, and only there.
_SIGNER = re.compile(r"\b(?:signed|sign|wrote|authored|presided|presiding|decided\s+by|chaired?|argued|sat|designation|"
                     r"law\s+firms?)\b|\b(?:who|which\s+\w+)\s+(?:represents?|represented)\b|"
                     r"\bwhich\s+(?:\w+\s+){0,2}(?:" + JUDGE_ASKED + r"|lawyers?|attorneys?|counsel)\b|"
                     # "Who sat on the panel?", "which panel member": not "what did the panel decide".
                     r"\b(?:who|which)\b[^?]*\bpanel\b|\bpanel\s+members?\b|\bon\s+the\s+panel\b|"
                     r"\bwho\s+(?:was|were|is|are)\s+the\s+(?:\w+\s+)?(?:judges?|justices?)\b|" + RULED_WHEN, re.I)
_LIST = re.compile(r"\b(?:what|which)\s+(?:are|were)\b|\blist\b|\bfactors?\b|\belements?\b|\bclaims?\b|\brights\b|"
                   r"\b(?:what|which)\s+\w+\s+(?:survived?|were\s+dismissed|remain)\b|\bname\s+the\b|\bwhat\s+kinds?\b|"
                   r"\b(?:what|which)\s+(?:\w+\s+){0,2}(?:categories|types|approaches|issues|topics|areas)\b", re.I)
_HOLDING = re.compile(r"\b(?:hold|held|holding|decide|decided|decision|rule|ruled|ruling|conclude|concluded|find|found|"
                      r"outcome|result|grant(?:ed)?|den(?:y|ies|ied)|dismiss(?:ed)?|win|wins|won|lose|loses|lost|prevail(?:s|ed)?|"
                      r"succeed(?:s|ed)?|agree[sd]?|affirm(?:s|ed)?|uph[oe]ld|upholds|revers(?:e|es|ed)|sided?|accept(?:s|ed)?|"
                      r"reject(?:s|ed)?|sustain(?:s|ed)?|refus(?:e|es|ed)|declin(?:e|es|ed)|treat(?:s|ed)?|handl(?:e|es|ed)|"
                      r"strike|struck|stricken|threw\s+out|throw\s+out|toss(?:ed)?|fair\s+use(?=\??\s*$))\b|"
                      r"\b(?:let|allow(?:ed)?)\b[^?]{0,60}\b(?:go\s+forward|proceed)\b|"  # "did the judge let the claims go forward?"
                      # Vague questions ("what happened with X?", "anything on Y?") want the outcome first.
                      r"\bwhat\s+(?:happened|happens)\b|\bwhat['’]?s\s+(?:going\s+on|happening|the\s+status)\b|"
                      r"\btell\s+me\s+about\b|\bwhat(?:['’]s|\s+is)\s+(?:the\s+(?:deal|story|situation|latest)|up)\s+(?:with|on|in)\b|"
                      r"\bsummar(?:ize|ise|y(?!\s+judgment))\b|"
                      r"\boverview\b|^\s*anything\s+(?:on|about)\b|\bwhere\s+(?:does|do|did)\b.*\bstand\b|"
                      r"\bhow\s+did\b.*\b(?:turn\s+out|end|go|come\s+out)\b|\bstatus\s+of\b|"
                      # "Did the Tennessee court have jurisdiction?": a yes or no about a court is its ruling.
                      r"^\s*(?:did|does|do|was|were|is|are|can|could|has|have)\b[^?]*\b(?:court|judge|panel|circuit)\b", re.I)
# A sum of money: "how much did X pay", "what damages", "agree to pay to settle", "what fines".
_MONEY = re.compile(r"\bhow\s+much\b(?!\s+of\b)|\b(?:what|which)\s+(?:\w+\s+){0,3}damages\b|\bdamages\s+(?:award|of\s+\$)|"
                    r"\b(?:what|which|any|a)\s+(?:\w+\s+)?fine\b|"  # "what fine did the court impose": not "was fine"
                    r"\b(?:pay|paid|pays|spend|spent|cost|costs|fines|fined|settle\w*|compensation|royalt\w+|"
                    r"license\s+fees?|invest(?!ors?\b)\w*|revenues?|profits?|valuation)\b|\$", re.I)
_MENTION = re.compile(r"\b(?:mention(?:s|ed)?|cit(?:e|es|ed|ing)|refer(?:s|red)?\s+to)\b", re.I)
# "..., and by when ...", "..., and if so, how ...", "..., and roughly how many ...": "and" opens a
# new part when a question word follows, perhaps after a preposition or an adverb.
_PART_SPLIT = re.compile(r"\?\s+|;\s+|\s+and\s+(?:if so,?\s+)?(?=(?:(?:by|in|on|for|under|to|at|from|with|after|before|"
                         r"roughly|also|then)\s+)?(?:what|which|who|whom|when|how|why|whether|did|does|do|was|were|is|are|"
                         r"would|could|can|has|had)\b)|\s*\(\d\)\s*|\s+Also,?\s+", re.I)


@dataclass(frozen=True)
class Intent:
    """What kind of answer a question wants."""

    number: bool = False  # "how many", "what amount"
    date: bool = False  # "when", "what year"
    person: bool = False  # "who", "which judge"
    signer: bool = False  # who signed or decided: signature blocks may answer it
    listing: bool = False  # "what are the factors", "which claims survived"
    holding: bool = False  # "what did the court hold / decide"
    money: bool = False  # "how much did X pay", "what damages"
    mention: bool = False  # "is Getty's lawsuit mentioned anywhere": a bare citation may answer

    @classmethod
    def of(cls, question: str) -> Intent:
        return cls(
            number=bool(_NUMBER.search(question)), date=bool(_DATE.search(question)),
            person=bool(_PERSON.search(question)), signer=bool(_SIGNER.search(question)),
            listing=bool(_LIST.search(question)), holding=bool(_HOLDING.search(question)),
            money=bool(_MONEY.search(question)), mention=bool(_MENTION.search(question)),
        )


def question_parts(question: str) -> list[str]:
    """The separately answerable parts of a question: "When was X decided, and who decided it?"
    has two. Fragments too short to ask anything are folded into their neighbour."""
    pieces = [p.strip(" ,.?") for p in _PART_SPLIT.split(question) if p and p.strip(" ,.?")]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(piece.split()) < 3:
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts or [question]


# -- what a sentence is ---------------------------------------------------------------------

_HEADER_FIELD = re.compile(r"(?:^|[\s·.)])(?:Court|Docket|Decision|Kind|Source|Pinpoints?|Publisher[\w ]*|Filed|Date|"
                           r"Judges?|Parties|Citation)\s*:", re.I)
# "Kadrey v. Meta Platforms, Inc. — case brief (project-written summary)."
_PROJECT_TITLE_LINE = re.compile(r"\s[—–-]\s(?:[^.;]|\bv\.){0,80}\(project-written[^)]*\)\.?\s*$", re.I)
_TOC_ENTRY = re.compile(r"[,:;]\s*(?:at|pp?\.)\s*\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:&|and)\s*nn?\.\s*[\d\-–]+)?", re.I)
_TOC_LINE = re.compile(r"^[^.]{0,120}:\s*(?:(?:order|op\.|opinion|brief|complaint|compl\.)\s+)?(?:at|pp?\.)\s*\d+"
                       r"[\d\s,&n.\-–]*(?:\([^)]*\))?\s*\.?$", re.I)
_LEADERS = re.compile(r"(?:\.\s?){5,}|_{4,}|…{2,}")
_CAPTION = re.compile(r"\b(?:Plaintiffs?|Defendants?|Petitioners?|Respondents?|Appellants?|Appellees?)\s*,\s*(?:v\.|vs\.)|"
                      r"^\s*(?:Case|Civil Action)\s+No\.|\bCase\s+No\.\s*[\d:]+\S*\s*$|\bIN THE UNITED STATES\b|"
                      r"\bUNITED STATES (?:DISTRICT COURT|COURT OF APPEALS)\b|\bFOR THE [A-Z]+ DISTRICT\b|"
                      r"\b(?:ORDER|MEMORANDUM)\s+(?:GRANTING|DENYING|RE|ON)\b|Re:\s+Dkt\.\s+No|"
                      r"^(?:Court|Decisions? summarized|Publisher|Released|Official copy)\s*:")
_SIGNATURE = re.compile(r"\bIT IS SO ORDERED\b|\bSO ORDERED\b|^\s*Dated?:|/s/|\bBefore:\s+[A-Z]{3,}|"
                        r"\bOpinion for the Court filed by\b|\bUnited States (?:District|Circuit|Magistrate) "
                        r"Judge\s*$|\bSenior United States\b|^\s*(?:Respectfully submitted|Signed|Entered)\b|"
                        # an appellate opinion's appearances: "… argued the cause for appellees. With him on the brief was …"
                        r"\bargued the cause for\b|\bwith (?:him|her|them) on the briefs? (?:was|were)\b|"
                        r"\b(?:was|were) on the briefs? for\b|"
                        # counsel's block: "jdoe@firm.com … Attorneys for Plaintiff The New York Times Company"
                        r"\b(?:Attorneys?|Counsel)\s+for\s+(?:the\s+)?(?:Plaintiffs?|Defendants?|Petitioners?|"
                        r"Respondents?|Appellants?|Appellees?)\b|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", re.I)
_FURNITURE = re.compile(r"\bPage\s+\d+\s+of\s+\d+\b|\bPageID\b|\bFiled\s+\d{1,2}/\d{1,2}/\d{2,4}\b|\bUSCA Case\b|"
                        r"\bAppellate Case:|^\s*-?\s*\d+\s*-?\s*$", re.I)
# Enough of English's finite verbs to tell a sentence from a heading ("The four factors in
# plain English" has none).
_VERB = re.compile(r"\b(?:is|are|was|were|be|been|being|has|have|had|do|does|did|can|cannot|may|might|must|shall|will|"
                   r"would|could|should|\w+ed|sent|read|made|took|gave|won|lost|held|found|put|set|got|came|went|left|kept|"
                   r"brought|bought|sold|told|paid|said|wrote|ran|began|chose|drew|fell|knew|saw|met|led|let|stood|struck|"
                   r"sue|sues|count|counts|apply|applies|matter|matters|need|needs|hold|holds|find|finds|rule|rules|"
                   r"stand|stands|survive|survives|fail|fails|win|wins|lose|loses|grant|grants|deny|denies|own|owns|"
                   r"use|uses|says|argues|claims|alleges|seeks|asks|gives|makes|takes|means|requires|includes|covers|"
                   r"states|provides|allows|lets|protects|decides|gets|goes|comes|keeps|shows|weighs|favors|turns)\b",
                   re.I)
# "That argument misunderstands…", "This digest knows…": a subject, then a verb in -s.
_SUBJECT_VERB = re.compile(r"\b(?:that|this|it|he|she|court|argument|digest|statute|order|office|act|section|law|"
                           r"report|rule|plaintiff|defendant|judge|panel|complaint)\s+(?:\w+ly\s+)?\w+s\b", re.I)
_CAPS_HEADING = re.compile(r"^(?:(?:[IVX]{1,5}|[A-H]|\d{1,2})\.\s?)?[A-Z][A-Z’'\-]{2,},?(?:\s+(?:[A-Z][A-Z’'\-]*,?|OF|AND|THE|TO|"
                           r"A|IN|ON|FOR|§+|\d+))*\s+(?=[A-Z][a-z])")

# A citation standing alone says nothing: a reporter, a pinpoint, a paragraph of a pleading.
# A reporter citation, full or short ("471 U.S. at 566"), a pinpoint, a paragraph or a section.
_CITES = re.compile(r"(?-i:\bv\.)\s|\b\d+\s+[A-Z][\w.]*(?:\s?\d[a-z]{1,2})?\s+(?:at\s+)?\d+|\bId\.|¶|\bECF\b|§",
                    re.I)
# Words of prose; a citation's own words ("quotation marks omitted", "quoting") are not.
_PROSE_WORD = re.compile(r"(?<![\w.])(?!(?:see|at|and|the|of|for|in|inc|ltd|supp|cir|compl|decl|quoting|citing|"
                         r"quotation|marks|omitted|internal|alteration|alterations|emphasis|added|cleaned|original|"
                         r"citations?)\b)[a-z]{3,}\b")
_URL = re.compile(r"https?://\S+(?:\s+(?=\S*[/.]\S)\S+)*|www\.\S+")  # an address, though extraction split it
_OUTLINE = re.compile(r"^\(?(?:[ivx]{1,5}|[a-h]|[IVX]{1,5}|[A-H]|\d{1,2})[.)]\s")


def structural_kind(sentence: str) -> str | None:
    """Why ``sentence`` is not text a court or author wrote to be read as an answer ("header",
    "toc", "caption", "signature", "furniture", "citation", "heading"), or None when it is."""
    text = sentence.strip()
    if len(_HEADER_FIELD.findall(text)) >= 2 or re.match(r"^(?:Kind|Source|Pinpoints?)\s*:?", text):
        return "header"
    if _PROJECT_TITLE_LINE.search(text):
        return "header"
    if re.search(r"\bPinpoints are\b|\bKind:\s", text):
        return "header"
    if _SIGNATURE.search(text):
        return "signature"
    if _LEADERS.search(text) or _TOC_LINE.match(text) or len(_TOC_ENTRY.findall(text)) >= 2 and _toc_like(text):
        return "toc"
    if _CAPTION.search(text) or _mostly_capitals(text) or _opens_in_capitals(text):
        return "caption"
    if _FURNITURE.search(text):
        return "furniture"
    if _CITES.search(text) and len(_PROSE_WORD.findall(text)) < 3:
        return "citation"  # "Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569 (1994).", "Id. at 93–94."
    if _URL.search(text) and len(_PROSE_WORD.findall(_URL.sub(" ", text))) < 3:
        return "citation"  # a footnote's source: "See U.S. Patent and Trademark Office, Public Views … (Oct. 2020), https://…"
    words = text.split()
    if len(words) <= 8 and not text.endswith("?") and not _VERB.search(text) and not _SUBJECT_VERB.search(text):
        return "heading"
    # "(ii) The Pirated Library Copies.", "B. Fair Use Factor Four": an outline entry in title case.
    if _OUTLINE.match(text) and len(words) <= 12 and all(w[0].isupper() for w in words[1:] if len(w) > 3):
        return "heading"
    return None

_ALPHA = re.compile(r"[A-Za-z]")
# A sentence that opens with a reporter cite or a signal ("802 F. Supp. at 14 (…)", "Id. at 5.",
# "See …"): the tail of a citation, no context for the sentence after it.
_OPENS_WITH_CITE = re.compile(r"^\s*(?:\d+\s+(?:U\.S\.|F\.|S\.\s?Ct\.|L\.\s?Ed)|Id\.|See\b|see\b|cf\.|Cf\.)")


def opens_with_citation(sentence: str) -> bool:
    """Does ``sentence`` open with a citation rather than prose?"""
    return bool(_OPENS_WITH_CITE.match(sentence))


def is_quotable(sentence: str, intent: Intent) -> bool:
    """May ``sentence`` be quoted as an answer to a question of ``intent``: prose, not a table of
    numbers or structural text (a caption or signature block only for who signed or decided, a
    bare citation only for where a case is cited)?"""
    if 0 < (opening := heading_prefix(sentence)) < len(sentence):
        sentence = sentence[opening:]  # quoted from after its heading or the caption's tail, and judged so
    words = sentence.split()
    if len(words) < 4 or len(words) > 150:
        return False
    if len(_ALPHA.findall(sentence)) < 0.5 * len(re.sub(r"[\s_]", "", sentence)):  # a signature line is no table
        return False  # tables of numbers
    if sum(w.isdigit() for w in words) > 0.25 * len(words):
        return False  # runs of numbers left by page layout
    kind = structural_kind(sentence)
    return kind is None or (kind in ("signature", "caption") and intent.signer) or (
        kind == "citation" and intent.mention)


def quotable_spans(text: str, spans: list[tuple[int, int]], intent: Intent) -> list[bool]:
    """:func:`is_quotable` for each sentence of ``text``; also not a section's title listed under
    its number in a chapter's table of contents ("503." "Remedies for infringement: Impounding
    and disposition of infringing articles.")."""
    out = [is_quotable(text[a:b], intent) for a, b in spans]
    numbered = [bool(_SECTION_NUMBER.match(text[a:b])) for a, b in spans] + [True]  # the chunk may end a list
    for i in range(1, len(spans)):
        title = text[slice(*spans[i])]
        if out[i] and numbered[i - 1] and numbered[i + 1] and len(title.split()) <= 20 and not _FINITE.search(title):
            out[i] = False  # (an order's numbered "1. The motion is GRANTED." says something)
    return out

_FINITE = re.compile(r"\b(?:is|are|was|were|be|shall|may|must|has|have|had|will|would|can|cannot|should|[a-z]+ed)\b", re.I)
_SECTION_NUMBER = re.compile(r"^\s*(?:§+\s*)?\d{1,4}[A-Za-z]?\.\s*$|^\[\s*\d{1,4}[A-Za-z]?\.\s*Repealed\.\s*\]$")


def _toc_like(text: str) -> bool:
    """A run of "topic, at 3-4;" entries: the pinpoints carry the sentence, not a verb."""
    rest = _TOC_ENTRY.sub("", text)
    return len(rest.split()) <= 8 * (len(_TOC_ENTRY.findall(text)) + 1) and not re.search(
        r"\b(?:held|holds|found|finds|ruled|concluded|granted|denied|dismissed|was|were|is|are)\b", rest)


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _opens_in_capitals(text: str) -> bool:
    """A caption run into the first sentence by extraction ("UNITED STATES JUDICIAL PANEL on
    MULTIDISTRICT LITIGATION IN RE: … TRANSFER ORDER Before the Panel: The OpenAI Defendants
    move…"): eight of its first twelve words in capitals, and words of a caption among them. (A
    heading in capitals, "II. I GRANT PARTIAL SUMMARY JUDGMENT TO THOMSON REUTERS", may answer.)"""
    words = text.split()[:12]
    capitals = sum(sum(c.isalpha() for c in w) >= 2 and w.upper() == w for w in words)
    return capitals >= 8 and bool(_CAPTION_WORDS.search(" ".join(words)))

_CAPTION_WORDS = re.compile(r"\b(?:IN RE|UNITED STATES|LITIGATION|DISTRICT|COURT|PANEL|PLAINTIFFS?|DEFENDANTS?)\b")


def heading_prefix(sentence: str) -> int:
    """Length of an upper-case heading run that opens the sentence ("II. DISCUSSION Anthropic
    argues…"), or of the caption's tail before it (") ) ) No. 3:23-cv-01092 MEMORANDUM OPINION
    Before the Court is…"): the quote starts after it."""
    tail = _CAPTION_TAIL.match(sentence) or _PRINTER_HEADER.match(sentence)
    start = tail.end() if tail else 0
    m = _CAPS_HEADING.match(sentence[start:]) or _NUMERAL.match(sentence[start:])
    return start + (m.end() if m else 0)

# A part's numeral left alone before its first sentence ("V For the foregoing reasons, …"); not
# "I", which is the judge speaking ("I grant summary judgment").
_NUMERAL = re.compile(r"(?:II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)\s+(?=[A-Z][a-z])")

# A Code section's web page header: "17 U.S.C. United States Code, 2023 Edition … www.gpo.gov".
_PRINTER_HEADER = re.compile(r"^(?:\d+\s+U\.S\.C\.\s+)?United States Code,.{0,300}?www\.gpo\.gov\s*", re.S)
# The right-hand column of a caption's parentheses, extracted into the first sentence.
_CAPTION_TAIL = re.compile(r"^(?:\)\s*){2,}(?:(?:Case\s+|Civil\s+Action\s+)?No\.\s*\S+(?:\s(?=cv)\S+)?\s+)?|"
                           # "Master Case No. 24-cv-01451 -CRB ORDER GRANTING …": the docket line before the title
                           r"^(?:Master\s+)?Case\s+No\.\s*\S+(?:\s+-?[A-Z]{2,4}\b)?\s+(?=[A-Z]{2,})")


# A quantity, not a pinpoint or a docket number: "$1.5 billion", "seven million", "13 authors".
_HAS_NUMBER = re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:%|percent|million|billion|thousand|hundred)|"
                         r"(?<!at )(?<!¶ )(?<!No\. )(?<!Dkt\. )(?<!D\.I\. )(?<!ECF No\. )(?<!§ )\b\d[\d,]*\b(?![\d,]*\s*(?:U\.S\.|F\.|S\. ?Ct\.|"
                         r"L\. ?Ed|-\d))(?!\))|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                         r"thirteen|dozens?|hundreds?|thousands?|millions?|billions?)\b", re.I)
_HAS_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
                       r"|\b(?:19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
                       r"|\b(?:within|no later than|not later than)\s+(?:\w+[\s-]){0,2}(?:days?|weeks?|months?)\b")
_HAS_PERSON = re.compile(r"\b(?:Judge|Justice|Chief Judge|Honorable|J\.|Mr\.|Ms\.|Dr\.)\s*[A-Z]|\b[A-Z][a-z]+,\s+J\.|"
                         r"\b[A-Z][a-z]+ [A-Z]\. [A-Z][a-z]+\b|(?:\b[A-Z][a-z]+ [A-Z][a-z]+, ){2}(?:and )?[A-Z][a-z]+ [A-Z]|"
                         # a signature: "VINCE CHHABRIA United States District Judge"
                         r"\b(?!(?i:united|states|the|a|an|this|that|each|any)\b)[A-Z][A-Za-z'-]+\s+(?i:united\s+states\s+)?(?i:district|circuit|magistrate|senior)\s+(?i:judge)\b")
# An actual list: "(1) … (2) …", "first … second …", or "…: a; b; and c".
_ENUMERATES = re.compile(r"\(\s*(?:1|i|a)\s*\).*\(\s*(?:2|ii|b)\s*\)|\bfirst\b.*\bsecond\b|:\s*\w[^:]*;[^;]*;", re.I | re.S)
# A sentence that decides: "Meta won summary judgment", "the motion is granted", "was fair use".
_HOLDS = re.compile(r"\b(?:(?:hold|holds|held)(?!\s+(?:(?!that\b)\w+\s+){0,3}?(?:rights?|copyrights?|licen[cs]es?|titles?|interests?|"
                    r"shares?|registrations?|positions?)\b)(?!\s+by\b)|conclude[sd]?|(?:find|finds|found)(?!\s+out\b)|grant(?:s|ed)?|den(?:y|ies|ied)|rule[sd]?|"
                    r"dismiss(?:es|ed)?|affirm(?:s|ed)?|revers(?:es|ed)|won|wins|lost|prevail(?:s|ed)?|reject(?:s|ed)|"
                    r"favou?r(?:s|ed)|weigh(?:s|ed)|fail(?:s|ed)|surviv(?:es|ed)|(?:is|was|were|are|be) (?:\w+ly )?(?:a |not a |not )?fair use|"
                    r"(?:is|was|were) (?:not )?(?:\w+ly )?(?:transformative|infring\w*)|entitled to (?:summary )?judgment|"
                    r"therefore|accordingly)\b", re.I)
_CITATION_HEAVY = re.compile(r"\b\d+\s+(?:U\.S\.|F\.\s?(?:\d[a-z]{1,2}|Supp\.)|S\.\s?Ct\.|L\.\s?Ed\.)|\bId\.|\bSee\b|\bcf\.",
                             re.I)


# Another court's ruling, cited as precedent: "In Google Books, the court reasoned …", "And, in
# Sony Betamax, the Supreme Court held …". It decides nothing in the case asked about.
_PRECEDENT = re.compile(r"^(?:\w+,\s+)?[Ii]n\s+(?!This\b|That\b)[A-Z][^,]{1,60},\s+(?:the\s+)?(?:Supreme\s+Court|[Cc]ourt|"
                        r"[A-Z][a-z]+\s+Circuit)\b|\b[Tt]he\s+Supreme\s+Court\s+(?:has\s+)?(?:held|reasoned|found|explained|"
                        r"ruled|concluded)\b")
_ASKS = re.compile(r"\?[\s”\"')\]]*$")  # "Should leave to amend be granted …?" asks; it decides nothing
# A party's position, not the court's: "Publishers contend", "Stability moves to dismiss".
_PARTY_SAYS = re.compile(r"\b(?:contend|argue|allege|assert|maintain|urge|insist|move)(?:s|d|ed)?\b|\bclaims?\s+that\b|"
                         r"\bbefore\s+the\s+court\s+is\b", re.I)
_HAS_MONEY = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s*(?:million|billion|thousand)?\s*(?:dollars|euros|pounds)\b|"
                        r"\b(?:millions|billions|thousands|hundreds)\s+of\s+(?:dollars|euros|pounds)\b|"
                        r"\b\d[\d,.]*\s+(?:million|billion)\b", re.I)


# "The fourth factor" is "factor four": an ordinal and its number name the same thing.
_ORDINALS = ("first one 1", "second two 2", "third three 3", "fourth four 4", "fifth five 5", "sixth six 6")
SAME_NUMBER = {w: frozenset(group.split()) - {w} for group in _ORDINALS for w in group.split()}


def sentence_signals(sentence: str) -> dict[str, bool]:
    """What a sentence holds that some questions ask for."""
    return {
        "number": bool(_HAS_NUMBER.search(sentence)),
        "date": bool(_HAS_DATE.search(sentence)),
        "person": bool(_HAS_PERSON.search(sentence)),
        "enumerates": bool(_ENUMERATES.search(sentence)),
        "holds": bool(_HOLDS.search(sentence)) and not _PRECEDENT.search(sentence) and not _ASKS.search(sentence),
        "cites": len(_CITATION_HEAVY.findall(sentence)) >= 2,
        "money": bool(_HAS_MONEY.search(sentence)),
        "party_says": bool(_PARTY_SAYS.search(sentence)),
    }

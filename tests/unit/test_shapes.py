"""Questions of a known shape: a complaint's counts, each heading quoted once, in order."""

from dataclasses import replace

import pytest

from chatbot.engine import Engine
from chatbot.candidates import Candidate
from chatbot.shapes import asks_counts, count_candidates
from chatbot.types import Evidence
from ingest.pipeline import ingest_paths
from ingest.types import Chunk, SourceDocument

COMPLAINT = (
    "UNITED STATES DISTRICT COURT SOUTHERN DISTRICT OF NEW YORK THE DAILY EXAMPLE, Plaintiff, v. BOTCO, INC., "
    "Defendant. COMPLAINT\n"
    + "The Daily Example publishes news, and BotCo copied its articles to train a chatbot. " * 30
    + "\nCOUNT I: Copyright Infringement (17 U.S.C. § 501) Against All Defendants 40. The Daily Example "
    "realleges the preceding allegations.\n"
    + "BotCo's chatbot repeats the articles nearly word for word when users ask for them. " * 30
    + "\nCOUNT II: Trademark Dilution (15 U.S.C. § 1125(c)) Against BotCo 52. The Daily Example realleges "
    "the preceding allegations.\n"
    "COUNT III: Unfair Competition Against All Defendants 60. The Daily Example realleges them again.\n"
)


def test_which_questions_ask_for_counts():
    assert asks_counts("What counts does the Times plead?")
    assert asks_counts("Which causes of action does the complaint assert?")
    assert not asks_counts("Which claims survived the motion to dismiss?")  # a ruling's disposition
    assert not asks_counts("What did the court hold about fair use?")


def test_each_count_is_quoted_once_in_the_order_of_the_counts():
    doc = SourceDocument(source="c.txt", title="c", sha256="0" * 64, kind="complaint")

    def evidence(text):
        return Evidence(chunk=Chunk(chunk_id=text[:8], source="c.txt", title="c", page=1, start=0, end=len(text),
                                    text=text, doc_sha256="0" * 64, document=doc), score=0.0)

    later = evidence("more. COUNT IV: Unjust Enrichment Against BotCo 71. It realleges. COUNT II: Negligence 50. x")
    first = evidence("COUNT I: Copyright Infringement Against All Defendants 40. It realleges. COUNT II: Negligence 50.")
    counts = count_candidates([later, first], {"c.txt"})
    assert [c.text for c in counts] == ["COUNT I: Copyright Infringement Against All Defendants",
                                         "COUNT II: Negligence", "COUNT IV: Unjust Enrichment Against BotCo"]
    assert all(c.evidence.chunk.text[c.start:c.end] == c.text for c in counts)  # verbatim spans


def test_what_counts_a_complaint_pleads_lists_them_all(small_corpus, settings, fake_embedder):
    (small_corpus / "complaints").mkdir()
    (small_corpus / "complaints" / "daily-example-v-botco_2024-03-01_complaint.txt").write_text(COMPLAINT)
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    answerer = engine.answerer()
    answerer.calibration = replace(answerer.calibration, answerable=replace(answerer.calibration.answerable, threshold=0.0))
    answer = engine.ask("What causes of action does the Daily Example plead against BotCo?")
    assert [c.quote.split(":")[0] for c in answer.citations] == ["COUNT I", "COUNT II", "COUNT III"]


def test_a_holding_question_leads_with_the_ruling_of_the_lead_case():
    from chatbot.candidates import Candidate, holding_first
    from chatbot.passages import Intent

    doc = SourceDocument(source="o.txt", title="o", sha256="0" * 64, kind="opinion", case_name="A v. B")
    text = ("Ross built a search tool from the memos. The memos quoted the headnotes. "
            "It weighs against fair use here. The tool competes with Westlaw.")
    ev = Evidence(chunk=Chunk(chunk_id="c", source="o.txt", title="o", page=1, start=0, end=len(text), text=text,
                              doc_sha256="0" * 64, document=doc), score=0.0)

    def candidate(sentence, p):
        start = text.index(sentence)
        return Candidate(0, ev, start, start + len(sentence), sentence, probability=p,
                         window=(start, start + len(sentence)))

    background = [candidate("Ross built a search tool from the memos.", 0.3),
                  candidate("The memos quoted the headnotes.", 0.25)]
    ruling = candidate("It weighs against fair use here.", 0.1)
    ranked = background + [ruling]
    chosen = holding_first(background, ranked, Intent.of("A startup copied headnotes. Was that fair use?"), 280)
    assert chosen[0] is ruling and chosen[1:] == background
    # Not a holding question, or a ruling already chosen, or one too unlikely: unchanged.
    assert holding_first(background, ranked, Intent.of("Who built the tool?"), 280) == background
    assert holding_first([ruling] + background, ranked, Intent.of("Was that fair use?"), 280)[0] is ruling
    ruling.probability = 0.05
    assert holding_first(background, ranked, Intent.of("Was that fair use?"), 280) == background


def test_a_list_question_leads_with_the_line_that_lists():
    from chatbot.candidates import Candidate, holding_first
    from chatbot.passages import Intent

    doc = SourceDocument(source="s.htm", title="17 U.S.C. § 107", sha256="0" * 64, kind="statute")
    text = ("Fair use is not an infringement. The factors to be considered shall include (1) the purpose of the "
            "use; (2) the nature of the work; (3) the amount used; and (4) the effect on the market.")
    ev = Evidence(chunk=Chunk(chunk_id="c", source="s.htm", title="s", page=1, start=0, end=len(text), text=text,
                              doc_sha256="0" * 64, document=doc), score=0.0)
    spans = [(0, text.index(" The") + 0), (text.index("The"), len(text))]
    opening, listing = (Candidate(0, ev, a, b, text[a:b], probability=p, window=(a, b))
                        for (a, b), p in zip(spans, (0.4, 0.11)))
    assert holding_first([opening], [opening, listing], Intent.of("What are the four factors?"), 280) == [
        listing, opening]
    listing.probability = 0.09  # under a quarter of the likeliest: not the answer
    assert holding_first([opening], [opening, listing], Intent.of("What are the four factors?"), 280) == [opening]



def test_a_list_question_may_lead_with_another_documents_list():
    """The whole title led with § 202's words on ownership; § 106 lists the rights asked for."""
    from chatbot.candidates import Candidate, holding_first
    from chatbot.passages import Intent

    def candidate(source, text, p):
        doc = SourceDocument(source=source, title=source, sha256="0" * 64, kind="statute")
        ev = Evidence(chunk=Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=len(text),
                                  text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=p, window=(0, len(text)))

    ownership = candidate("title17.xml", "Ownership of a copyright is distinct from ownership of any material object.", 0.4)
    rights = candidate("sec106.htm", "The owner of copyright has the exclusive rights (1) to reproduce the work; "
                                     "(2) to prepare derivative works; and (3) to distribute copies.", 0.3)
    asked = Intent.of("What exclusive rights does a copyright owner have?")
    assert holding_first([ownership], [ownership, rights], asked, 280) == [rights, ownership]
    # A holding question keeps to the lead's case: another case's ruling does not lead.
    assert holding_first([ownership], [ownership, rights], Intent.of("Was that fair use?"), 280) == [ownership]


CODE_PAGE = (
    "Page 26 TITLE 17—COPYRIGHTS § 107 sale of that copy. (Added Pub. L. 101–650.) Editorial Notes REFERENCES IN "
    "TEXT Section 610(a) is set out as a note. § 107. Limitations on exclusive rights: Fair use Notwithstanding "
    "the provisions of section 106, the fair use of a copyrighted work is not an infringement of copyright. The "
    "factors to be considered shall include the purpose of the use. (Pub. L. 94–553.) HISTORICAL AND REVISION "
    "NOTES HOUSE REPORT NO. 94–1476 General Background of the Problem. The judicial doctrine of fair use is one "
    "of the most important limitations."
)


def test_a_code_sections_text_and_its_notes_are_told_apart():
    from ingest.headings import find_headings, prints_the_code

    assert prints_the_code([CODE_PAGE]) and not prints_the_code(["See 17 U.S.C. § 107. The court held so."])
    top = [(h.text, CODE_PAGE[h.start:h.start + 12]) for h in find_headings(CODE_PAGE, code=True) if h.level == 0]
    assert [t for t, _ in top] == ["Editorial Notes", "§ 107", "Editorial Notes"]
    assert not [h for h in find_headings("See 17 U.S.C. § 107. The court held so.") if h.level == 0]


def test_what_a_section_says_is_its_text_and_its_notes_are_labelled_and_come_after():
    from chatbot.passages import Intent
    from chatbot.shapes import asks_section, demote_notes, section_candidates
    from chatbot.types import Citation

    def chunk(text, heading, start):
        doc = SourceDocument(source="s107.htm", title="17 U.S.C. § 107", sha256="0" * 64, kind="statute")
        return Chunk(chunk_id=f"c{start}", source="s107.htm", title="17 U.S.C. § 107", page=None, start=start,
                     end=start + len(text), text=text, doc_sha256="0" * 64, heading=heading, document=doc)

    opening = chunk("17 U.S.C. Title 17. § 107. Limitations on exclusive rights: Fair use The fair use of a work "
                    "is not an infringement of copyright.", "", 0)
    factors = chunk("The factors to be considered shall include the purpose of the use. (Pub. L. 94–553.) "
                    "Historical and Revision Notes The doctrine is one of the most important limitations.", "§ 107", 100)
    notes = chunk("The judicial doctrine of fair use is one of the most important limitations.", "Editorial Notes", 300)
    assert asks_section("What does section 107 say?") == "107"
    assert asks_section("How does section 107 describe the purposes of fair use?") == "107"
    assert asks_section("What exclusive rights does 17 U.S.C. 106 give?") == "106"
    assert asks_section("What are the four factors in 17 U.S.C. § 107?") == "107"
    assert asks_section("What are the factors in § 1202(b)?") is None  # a subsection
    assert asks_section("Which subsections of § 1202 does the Times say were violated?") is None
    evidence = [Evidence(chunk=c, score=0.0) for c in (notes, factors, opening)]
    quoted = [c.text for c in section_candidates(evidence, "107", 280)]
    assert quoted[0].startswith("Limitations on exclusive rights") and "factors to be considered" in quoted[1]
    assert not any("doctrine" in q for q in quoted)  # the notes under it are not the section
    assert not any(q.startswith("(Pub. L.") for q in quoted)  # nor its history
    # A list asked for leads with the sentence that lists ("(1) … (2) …").
    listing = chunk("The factors to be considered shall include (1) the purpose of the use; (2) the nature of the "
                    "work. (Pub. L. 94–553.)", "§ 107", 100)
    listed = [Evidence(chunk=c, score=0.0) for c in (listing, opening)]
    quoted = [c.text for c in section_candidates(listed, "107", 280, Intent.of("What are the factors in § 107?"))]
    assert quoted[0].startswith("The factors to be considered") and quoted[1].startswith("Limitations")
    assert Citation.of(1, notes, notes.text).title == "17 U.S.C. § 107 (editorial notes)"
    # A chunk that begins in the section's text and runs into its notes: each quote by where it is.
    assert Citation.of(2, factors, "The factors to be considered shall include the purpose of the use.").title == (
        "17 U.S.C. § 107")
    assert Citation.of(3, factors, "The doctrine is one of the most important limitations.").title == (
        "17 U.S.C. § 107 (editorial notes)")
    candidates = [Candidate(0, evidence[0], 0, 10, notes.text, probability=0.8),
                  Candidate(1, evidence[1], 0, 10, factors.text, probability=0.8)]
    demote_notes(candidates, "What are the fair use factors?")
    assert [c.probability for c in candidates] == [0.4, 0.8]
    demote_notes(candidates, "What did the House Report say about fair use?")  # asked for: left as it is
    assert candidates[0].probability == 0.4


def test_a_sentence_that_asks_answers_nothing_unless_the_question_is_what_was_asked():
    from chatbot.shapes import demote_questions

    doc = SourceDocument(source="brief.txt", title="Brief", sha256="0" * 64, kind="brief")
    text = "Should leave to amend be granted under Rule 15? Leave to amend granted."
    chunk = Chunk(chunk_id="c0", source="brief.txt", title="Brief", page=1, start=0, end=len(text), text=text,
                  doc_sha256="0" * 64, heading="", document=doc)
    evidence = Evidence(chunk=chunk, score=0.0)

    def pool():
        return [Candidate(0, evidence, 0, 47, text[:47], probability=0.6),
                Candidate(0, evidence, 48, len(text), text[48:], probability=0.5)]

    asked = pool()
    demote_questions(asked, "Why did the judge grant leave to amend?")
    assert [c.probability for c in asked] == [0.3, 0.5]  # the ruling now leads its own question
    kept = pool()
    demote_questions(kept, "What questions did the court ask about leave to amend?")
    assert [c.probability for c in kept] == [0.6, 0.5]


def test_a_lawsuit_the_index_does_not_hold_is_named_in_the_abstention():
    from chatbot.names import absent_lawsuit
    from chatbot.unanswerable import unindexed_case_note

    def doc(source, case_name):
        return SourceDocument(source=source, title=case_name, sha256="0" * 64, kind="order", case_name=case_name)

    documents = {"a.txt": doc("a.txt", "Andersen v. Stability AI Ltd."), "k.txt": doc("k.txt", "Kadrey v. Meta Platforms, Inc.")}
    cited = "Fair use is not decided here; compare Getty Images v. Stability AI, pending in Delaware."
    assert absent_lawsuit("What did Disney and Universal allege in their lawsuit against Midjourney?", documents,
                          [cited]) == "Disney and Universal against Midjourney"
    assert absent_lawsuit("Has any court ruled on Disney's copyright suit against Midjourney?", documents, []) == (
        "Disney against Midjourney")
    assert absent_lawsuit("Is Getty Images' lawsuit against Stability AI decided?", documents, []) == (
        "Getty Images against Stability AI")
    # Indexed, or discussed in a passage the search found: the documents may speak to it.
    assert absent_lawsuit("What did the court hold in Kadrey v. Meta?", documents, []) is None
    assert absent_lawsuit("Which claims did the artists' case against Stability keep?", documents, []) is None
    assert absent_lawsuit("What did Getty Images v. Stability AI decide?", documents, [cited]) is None
    assert absent_lawsuit("What did Meta argue about fair use?", documents, []) is None  # no lawsuit named
    # A ruling asked for is told by a passage reporting one, not by one listing the lawsuit.
    listed = "The actions include Raw Story Media v. OpenAI and The Intercept v. OpenAI. All are in New York."
    reported = "Doe v. GitHub concerned code. There, the court concluded that removal could be inferred."
    assert absent_lawsuit("What did the court rule in Raw Story v. OpenAI?", documents, [listed]) == (
        "Raw Story against OpenAI")
    assert absent_lawsuit("Is Raw Story v. OpenAI part of the MDL?", documents, [listed]) is None  # no ruling asked
    # "Did the court find …?" asks for a ruling too: an amended complaint's citation reports none.
    alleged = "See Am. Compl., Getty Images (US), Inc. v. Stability AI, Inc. (alleging infringement by training)."
    assert absent_lawsuit("Did the court in Getty Images v. Stability AI find trademark infringement?", documents,
                          [alleged]) == "Getty Images against Stability AI"
    assert absent_lawsuit("What did the court decide in Doe v. GitHub?", documents, [reported]) is None
    chunk = Chunk(chunk_id="c0", source="a.txt", title="Andersen v. Stability AI Ltd.", page=1, start=0,
                  end=len(cited), text=cited, doc_sha256="0" * 64, heading="", document=documents["a.txt"])
    note = unindexed_case_note("What did Disney allege in its suit against Midjourney?", documents,
                               [Evidence(chunk=chunk, score=0.0)])
    assert note == ("The indexed documents do not answer this. The index holds no case of Disney against Midjourney. "
                    "The closest indexed documents are: Andersen v. Stability AI Ltd..")


def test_what_happened_after_the_case_documents_were_written_is_not_answered_from_them():
    from chatbot.unanswerable import after_the_record_note

    order = SourceDocument(source="k.txt", title="Kadrey v. Meta, Order", sha256="0" * 64, kind="order",
                           case_name="Kadrey v. Meta Platforms, Inc.", date="2025-06-25")
    note = after_the_record_note("How was the distribution claim resolved after the July 2025 conference?", [order], [])
    assert note == ("The indexed documents do not answer this. The question asks about July 2025; the latest indexed "
                    "document it concerns is dated 2025-06-25.")
    assert after_the_record_note("What did the court decide in the motion filed on August 8, 2025?", [order], [])
    # The month of the latest document, or an earlier one, may be what it tells.
    assert after_the_record_note("What did the June 2025 order hold, and what was argued in May 2025?", [order], []) is None
    assert after_the_record_note("What was filed after the June 2025 order?", [order], []) is None
    assert after_the_record_note("What did the court hold in July 2025?", [order.model_copy(update={"date": None})], []) is None


def test_an_event_no_document_of_the_case_mentions_is_not_answered(small_corpus, settings, fake_embedder):
    from chatbot.unanswerable import unmentioned_event_note

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    sources = set(engine.documents)
    note = unmentioned_event_note("How much did Acme agree to pay to settle the authors' claims?", sources,
                                  engine.lexical, engine.index, [])
    assert note == "The indexed documents do not answer this. No indexed document of the case mentions a settlement."
    assert unmentioned_event_note("Did the court rule on the motion?", sources, engine.lexical, engine.index, []) is None
    note = unmentioned_event_note("What defenses did Acme raise in its answer to the complaint?", sources,
                                  engine.lexical, engine.index, [])
    assert note and note.endswith("mentions an answer to the complaint.")
    assert unmentioned_event_note("What is the answer to whether training is fair use?", sources, engine.lexical,
                                  engine.index, []) is None  # not a pleading
    # The corpus's order grants summary judgment: asked of it, that is answered.
    assert unmentioned_event_note("How did the judge rule at summary judgment?", sources, engine.lexical,
                                  engine.index, []) is None
    # "The pirated library copies … go to trial" holds no trial: what was decided at one is not told.
    note = unmentioned_event_note("What did the court decide about the pirated copies at trial?", sources,
                                  engine.lexical, engine.index, [])
    assert note and note.endswith("mentions a trial.")
    assert unmentioned_event_note("What must the authors prove at trial?", sources, engine.lexical,
                                  engine.index, []) is None  # asks what is left for one
    (small_corpus / "opinions" / "gray-v-sprocketco_2024-06-01_order.txt").write_text(
        "UNITED STATES DISTRICT COURT. Gray v. SprocketCo. The parties told the court that they reached a settlement "
        "of the authors' claims, and the court approved it.", encoding="utf-8")
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    assert unmentioned_event_note("How much did SprocketCo agree to pay to settle?", set(engine.documents),
                                  engine.lexical, engine.index, []) is None
    assert unmentioned_event_note("Did the court grant rehearing en banc?", set(), engine.lexical, engine.index, []) is None


def test_a_part_of_a_report_the_index_does_not_hold_is_named_in_the_abstention():
    from chatbot.unanswerable import unindexed_part_note

    def doc(title):
        return SourceDocument(source=title, title=title, sha256="0" * 64, kind="report")

    notice = {"n": doc("Artificial Intelligence and Copyright: Notice of inquiry")}
    assert unindexed_part_note("What did the Office's Part 3 report conclude about fair use?", notice, []) == (
        "The indexed documents do not answer this. The index holds no Part 3 of that report.")
    assert unindexed_part_note("What did the Office conclude in Part 3 of its AI report?", notice, [])
    parts = notice | {"p": doc("Copyright and Artificial Intelligence, Part 3: Generative AI Training")}
    assert unindexed_part_note("What did the Office's Part 3 report conclude?", parts, []) is None
    assert unindexed_part_note("What does Part 3 of the order say?", notice, []) is None  # no report named



def test_a_ruling_of_a_judge_no_indexed_document_is_by_is_named_in_the_abstention():
    from chatbot.unanswerable import unindexed_judge_note

    documents = {"k": SourceDocument(source="k", title="Kadrey v. Meta", sha256="0" * 64, judge="Vince Chhabria"),
                 "t": SourceDocument(source="t", title="Tremblay v. OpenAI", sha256="1" * 64,
                                     judge="Araceli Martínez-Olguín")}
    assert unindexed_judge_note("What did Judge Stein rule on OpenAI's motion to dismiss?", documents, []) == (
        "The indexed documents do not answer this. No indexed ruling is by Judge Stein.")
    assert unindexed_judge_note("How did Judge Rakoff's order treat the DMCA claim?", documents, [])
    assert unindexed_judge_note("Did Judge Chhabria rule for Meta?", documents, []) is None
    assert unindexed_judge_note("What did Judge Martinez-Olguin dismiss?", documents, []) is None  # accents folded
    # A judge named without a ruling of his own asked for: the documents may well tell it.
    assert unindexed_judge_note("Which cases were assigned to Judge Stein?", documents, []) is None

def test_over_several_rulings_of_one_case_the_latest_leads_a_holding_question():
    from chatbot.passages import Intent
    from chatbot.shapes import EARLIER_WEIGHT, prefer_latest_ruling

    def candidate(source, date, case="Thomson Reuters v. ROSS"):
        doc = SourceDocument(source=source, title=source, sha256="0" * 64, kind="opinion", case_name=case, date=date)
        chunk = Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=20, text="I grant summary judgment.",
                      doc_sha256="0" * 64, heading="", document=doc)
        return Candidate(0, Evidence(chunk=chunk, score=0.0), 0, 20, chunk.text, probability=0.5)

    pool = [candidate("2022.txt", "2022-04-26"), candidate("2025.txt", "2025-02-11")]
    prefer_latest_ruling(pool, Intent.of("Who won in Thomson Reuters v. Ross?"), {"2022.txt", "2025.txt"})
    assert [c.probability for c in pool] == [0.5 * EARLIER_WEIGHT, 0.5]
    # Not for a question that asks no holding, nor across cases.
    pool = [candidate("2022.txt", "2022-04-26"), candidate("2025.txt", "2025-02-11")]
    prefer_latest_ruling(pool, Intent.of("What is a headnote?"), {"2022.txt", "2025.txt"})
    assert [c.probability for c in pool] == [0.5, 0.5]
    pool = [candidate("a.txt", "2022-04-26", "A v. B"), candidate("c.txt", "2025-02-11", "C v. D")]
    prefer_latest_ruling(pool, Intent.of("Who won?"), {"a.txt", "c.txt"})
    assert [c.probability for c in pool] == [0.5, 0.5]


def test_the_passage_after_each_of_the_best_joins_the_evidence():
    from chatbot.retrieval import following_chunks

    doc = SourceDocument(source="o.txt", title="o", sha256="0" * 64, kind="order")
    chunks = {f"c{n}": Chunk(chunk_id=f"c{n}", source="o.txt", title="o", page=1, start=n * 10, end=n * 10 + 9,
                             text=f"Sentence number {n} of the order.", doc_sha256="0" * 64, document=doc)
              for n in range(6)}

    class Lexical:
        def chunk_ids(self, source):
            return list(chunks)  # reading order

    class Index:
        def get_chunks(self, ids):
            return [chunks[i] for i in ids]

    evidence = [Evidence(chunk=chunks[i], score=0.0) for i in ("c1", "c2", "c5", "c3")]
    # Each follower is already there (c2, c3), or there is none (c5).
    assert following_chunks(Lexical(), Index().get_chunks, evidence) == []
    evidence = [Evidence(chunk=chunks[i], score=0.0) for i in ("c0", "c3", "c5")]
    assert [e.chunk.chunk_id for e in following_chunks(Lexical(), Index().get_chunks, evidence)] == ["c1", "c4"]
    assert following_chunks(None, Index().get_chunks, evidence) == []
    evidence = [Evidence(chunk=chunks[i], score=0.0) for i in ("c0", "c2", "c5", "c3")]
    assert [e.chunk.chunk_id for e in following_chunks(Lexical(), Index().get_chunks, evidence)] == ["c1"]  # not c3's: 4th


def _finding_all(chunks: dict) -> tuple:
    """A lexical index whose every search finds all of ``chunks``, and the index that holds them."""

    class Lexical:
        def search(self, query, k, sources=None):
            return [(cid, 1.0) for cid in chunks]

    class Index:
        def get_chunks(self, ids):
            return [chunks[i] for i in ids]

    return Lexical(), Index()


def test_a_conclusion_that_decides_in_words_disposes():
    from chatbot.shapes import disposition_chunks

    doc = SourceDocument(source="t.txt", title="t", sha256="0" * 64, kind="opinion", case_name="C v. A")
    texts = {"c1": "The Court addresses each motion in turn. Plaintiffs seek expedited disposition.",
             "c2": "IV. CONCLUSION For the foregoing reasons, the motion will be granted in part and denied in part, "
                   "and this case will be transferred to the Northern District of California."}
    chunks = {cid: Chunk(chunk_id=cid, source="t.txt", title="t", page=n, start=0, end=len(t), text=t,
                         doc_sha256="0" * 64, document=doc) for n, (cid, t) in enumerate(texts.items(), start=1)}

    lexical, index = _finding_all(chunks)

    # "What happened to the case?": no GRANTED in capitals, yet the conclusion is where it was decided.
    assert [e.chunk.chunk_id for e in disposition_chunks(lexical, index, {"t.txt"}, {"t.txt": doc})] == ["c2"]
    # An appellate opinion's last part has no heading: "For the foregoing reasons, … is affirmed."
    texts["c2"] = "V For the foregoing reasons, the district court's denial of the application is affirmed. So ordered."
    chunks["c2"] = chunks["c2"].model_copy(update={"text": texts["c2"], "end": len(texts["c2"])})
    found = disposition_chunks(lexical, index, {"t.txt"}, {"t.txt": doc}, conclusion=True)
    assert [e.chunk.chunk_id for e in found] == ["c2"]


def test_a_ruling_all_the_best_passages_come_from_is_the_one_asked_about():
    from chatbot.shapes import leading_shapes

    doc = SourceDocument(source="t.txt", title="t", sha256="0" * 64, kind="order", case_name="C v. A")
    texts = {f"c{n}": f"Plaintiffs argue point {n} at length in their brief." for n in range(6)}
    texts["end"] = "CONCLUSION For the foregoing reasons, the claim for unjust enrichment is DISMISSED."
    chunks = {cid: Chunk(chunk_id=cid, source="t.txt", title="t", page=1, start=0, end=len(t), text=t,
                         doc_sha256="0" * 64, document=doc) for cid, t in texts.items()}

    lexical, index = _finding_all(chunks)

    evidence = [Evidence(chunk=chunks[f"c{n}"], score=0.0) for n in range(6)]
    question = "What happened to the unjust enrichment claim?"  # no case named: the search found one ruling
    found = leading_shapes(question, evidence, set(), {"t.txt": doc}, lexical, index)
    assert found[0].chunk.chunk_id == "end"
    # Passages of several documents name no ruling: nothing leads.
    mixed = evidence[:4] + [Evidence(chunk=chunks["c4"].model_copy(update={"source": "u.txt"}), score=0.0)]
    assert leading_shapes(question, mixed, set(), {"t.txt": doc, "u.txt": doc}, lexical, index) == mixed


def test_what_is_a_name_prefers_the_sentence_that_says_what_it_is():
    from chatbot.candidates import Candidate
    from chatbot.lookups import prefer_definitions

    def candidate(text):
        doc = SourceDocument(source="o.txt", title="o", sha256="0" * 64, kind="opinion", case_name="A v. B")
        ev = Evidence(chunk=Chunk(chunk_id="c", source="o.txt", title="o", page=1, start=0, end=len(text), text=text,
                                  doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=0.2, window=(0, len(text)))

    defines = [candidate("Images were scraped through an organization (LAION, Large-Scale Artificial Intelligence "
                         "Open Network) paid by Stability."),
               candidate("Dr. Thaler created a generative artificial intelligence named the “Creativity Machine.”")]
    uses = candidate("The plaintiffs say the LAION datasets hold their works.")
    prefer_definitions(defines + [uses], "What is LAION?")
    assert defines[0].probability == pytest.approx(0.6) and uses.probability == 0.2
    appositive = candidate("ByteDance released version 2.0 of Seedance, its generative AI video model.")
    prefer_definitions([appositive], "What is Seedance?")
    assert appositive.probability == pytest.approx(0.6)
    prefer_definitions(defines, "What is the Creativity Machine?")  # and above the best line that only names it
    assert defines[1].probability == pytest.approx(0.6 * 1.01)
    term = candidate("A “derivative work” is a work based upon one or more preexisting works.")
    prefer_definitions([term, uses], "How does the Copyright Act define a derivative work?")
    assert term.probability == pytest.approx(0.6)
    term.probability = 0.2
    prefer_definitions([term], "What is the definition of a derivative work in the statute?")
    assert term.probability == pytest.approx(0.6)
    prefer_definitions([uses], "What is the holding about LAION's datasets and why does it matter for training?")
    assert uses.probability == 0.2


def test_a_sentence_quoted_before_is_not_printed_again_as_anothers_context():
    """Chunks overlap: "What is Seedance?" quoted the release sentence from one chunk, and again
    from the next, as the context opening another quote."""
    from chatbot.quotes import quote_spans

    release = "ByteDance released version 2.0 of Seedance, its video model."
    spread = "It was first offered in China through ByteDance's own apps."

    def candidate(chunk_id, text, sentence, window_start):
        ev = Evidence(chunk=Chunk(chunk_id=chunk_id, source="d.md", title="d", page=1, start=0, end=len(text),
                                  text=text, doc_sha256="0" * 64), score=0.0)
        start = text.index(sentence)
        return Candidate(0, ev, start, start + len(sentence), sentence, window=(window_start(text), len(text)))

    alone = candidate("a", f"Earlier text. {release}", release, lambda t: t.index(release))
    after = candidate("b", f"{release} {spread}", spread, lambda t: 0)
    spans = quote_spans([alone, after], survey=False)
    assert [ev.chunk.text[a:b] for ev, a, b in spans] == [release, spread]
    # Not printed before: the context stays.
    assert quote_spans([after], survey=False)[0][1] == 0


def test_a_chosen_ruling_leads_from_as_low_as_it_may_join():
    """A ruling among the chosen quotes leads a holding question if it comes within the floor
    at which holding_first would have added it (0.3 of the likeliest), not only within half."""
    from chatbot.candidates import most_direct
    from chatbot.passages import Intent

    doc = SourceDocument(source="o.txt", title="o", sha256="0" * 64, kind="opinion", case_name="A v. B")
    text = "Ross bought memos from LegalEase to train its tool. It weighs against fair use here."
    ev = Evidence(chunk=Chunk(chunk_id="c", source="o.txt", title="o", page=1, start=0, end=len(text), text=text,
                              doc_sha256="0" * 64, document=doc), score=0.0)
    split = text.index("It weighs")
    background = Candidate(0, ev, 0, split - 1, text[:split - 1], probability=0.3, window=(0, split - 1))
    ruling = Candidate(0, ev, split, len(text), text[split:], probability=0.1, window=(split, len(text)))
    assert most_direct([background, ruling], Intent.of("Did the court accept its fair use defense?")) is ruling
    assert most_direct([background, ruling], Intent.of("Who sold the memos?")) is background
    ruling.probability = 0.08
    assert most_direct([background, ruling], Intent.of("Did the court accept its fair use defense?")) is background


def test_a_precedent_the_index_does_not_hold_is_read_where_the_opinions_discuss_it(small_corpus, settings,
                                                                                      fake_embedder):
    """"What did the Supreme Court hold in Campbell v. Acuff-Rose?": no indexed document is of that
    case, so the passages that cite it lead the evidence; a case the index holds is not a precedent."""
    from chatbot.names import unindexed_lawsuit

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    documents = engine.documents
    assert unindexed_lawsuit("What did the Supreme Court hold in Campbell v. Acuff-Rose?", documents) == [
        frozenset({"campbel"}), frozenset({"acuff", "rose"})]
    assert unindexed_lawsuit("What did the court hold in Smith v. Acme?", documents) is None
    prepared = engine.prepare("What did the Supreme Court hold in Campbell v. Acuff-Rose?")
    assert "Campbell" in prepared.evidence[0].chunk.text


@pytest.mark.parametrize("text, asks_verdict", [
    ("What did the jury decide in Thomson Reuters v. Ross?", True),
    ("What damages did a jury award Thomson Reuters?", True),
    ("The jury found for Thomson Reuters.", True),
    ("A reasonable jury could find infringement.", False),  # a summary judgment's standard, no verdict
    ("Which issues must a jury decide at trial?", False),
    ("Did the court send fair use to a jury?", False),
])
def test_a_verdict_is_asked_for_or_mentioned(text, asks_verdict):
    from chatbot.unanswerable import _EVENTS

    assert bool(_EVENTS["a jury's verdict"][1].search(text)) is asks_verdict


@pytest.mark.parametrize("text, rules_on_class", [
    ("How did the court rule on the class certification motion the plaintiffs filed in August 2025?", True),
    ("Did Judge Chhabria certify a class of authors?", True),
    ("When must the plaintiffs move for class certification?", False),  # a deadline, not a ruling
])
def test_a_ruling_on_class_certification_is_asked_for(text, rules_on_class):
    from chatbot.unanswerable import _EVENTS

    asked, told = _EVENTS["a ruling on class certification"][1:]
    assert bool(asked.search(text)) is rules_on_class
    # A deadline to move for it is no ruling on it; certifying a class is.
    assert not told.search("Plaintiffs will have eight months for discovery before filing their class certification motion.")
    assert told.search("The court certified a class tied to the pirated books in July 2025.")


def test_a_ruling_on_fair_use_is_asked_for_and_told():
    from chatbot.unanswerable import _EVENTS

    asked, told = _EVENTS["a ruling on fair use"][1:]
    assert asked.search("What did the court decide about OpenAI's fair use defense in Tremblay?")
    assert asked.search("How did the Concord court rule on fair use?")
    assert not asked.search("Did the court in the lyrics case rule on fair use?")  # asks whether: "no" answers it
    assert not asked.search("What is fair use?")
    assert told.search("This order grants summary judgment for Anthropic that the training use was a fair use.")
    assert told.search("Factor one weighs against fair use.") or told.search("It weighs against fair use here.")
    assert not told.search("Anthropic maintains that its use of the lyrics constitutes fair use under section 107.")


def test_an_injunction_or_sanctions_are_asked_for_and_told():
    from chatbot.unanswerable import _EVENTS

    asked, told = _EVENTS["a ruling on an injunction"][1:]
    assert asked.search("What injunction did Judge Alsup issue against Anthropic?")
    assert asked.search("Did the court in Kadrey grant a preliminary injunction against Meta?")
    assert not asked.search("Why did the publishers want an injunction?")
    assert told.search("For the foregoing reasons, Publishers are not entitled to the extraordinary remedy of a "
                       "preliminary injunction.")
    assert told.search("2. Preliminary injunction denied (N.D. Cal., March 25, 2025).")
    assert not told.search("(discussing music publishers' motion for a preliminary injunction seeking relief)")
    assert _EVENTS["sanctions"][1].search("What sanctions did the court impose on ROSS?")


def test_a_trial_date_is_asked_for_and_told():
    from chatbot.unanswerable import _EVENTS

    asked, told = _EVENTS["a trial date"][1:]
    assert asked.search("When is the trial in the New York Times case scheduled?")
    assert asked.search("Is a trial date set in Kadrey?")
    assert not asked.search("What did the court decide at trial?")  # a trial held: another event
    assert told.search("The case is set for a jury trial on December 1, 2025.")
    assert not told.search("We will have a trial on the pirated copies.")


@pytest.mark.parametrize("question, asks_appeal", [
    ("Did Meta appeal the ruling?", True),
    ("Did Anthropic appeal Judge Alsup's fair use ruling to the Ninth Circuit?", True),
    ("What did the D.C. Circuit decide on appeal?", True),
    ("What did the appeals court hold?", False),  # the court, not an appeal taken
    ("Does the ruling appeal to market harm?", False),
])
def test_an_appeal_is_asked_for(question, asks_appeal):
    from chatbot.unanswerable import _EVENTS

    assert bool(_EVENTS["an appeal"][1].search(question)) is asks_appeal
    # A passage tells an appeal taken, not a "Court of Appeals" it cites.
    told = _EVENTS["an appeal"][2]
    assert told.search("Ross, 765 F. Supp. 3d 382, appeal docketed, No. 25-8018 (3d Cir. 2025)")
    assert not told.search("The Court of Appeals for the Ninth Circuit has not reappraised bad faith.")


def test_when_a_ruling_was_decided_is_answered_by_the_line_that_dates_it(small_corpus, settings, fake_embedder):
    """"When was the Acme order decided?" shares no word with "Dated: January 2, 2024 MARIA LOPEZ
    United States District Judge", which answers it; a signature line is quotable for it."""
    from chatbot.passages import Intent, is_quotable

    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    answerer = engine.answerer()
    answerer.calibration = replace(answerer.calibration, answerable=replace(answerer.calibration.answerable, threshold=0.0))
    answer = engine.ask("When was the order in Smith v. Acme decided?")
    assert "Dated: January 2, 2024" in answer.citations[0].quote
    signature = "Dated: January 2, 2024 ____________ MARIA LOPEZ United States District Judge"
    assert is_quotable(signature, Intent.of("When was the order in Smith v. Acme decided?"))
    assert not is_quotable(signature, Intent.of("Was copying the novels a fair use?"))


def test_cases_side_by_side_each_get_their_ruling():
    """"Compare how Judge Lee handled vicarious infringement in the lyrics case and the Google
    case": each case's ruling joins its own quotes, not only the lead case's."""
    from chatbot.candidates import case_of, holding_first
    from chatbot.passages import Intent

    def candidate(case, text, p):
        doc = SourceDocument(source=f"{case}.txt", title=case, sha256="0" * 64, kind="order", case_name=case)
        ev = Evidence(chunk=Chunk(chunk_id=case + text[:5], source=f"{case}.txt", title=case, page=1, start=0,
                                  end=len(text), text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=p, window=(0, len(text)))

    google = [candidate("In re Google", "The complaint describes Alphabet and Google.", 0.4),
              candidate("In re Google", "The vicarious infringement claims against Alphabet are dismissed.", 0.2)]
    concord = [candidate("Concord v. Anthropic", "Publishers say Anthropic profits from the lyrics.", 0.3),
               candidate("Concord v. Anthropic", "The Court grants the motion as to vicarious infringement.", 0.1)]
    chosen = [google[0], concord[0]]
    asked = Intent.of("Compare how Judge Lee handled vicarious infringement in the two cases.")
    out = holding_first(chosen, google + concord, asked, 280, side=case_of)
    assert google[1] in out and concord[1] in out
    assert holding_first(chosen, google + concord, asked, 280) == [google[1]] + chosen  # the lead case alone
    # Over the budget, the last turns make room, not the case that happened to be weighed first.
    long = [candidate("In re Google", "Google argued at length. " * 6, 0.35),
            candidate("Concord v. Anthropic", "Anthropic argued at length. " * 6, 0.25)]
    out = holding_first([google[0], concord[0]] + long, google + concord + long, asked, 45, side=case_of)
    assert {case_of(c) for c in out} == {"In re Google", "Concord v. Anthropic"}
    assert google[1] in out and concord[1] in out


def test_a_section_of_the_whole_title_runs_on_past_the_chunk_of_its_heading():
    """In Title 17 as one file, chunks carry no heading: "What does section 1202 prohibit?" reads
    (a) in the heading's chunk and (b) in the next one, and stops at § 1203."""
    from chatbot.shapes import asks_section, section_candidates

    doc = SourceDocument(source="title17.xml", title="Title 17", sha256="0" * 64, kind="statute")
    texts = ["§ 1202. Integrity of copyright management information (a) No person shall provide false information.",
             "(b) No person shall intentionally remove copyright management information.",
             "(c) Definition of the term. § 1203. Civil remedies (a) Any person injured may sue."]
    chunks, start = [], 0
    for n, text in enumerate(texts):
        chunks.append(Chunk(chunk_id=f"c{n}", source="title17.xml", title="Title 17", page=None, start=start,
                            end=start + len(text), text=text, doc_sha256="0" * 64, heading="", document=doc))
        start += len(text) + 1
    assert asks_section("What does section 1202 prohibit?") == "1202"
    quoted = [c.text for c in section_candidates([Evidence(chunk=c, score=0.0) for c in chunks], "1202", 280)]
    assert any(q.startswith("(b) No person shall intentionally remove") for q in quoted)
    assert any(q.startswith("(c) Definition") for q in quoted) and not any("Civil remedies" in q for q in quoted)
    # Another print holding the section among the evidence: one print is read, and nothing fails.
    other = Chunk(chunk_id="p1", source="sec1202.pdf", title="17 U.S.C. § 1202", page=1, start=0, end=40,
                  text="§ 1202. Integrity of copyright management information", doc_sha256="0" * 64, heading="",
                  document=doc)
    evidence = [Evidence(chunk=other, score=0.0)] + [Evidence(chunk=c, score=0.0) for c in chunks]
    assert section_candidates(evidence, "1202", 280)
    assert section_candidates(evidence[::-1], "1202", 280)


def test_a_question_about_a_courts_words_hears_the_courts_when_no_best_passage_is_a_ruling():
    from chatbot.query import rulings_unheard

    def doc(source, kind, court=None):
        return SourceDocument(source=source, title=source, sha256="0" * 64, kind=kind, court=court)

    documents = {"noi.pdf": doc("noi.pdf", "notice"), "thaler.txt": doc("thaler.txt", "opinion", "D.D.C."),
                 "title17.xml": doc("title17.xml", "statute")}

    def passage(source):
        return Evidence(chunk=Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=4, text="text",
                                    doc_sha256="0" * 64, document=documents[source]), score=0.0)

    asked = "What earlier cases about animals did the district court point to?"
    assert rulings_unheard(asked, [passage("noi.pdf")] * 5, documents) == {"thaler.txt"}
    assert rulings_unheard(asked, [passage("thaler.txt"), passage("noi.pdf")], documents) == set()
    assert rulings_unheard("What did the Office ask about animals?", [passage("noi.pdf")], documents) == set()


def test_a_courts_ruling_leads_a_holding_question_over_a_reports_line():
    """"Was training Claude on purchased books fair use?" led with the Office's licensing
    recommendation; Bartz's "Copying the books to train LLMs was fair use" now leads."""
    from chatbot.candidates import most_direct
    from chatbot.passages import Intent

    def candidate(source, case, text, p):
        doc = SourceDocument(source=source, title=source, sha256="0" * 64, kind="summary", case_name=case)
        ev = Evidence(chunk=Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=len(text),
                                  text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=p, window=(0, len(text)))

    report = candidate("part3.md", None, "The Office recommended letting licensing markets develop.", 0.3)
    ruling = candidate("bartz.md", "Bartz v. Anthropic", "Copying the books to train LLMs was fair use.", 0.2)
    assert most_direct([report, ruling], Intent.of("Was training Claude on purchased books fair use?")) is ruling
    assert most_direct([report, ruling], Intent.of("What did the Office recommend on licensing?")) is report


def test_a_when_question_gets_the_passage_that_dates_it():
    from chatbot.lookups import asks_date, dated_passages

    assert asks_date("When were initial comments due on the notice of inquiry?")
    assert asks_date("Who decided it, and when was it filed?") and asks_date("What year was the MDL created?")
    assert not asks_date("What happened when an applicant tried to register a graphic novel?")
    doc = SourceDocument(source="n.pdf", title="Notice", sha256="0" * 64, kind="report")
    texts = {"c1": "The Office launched an initiative on comments about training in early 2023.",
             "c2": "DATES: Written comments are due no later than Wednesday, October 18, 2023.",
             "c3": "Reply comments are welcome from anyone."}
    chunks = {cid: Chunk(chunk_id=cid, source="n.pdf", title="n", page=1, start=0, end=len(t), text=t,
                         doc_sha256="0" * 64, document=doc) for cid, t in texts.items()}

    class Lexical:
        def search(self, query, k, sources=None):
            assert sources == {"n.pdf"}
            return [(cid, 1.0) for cid in chunks][:k]

    class Index:
        def get_chunks(self, ids):
            return [chunks[i] for i in ids]

    # "early 2023" dates nothing asked; the line with the day does.
    found = dated_passages(Lexical(), Index(), "When were comments due?", {"n.pdf"})
    assert [e.chunk.chunk_id for e in found] == ["c2"]
    assert dated_passages(None, Index(), "When were comments due?", {"n.pdf"}) == []


def test_why_a_court_ruled_prefers_the_sentences_that_give_its_reason():
    from chatbot.candidates import Candidate
    from chatbot.lookups import REASON_WEIGHT, prefer_reasons

    def candidate(text, case, p):
        doc = SourceDocument(source=f"{case}.txt", title=case, sha256="0" * 64, kind="order", case_name=case)
        ev = Evidence(chunk=Chunk(chunk_id=text[:6], source=doc.source, title=case, page=1, start=0, end=len(text),
                                  text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=p, window=(0, len(text)))

    heading = candidate("A. Vicarious Copyright Infringement (Count II) OpenAI moves to dismiss.", "T v. O", 0.5)
    reason = candidate("Plaintiffs must show substantial similarity between the outputs and the books.", "T v. O", 0.3)
    elsewhere = candidate("The claim against the parent does not show control over training.", "A v. G", 0.3)
    prefer_reasons([heading, reason, elsewhere], "On what ground was the vicarious count dismissed?")
    assert reason.probability == pytest.approx(0.3 * REASON_WEIGHT) and heading.probability == 0.5
    assert elsewhere.probability == 0.3  # another case's reasons answer nothing asked
    prefer_reasons([reason], "Which counts were dismissed?")  # not asked why: left as it is
    assert reason.probability == pytest.approx(0.3 * REASON_WEIGHT)


def test_a_full_name_no_passage_found_fetches_the_passages_that_name_it():
    from chatbot.lookups import named_chunks

    doc = SourceDocument(source="b.pdf", title="Order", sha256="0" * 64, kind="order")
    texts = {"c1": "Work made for hire belongs to the employer.", "c2": "Anthropic hired Tom Turvey to buy books.",
             "c3": "Texas law governs the contract."}
    chunks = {cid: Chunk(chunk_id=cid, source="b.pdf", title="Order", page=1, start=0, end=len(t), text=t,
                         doc_sha256="0" * 64, document=doc) for cid, t in texts.items()}

    class Lexical:
        def document_frequency(self, token, sources=None):
            return sum(token in t.lower() for t in texts.values())

        def search(self, query, k, sources=None):
            return [("c2", 2.0), ("c3", 1.0)]

    class Index:
        def get_chunks(self, ids):
            return [chunks[i] for i in ids]

    found = [Evidence(chunk=chunks["c1"], score=0.0)]
    assert [e.chunk.chunk_id for e in named_chunks(Lexical(), Index(), "Who is Tom Turvey?", found, None)] == ["c2"]
    # One word names too much ("Texas"), and a name the evidence holds needs no lookup.
    assert named_chunks(Lexical(), Index(), "What is the law in Texas?", found, None) == []
    found.append(Evidence(chunk=chunks["c2"], score=0.0))
    assert named_chunks(Lexical(), Index(), "Who is Tom Turvey?", found, None) == []


def test_a_ruling_at_summary_judgment_is_not_read_from_a_case_decided_on_the_pleadings():
    from chatbot.unanswerable import unmentioned_event_note

    doc = SourceDocument(source="t.txt", title="Order", sha256="0" * 64, kind="order")
    chunk = Chunk(chunk_id="c", source="t.txt", title="Order", page=1, start=0, end=60, doc_sha256="0" * 64,
                  text="The Court grants in part the motions to dismiss the negligence claim.", document=doc)

    class Lexical:
        def search(self, query, k, sources=None):
            return [("c", 1.0)]

    class Index:
        def get_chunks(self, ids):
            return [chunk]

    note = unmentioned_event_note("How did Judge Martinez-Olguin rule on fair use at summary judgment?", {"t.txt"},
                                  Lexical(), Index(), [])
    assert note and note.endswith("mentions a summary judgment.")


def test_what_a_complaint_asks_for_is_read_from_its_prayer_for_relief():
    from chatbot.lookups import asks_relief, relief_chunks

    assert asks_relief("What remedy did the Times seek against Microsoft?")
    assert asks_relief("Do the authors seek damages or an injunction?")
    assert not asks_relief("What did the Times allege about ChatGPT?")
    assert asks_relief("What is the Times asking the court to destroy?")
    doc = SourceDocument(source="c.txt", title="Complaint", sha256="0" * 64, kind="complaint")
    texts = {"c1": "COUNT I: Copyright Infringement. The Times incorporates the allegations above.",
             "c2": "PRAYER FOR RELIEF WHEREFORE, The Times demands judgment against each Defendant as follows:",
             "c3": "1. Awarding statutory damages; 2. Permanently enjoining Defendants; 3. Ordering destruction."}
    chunks = {cid: Chunk(chunk_id=cid, source="c.txt", title="Complaint", page=None, start=0, end=len(t), text=t,
                         doc_sha256="0" * 64, document=doc) for cid, t in texts.items()}

    class Lexical:
        def search(self, query, k, sources=None):
            return [("c1", 2.0), ("c2", 1.0)]

        def chunk_ids(self, source):
            return list(chunks)

    class Index:
        def get_chunks(self, ids):
            return [chunks[i] for i in ids]

    assert [e.chunk.chunk_id for e in relief_chunks(Lexical(), Index(), {"c.txt"})] == ["c2", "c3"]
    assert relief_chunks(None, Index(), {"c.txt"}) == []


def test_what_a_complaint_asks_for_leads_with_its_prayers_lines():
    from chatbot.lookups import prefer_relief

    doc = SourceDocument(source="c.txt", title="Complaint", sha256="0" * 64, kind="complaint")

    def candidate(text, probability):
        ev = Evidence(chunk=Chunk(chunk_id=text[:8], source="c.txt", title="Complaint", page=None, start=0,
                                  end=len(text), text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=probability, window=(0, len(text)))

    history = candidate("Founded in 1851, The New York Times has a long history of independent journalism.", 0.3)
    prayer = candidate("Ordering destruction under 17 U.S.C. § 503(b) of all models that incorporate Times Works;", 0.2)
    prefer_relief([history, prayer], "What remedies does the New York Times want?")
    assert prayer.probability > history.probability
    prayer.probability = 0.2
    prefer_relief([history, prayer], "What did the New York Times allege?")  # not what it asks for
    assert prayer.probability == 0.2


@pytest.mark.parametrize("question, disposing", [
    ("Which claims survived the motion to dismiss?", True),
    ("Which claims remain in Tremblay v. OpenAI?", True),
    ("What are the plaintiffs' remaining claims after the February 2024 order?", True),
    ("Which claims were allowed to proceed?", True),
    ("What did the Times allege about ChatGPT?", False),
])
def test_what_a_ruling_left_of_the_claims_is_asked_of_its_disposition(question, disposing):
    from chatbot.shapes import disposes

    assert disposes(question) is disposing


def test_an_event_is_looked_for_in_the_cases_of_the_party_named():
    from chatbot.unanswerable import unindexed_note

    def doc(source, case):
        return SourceDocument(source=source, title=source, sha256="0" * 64, kind="order", case_name=case)

    visible = {"books.txt": doc("books.txt", "Bartz v. Anthropic PBC"), "lyrics.txt": doc("lyrics.txt", "Concord v. Anthropic"),
               "noi.pdf": doc("noi.pdf", None)}
    text = "Whether training on lawfully bought books is fair use remains unsettled elsewhere."
    chunk = Chunk(chunk_id="c", source="books.txt", title="b", page=1, start=0, end=len(text), text=text,
                  doc_sha256="0" * 64, document=visible["books.txt"])
    office = chunk.model_copy(update={"chunk_id": "n", "source": "noi.pdf", "document": visible["noi.pdf"]})

    class Lexical:
        def search(self, query, k, sources=None):
            return [("c", 1.0)] if sources and "books.txt" in sources else []

    class Index:
        def get_chunks(self, ids):
            return [chunk for _ in ids]

    # The best passage is the Office's, no case's: the question names Anthropic, whose cases say nothing of it.
    note = unindexed_note("How much did Anthropic agree to pay to settle?", visible, set(),
                          [Evidence(chunk=office, score=0.0)], Lexical(), Index())
    assert note and "mentions a settlement" in note
    assert unindexed_note("How much did the Office pay to settle?", visible, set(), [Evidence(chunk=office, score=0.0)],
                          Lexical(), Index()) is None


def test_a_ruling_is_not_read_from_a_case_whose_only_documents_are_its_pleadings():
    from chatbot.unanswerable import pleadings_only_note

    complaint = SourceDocument(source="c.txt", title="Complaint", sha256="0" * 64, kind="complaint", case_name="T v. M")
    order = SourceDocument(source="o.txt", title="Order", sha256="1" * 64, kind="order", case_name="T v. M")
    asked = "How did the court rule on Microsoft's motion to dismiss in the Times case?"
    note = pleadings_only_note(asked, [complaint], [])
    assert note and "pleadings" in note
    assert pleadings_only_note(asked, [complaint, order], []) is None  # a ruling of the case is indexed
    assert pleadings_only_note("What does the Times claim about Microsoft?", [complaint], []) is None  # no ruling asked
    assert pleadings_only_note(asked, [], []) is None  # no case named


def test_a_complaints_allegations_count_less_on_a_question_of_law_naming_no_case():
    from chatbot.shapes import ALLEGED_WEIGHT, demote_allegations

    def candidate(kind, text):
        doc = SourceDocument(source=f"{kind}.txt", title=kind, sha256="0" * 64, kind=kind, case_name="A v. B")
        ev = Evidence(chunk=Chunk(chunk_id=kind, source=f"{kind}.txt", title=kind, page=1, start=0, end=len(text),
                                  text=text, doc_sha256="0" * 64, document=doc), score=0.0)
        return Candidate(0, ev, 0, len(text), text, probability=0.5, window=(0, len(text)))

    alleged = candidate("complaint", "OpenAI has sold subscriptions to New York residents.")
    ruled = candidate("opinion", "A website reachable everywhere is not aimed at Tennessee.")
    demote_allegations([alleged, ruled], set())
    assert alleged.probability == 0.5 * ALLEGED_WEIGHT and ruled.probability == 0.5
    alleged.probability = 0.5
    demote_allegations([alleged, ruled], {"complaint.txt"})  # the complaint asked about: its lines are the answer
    assert alleged.probability == 0.5


@pytest.mark.parametrize("question, when_ruled", [
    ("When was the Kadrey order decided?", True),
    ("What date did the JPML issue its transfer order?", True),
    ("Which day did the judge sign it?", True),
    ("What date were comments due?", False),  # a date, not when a ruling was made
])
def test_when_a_ruling_was_made_is_asked(question, when_ruled):
    from chatbot.lookups import asks_when_ruled

    assert asks_when_ruled(question) is when_ruled

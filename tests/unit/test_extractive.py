from dataclasses import replace

import pytest

from chatbot.engine import Engine
from chatbot.retrieval import reciprocal_rank_fusion
from chatbot.types import ABSTAIN_MESSAGE
from ingest.pipeline import ingest_paths
from ingest.types import normalize_whitespace
from tests.corpus_fixture import ORDER_PAGES


@pytest.fixture
def engine(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    return Engine(settings, embedder=fake_embedder)


def test_rrf_sums_reciprocal_ranks():
    fused = dict(reciprocal_rank_fusion([["a", "b"], ["b", "c"]], rrf_k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert list(dict(reciprocal_rank_fusion([["a", "b"], ["b", "c"]], 60))) == ["b", "a", "c"]


def test_answer_quotes_the_holding_with_its_page(engine):
    answer = engine.ask("Was copying the novels to train the language model a fair use?")
    assert not answer.abstained
    holding = [c for c in answer.citations if "was a fair use" in c.quote]
    assert [(c.source, c.page) for c in holding] == [("opinions/smith-v-acme_2024-01-02_order.txt", 2)]
    assert holding[0].cite == "Smith v. Acme Robotics, Inc., No. 3:24-cv-01234-ABC (N.D. Cal. Jan. 2, 2024), at 2"
    assert "[1]" in answer.answer
    for c in answer.citations:
        page_text = normalize_whitespace(ORDER_PAGES[c.page - 1]) if c.source.startswith("opinions") else None
        if page_text:
            assert normalize_whitespace(c.quote) in normalize_whitespace(f"{c.page} {page_text}")


def test_every_quote_is_verbatim_in_its_chunk(engine):
    for question in ["What are the four factors of fair use?", "What did the studios accuse the video model maker of?"]:
        answer = engine.ask(question)
        assert not answer.abstained, question
        chunks = {c.chunk_id: c for c in engine.store.get_chunks([c.chunk_id for c in answer.citations])}
        for c in answer.citations:
            assert normalize_whitespace(c.quote) in normalize_whitespace(chunks[c.chunk_id].text)


def test_off_topic_question_abstains(engine):
    answer = engine.ask("What is the statute of limitations for breach of contract in Texas?")
    assert answer.abstained
    assert answer.answer.startswith(ABSTAIN_MESSAGE)
    assert "The closest indexed documents are:" in answer.answer  # what the corpus does hold
    assert answer.citations == []


def test_json_contract(engine):
    data = engine.ask("What is the fourth factor?").model_dump()
    assert {"question", "answer", "abstained", "citations", "retrieved", "timings_ms"} <= set(data)
    assert data["rewritten_query"] is None and data["notes"] == []
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}
    assert {"n", "source", "title", "page", "quote", "chunk_id"} <= set(data["citations"][0])
    assert set(data["retrieved"][0]) == {"source", "page", "chunk_id", "score"}


def test_bm25_mode_finds_docket_numbers(engine):
    answer = engine.ask("24-cv-01234", mode="bm25")
    assert answer.retrieved and answer.retrieved[0].source.startswith("opinions/")


def test_empty_question(engine):
    assert engine.ask("   ").abstained


def test_a_sum_or_a_court_the_evidence_cannot_speak_for(engine):
    def examine(question):
        request = engine.request(question)
        return request, engine.answerer().examine(request).answerable_features

    _, features = examine("How much did Acme pay the novelists to settle?")
    assert features["money_missing"] > 0.5  # every name is in the order, but no sum
    _, features = examine("Was copying the novels to train the language model a fair use?")
    assert features["money_missing"] == 0.0 and features["court_elsewhere"] == 0.0
    # No case named: the courts are the retrieved documents'.
    request, features = examine("Did the Ninth Circuit reverse the ruling that training on the novels was fair use?")
    assert "N.D. Cal." in request.focus_courts and features["court_elsewhere"] == 1.0


def test_a_question_asking_for_the_judge_and_more_gets_both(engine):
    quotes = " ".join(c.quote for c in engine.ask("Who was the judge?").citations)
    assert "LOPEZ" in quotes and "fair use" not in quotes  # the judge, and nothing else
    answer = engine.ask("Who was the judge, and was copying the novels to train the language model a fair use?")
    quotes = " ".join(c.quote for c in answer.citations)
    assert "LOPEZ" in quotes and "was a fair use" in quotes


SECOND_ORDER = (
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA ALICE BROWN, Plaintiff, v. WIDGETCO, INC., "
    "Defendant. Case No. 24-cv-05678-XYZ ORDER DENYING SUMMARY JUDGMENT\n"
    "The motion was heard in April. WidgetCo's copying of the pirated novels was not a fair use. "
    "The servers were moved twice in the same year, once in spring and once in the fall. "
    "The movers billed by the hour and kept logs of every rack they lifted onto the trucks and off again. "
    "Their invoices were paid late, and a dispute over the late fees is pending in state court. "
    "WidgetCo contends that copying the novels to train its model is a fair use of the novels. "
    "Keeping the pirated copies was not a fair use by WidgetCo either. "
    "IT IS SO ORDERED. Dated: May 6, 2024 PAUL GREEN United States District Judge\n"
)


def _two_cases(small_corpus, settings, fake_embedder, max_quotes=None) -> Engine:
    (small_corpus / "opinions" / "brown-v-widgetco_2024-05-06_order.txt").write_text(SECOND_ORDER, encoding="utf-8")
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    if max_quotes:
        settings.answer.max_quotes = max_quotes
    engine = Engine(settings, embedder=fake_embedder)
    answerer = engine.answerer()
    # The fake embedder's similarities say nothing; whether to answer is not what is tested here.
    answerer.calibration = replace(answerer.calibration, answerable=replace(answerer.calibration.answerable, threshold=0.0))
    return engine


def test_two_cases_set_side_by_side_are_both_quoted(small_corpus, settings, fake_embedder):
    """A comparison of two cases hears both, even when one case's lines score higher throughout."""
    engine = _two_cases(small_corpus, settings, fake_embedder, max_quotes=2)  # room for one line of each case
    answer = engine.ask("Compare the Acme order with the WidgetCo order: was copying the novels or keeping the "
                        "pirated copies a fair use?")
    sources = {c.source for c in answer.citations}
    assert not answer.abstained
    assert sources == {"opinions/smith-v-acme_2024-01-02_order.txt", "opinions/brown-v-widgetco_2024-05-06_order.txt"}


def test_a_survey_quotes_each_court_not_the_parties(small_corpus, settings, fake_embedder):
    engine = _two_cases(small_corpus, settings, fake_embedder)
    answer = engine.ask("Which courts have ruled on whether copying novels to train a model is a fair use?")
    quotes = {c.source.split("/")[-1]: c.quote for c in answer.citations}
    assert "was a fair use" in quotes["smith-v-acme_2024-01-02_order.txt"]
    assert "contends" not in quotes["brown-v-widgetco_2024-05-06_order.txt"]


def test_a_survey_of_rulings_lists_only_the_cases_that_decided(small_corpus, settings, fake_embedder):
    """A case whose passages tell only what was pleaded has not ruled: "which courts have ruled"
    does not list it, though its words match the question's."""
    (small_corpus / "opinions" / "gray-v-sprocketco_2024-06-01_order.txt").write_text(
        "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA DAN GRAY, Plaintiff, v. SPROCKETCO, INC., "
        "Defendant. Case No. 24-cv-08888-XYZ ORDER SETTING A SCHEDULE\n"
        + "The novels were copied to train a model, and fair use is the question for a later "
        "day in this court. SprocketCo copied novels to train a model for a fair use, a court may one day say. " * 5,
        encoding="utf-8")
    engine = _two_cases(small_corpus, settings, fake_embedder)
    answer = engine.ask("Which courts have ruled on whether copying novels to train a model is a fair use?")
    sources = {c.source.split("/")[-1] for c in answer.citations}
    assert "smith-v-acme_2024-01-02_order.txt" in sources
    assert "gray-v-sprocketco_2024-06-01_order.txt" not in sources


DISPOSING_ORDER = (
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA CAROL WHITE, Plaintiff, v. GADGETCO, INC., "
    "Defendant. Case No. 24-cv-09999-XYZ ORDER ON MOTION TO DISMISS\n"
    + "Whether claims survive a motion to dismiss turns on what White's complaint says of the drawings. " * 40
    + "\nCONCLUSION The motion to dismiss is GRANTED as to the unfair competition claim. "
    "The motion is DENIED as to the direct infringement claim, which may proceed. "
    "IT IS SO ORDERED. Dated: June 1, 2024 PAUL GREEN United States District Judge\n"
)


def test_which_claims_survived_reads_the_rulings_conclusion(small_corpus, settings, fake_embedder):
    """However the search ranks it, the passage that grants and denies joins the evidence, first."""
    (small_corpus / "opinions" / "white-v-gadgetco_2024-06-01_order.txt").write_text(DISPOSING_ORDER, encoding="utf-8")
    engine = _two_cases(small_corpus, settings, fake_embedder)
    prepared = engine.prepare("Which claims survived the motion to dismiss in White v. GadgetCo?")
    assert "is DENIED as to the direct infringement claim" in prepared.evidence[0].chunk.text
    # A question that asks no outcome is searched as before.
    assert "DENIED" not in engine.prepare("What did White v. GadgetCo say about drawings?").evidence[0].chunk.text


CONCLUDING_ORDER = (
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA DAN GRAY, Plaintiff, v. SPROCKETCO, INC., "
    "Defendant. Case No. 24-cv-08888-XYZ ORDER ON CROSS-MOTIONS FOR SUMMARY JUDGMENT\n"
    + "SprocketCo bought the printed manuals, scanned every page and discarded the paper copies. " * 40
    + "\nV. CONCLUSION This order grants summary judgment for SprocketCo that replacing its paper manuals with digital ones was a fair use. "
    "IT IS SO ORDERED. Dated: June 1, 2024 PAUL GREEN United States District Judge\n"
)


def test_a_holding_question_reads_the_rulings_conclusion(small_corpus, settings, fake_embedder):
    """"What did the court decide about …?" reads what the ruling concluded, though it grants
    nothing in capitals and the search ranks the facts first."""
    (small_corpus / "opinions" / "gray-v-sprocketco_2024-06-01_order.txt").write_text(CONCLUDING_ORDER, encoding="utf-8")
    engine = _two_cases(small_corpus, settings, fake_embedder)
    prepared = engine.prepare("What did the court decide in Gray v. SprocketCo about the manuals it bought and scanned?")
    assert "grants summary judgment for SprocketCo" in prepared.evidence[0].chunk.text
    # A question that asks for no holding is searched as before.
    facts = engine.prepare("What did SprocketCo do with the manuals in Gray v. SprocketCo?")
    assert "grants summary judgment" not in facts.evidence[0].chunk.text


TRANSFER_ORDER = (
    "UNITED STATES JUDICIAL PANEL ON MULTIDISTRICT LITIGATION IN RE: GADGET COPYRIGHT LITIGATION MDL No. 9999 "
    "TRANSFER ORDER\n"
    + "The gadget actions share questions about how the gadget models were trained on copied manuals. " * 20
    + "\nIT IS THEREFORE ORDERED that the gadget actions are transferred to the District of Columbia and assigned "
    "to the Honorable Jane Roe for coordinated pretrial proceedings.\n"
)


def test_a_part_answered_by_a_name_is_not_reported_unanswered(small_corpus, settings, fake_embedder):
    """"…, and which judge got them?" is answered by "assigned to the Honorable Jane Roe", though
    the quote says "Honorable", not "judge"; a part no quote answers is still reported."""
    (small_corpus / "opinions" / "in-re-gadget_2024-06-01_transfer-order.txt").write_text(TRANSFER_ORDER, encoding="utf-8")
    engine = _two_cases(small_corpus, settings, fake_embedder)
    answer = engine.ask("Why were the gadget actions transferred in In re Gadget, and which judge got them?")
    assert "Honorable Jane Roe" in answer.answer
    assert "do not address" not in answer.answer
    answer = engine.ask("Why were the gadget actions transferred in In re Gadget, and what did the zebra eat?")
    assert "do not address: “what did the zebra eat”" in answer.answer
    # A follow-up's carried-over subject asks nothing of its own.
    answer = engine.ask("Which judge got the gadget actions? (Zebra Stripes Quarterly Report on Savanna Grazing)")
    assert "do not address" not in answer.answer
    # Facts told first are not asked: the part that asks is what is answered, or reported unanswered.
    answer = engine.ask("A panel weighed where the gadget actions should go. Which judge got them, and what did the "
                        "zebra eat?")
    assert "Honorable Jane Roe" in answer.answer
    assert "do not address: “what did the zebra eat”." in answer.answer


def test_a_citation_before_a_sentence_is_not_quoted_as_its_context():
    """The sentence before a quote comes with it, unless it is a citation's tail ("802 F. Supp. at 14 …")."""
    from chatbot.candidates import context_window

    prose = "The court weighed the purpose first. In Google Books, the change was transformative."
    cited = "802 F. Supp. at 14 (Leval, J.), aff'd, 60 F.3d at 919. In Google Books, the change was transformative."
    for text, context in ((prose, True), (cited, False)):
        split = text.index(" In Google") + 1
        spans = [(0, split - 1), (split, len(text))]
        window = context_window(text, spans, [True, True], 1, split, context=3)
        assert (window[0] == 0) is context and window[1] == len(text)


def test_what_the_litigation_is_called_is_not_a_word_a_quote_must_share(engine):
    """§ 106 lists the owner's rights without saying "statute"; a news digest names the sides
    without saying "parties" or "dispute"."""
    weights = engine.answerer().term_weights("Who are the parties in the gadget dispute, and what does the statute give them?")
    assert not {"statut", "parti", "disput"} & set(weights) and "gadget" in weights


def test_each_part_of_a_question_is_searched_within_its_case(small_corpus, settings, fake_embedder, monkeypatch):
    """"When did the court rule, and by what date was the amended complaint due?": each part is
    searched too, in the case the best passages come from; a follow-up's carried-over case in
    parentheses is no part, and a one-part question is searched once."""
    from chatbot.retrieval import HybridRetriever

    engine = _two_cases(small_corpus, settings, fake_embedder)
    searched = []
    retrieve = HybridRetriever.retrieve

    def recording(self, query, **options):
        searched.append((query, options.get("sources")))
        return retrieve(self, query, **options)

    monkeypatch.setattr(HybridRetriever, "retrieve", recording)
    engine.prepare("Was copying the novels a fair use, and what did the court say about the pirated copies? (Smith v. Acme)")
    parts = [(q, s) for q, s in searched[1:] if not q.startswith("(")]
    assert [q for q, _ in parts] == ["Was copying the novels a fair use", "what did the court say about the pirated copies"]
    assert all(s and len({source.split("_")[0] for source in s}) == 1 for _, s in parts)
    searched.clear()
    engine.prepare("Was copying the novels a fair use?")
    assert len(searched) == 1


def test_an_ordinal_covers_its_number():
    from chatbot.extractive import ExtractiveAnswerer

    weights = {"fourth": 2.0, "factor": 1.0}
    assert ExtractiveAnswerer.coverage(weights, "Factor four favors Thomson Reuters.") == 1.0
    assert ExtractiveAnswerer.coverage(weights, "Factor three favors ROSS.") == pytest.approx(1 / 3)


def test_a_likely_sentence_beside_a_chosen_quote_widens_it_instead_of_being_dropped():
    from chatbot.candidates import Candidate, window_text
    from chatbot.candidates import widen
    from chatbot.types import Evidence
    from ingest.types import Chunk

    text = "Three authors sued in 2024. They claimed piracy. An amended complaint followed. The court ruled."
    chunk = Chunk(chunk_id="c", source="b.md", title="b", page=1, start=0, end=len(text), text=text, doc_sha256="0" * 64)

    def candidate(sentence, window):
        start = text.index(sentence)
        return Candidate(0, Evidence(chunk=chunk, score=0.0), start, start + len(sentence), sentence,
                         window=(text.index(window[0]), text.index(window[1]) + len(window[1])))

    chosen = candidate("An amended complaint followed.", ("They claimed piracy.", "The court ruled."))
    three = candidate("Three authors sued in 2024.", ("Three authors sued in 2024.", "They claimed piracy."))
    assert widen([chosen], three, room=2) == 0 and window_text(chosen).startswith("They")  # no room
    assert widen([chosen], three, room=50) == 5
    assert window_text(chosen) == text
    assert widen([chosen], three, room=50) == 0  # quoted already


def test_asking_words_carry_no_weight(engine):
    # "Tell me about X": "me" is in no document, and is no reason to think X unindexed.
    assert set(engine.answerer().term_weights("Tell me about the fair use ruling, please.")) == {"fair", "use"}
    assert set(engine.answerer().term_weights("Anything on the latest status of the fair use ruling?")) == {"fair", "use"}


def test_a_question_naming_only_its_case_leads_with_the_ruling_not_the_name(small_corpus, settings, fake_embedder):
    """"Explain the Gray decision." asks nothing but the case: the lines that repeat "Gray" most
    are not what it held."""
    order = CONCLUDING_ORDER.replace(
        "SprocketCo bought the printed manuals",
        "Gray wrote the manuals Gray Basics and Gray Advanced, as Gray testified. SprocketCo bought the printed manuals", 1)
    (small_corpus / "opinions" / "gray-v-sprocketco_2024-06-01_order.txt").write_text(order, encoding="utf-8")
    engine = _two_cases(small_corpus, settings, fake_embedder)
    answer = engine.ask("Explain the Gray decision.")
    assert not answer.abstained
    assert "grants summary judgment for SprocketCo" in answer.citations[0].quote

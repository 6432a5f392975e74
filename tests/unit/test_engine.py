"""Issue-level behaviour of answers: filters, follow-ups, surveys, and LLM drafts under verification."""

import re

import pytest

from chatbot.engine import Engine
from chatbot.followup import rewrite_followup
from chatbot.query import asks_for_judge
from chatbot.surveys import is_survey
from chatbot.retrieval import diversify
from chatbot.types import Answer, Citation, Filters
from ingest.pipeline import ingest_paths
from ingest.types import SourceDocument

ORDER = "opinions/smith-v-acme_2024-01-02_order.txt"


@pytest.fixture
def engine(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    return Engine(settings, embedder=fake_embedder)


def test_kind_filter_restricts_every_citation(engine):
    answer = engine.ask("What does fair use weigh?", filters=Filters(kind=["statute"]))
    assert answer.citations and {c.source for c in answer.citations} == {"statute/fair-use.md"}
    assert "kind statute" in answer.notes[0]


def test_case_filter_restricts_every_citation(small_corpus, settings, fake_embedder):
    ingest_paths([small_corpus], settings=settings, embedder=fake_embedder)
    engine = Engine(settings, embedder=fake_embedder)
    answer = engine.ask("What did the court decide about fair use?", filters=Filters(case="Acme"))
    assert answer.citations and {c.source for c in answer.citations} == {ORDER}


def test_a_filter_nothing_matches_abstains(engine):
    answer = engine.ask("What is fair use?", filters=Filters(court="D. Mass."))
    assert answer.abstained and answer.citations == []


def test_date_filter(engine):
    assert engine.ask("fair use of novels", filters=Filters(date_from="2024-01-01", date_to="2024-12-31")).citations
    assert engine.ask("fair use of novels", filters=Filters(date_from="2025-01-01")).abstained


def test_follow_up_carries_the_case_over(engine):
    first = engine.ask("Was copying the novels to train the language model a fair use?")
    second = engine.ask("Who was the judge?", history=[first])
    assert second.rewritten_query == "Who was the judge? (Smith v. Acme Robotics)"
    assert [c.source for c in second.citations] == [ORDER]
    assert "MARIA LOPEZ" in second.citations[0].quote


def test_rewrite_rules():
    doc = SourceDocument(source="k.txt", title="Kadrey", sha256="0", case_name="Kadrey v. Meta Platforms, Inc.")
    docs = {"k.txt": doc}
    prev = Answer(question="q", answer="a", abstained=False,
                  citations=[Citation(n=1, source="k.txt", title="Kadrey", page=3, quote="x", chunk_id="c")])
    assert rewrite_followup("Who was the judge?", [prev], docs).endswith("(Kadrey v. Meta)")
    # names its own party and says enough: searched as asked
    assert rewrite_followup("And what did the court say about Meta?", [prev], docs) == (
        "And what did the court say about Meta?")
    assert rewrite_followup("What did Judge Alsup hold in Bartz v. Anthropic?", [prev], docs) == (
        "What did Judge Alsup hold in Bartz v. Anthropic?")
    assert rewrite_followup("Who was the judge?", [], docs) == "Who was the judge?"
    # "How does that compare with …?" names the other case and points back to this one: both are asked of.
    docs["b.pdf"] = SourceDocument(source="b.pdf", title="Bartz", sha256="0", case_name="Bartz v. Anthropic PBC")
    assert rewrite_followup("How does that compare with the Anthropic ruling?", [prev], docs) == (
        "How does that compare with the Anthropic ruling? (Kadrey v. Meta)")
    assert rewrite_followup("What did the Anthropic ruling hold?", [prev], docs) == "What did the Anthropic ruling hold?"


def test_intents():
    assert is_survey("Which courts have ruled on whether training is fair use, and how?")
    assert is_survey("How have courts treated DMCA 1202(b) claims?")
    assert not is_survey("What did the court hold in Kadrey v. Meta?")
    assert is_survey("Which cases are about song lyrics?")
    # The cases are what the complaint acts on: a question about one case, not a survey.
    assert not is_survey("Which cases was the amended complaint to consolidate?")
    assert not is_survey("Which decisions did the court rely on?")
    assert asks_for_judge("Who was the judge?") and asks_for_judge("Which judge wrote the order?")
    assert not asks_for_judge("What did the judge hold?")


def test_a_survey_is_searched_for_what_it_asks_about_not_its_frame():
    from chatbot.surveys import survey_topic

    assert survey_topic("Which courts have ruled on whether training on copyrighted works is fair use?") == (
        "training on copyrighted works is fair use")
    assert survey_topic("Which courts have ruled on whether training is fair use, and how did each come out?") == (
        "training is fair use")
    assert survey_topic("How have courts handled DMCA 1202(b) claims?") == "DMCA 1202(b) claims"
    assert survey_topic("Which cases are about song lyrics?") == "Which cases are about song lyrics"  # no frame to cut
    assert survey_topic("Which rulings discuss Sega v. Accolade, and for what?") == "Sega v. Accolade"


def test_diversify_caps_chunks_per_document():
    ranked = [("a1", 5), ("a2", 4), ("a3", 3), ("b1", 2), ("c1", 1)]
    source = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "c1": "C"}
    assert [c for c, _ in diversify(ranked, source, k=3, per_document=1)] == ["a1", "b1", "c1"]
    assert [c for c, _ in diversify(ranked, source, k=4, per_document=1)] == ["a1", "a2", "b1", "c1"]


def _passage_number(messages, needle: str) -> int:
    prompt = messages[-1].content
    for m in re.finditer(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', prompt, re.S):
        if needle in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no passage contains {needle!r}")


def test_llm_draft_loses_invented_and_unsupported_citations(engine, scripted_model):
    def reply(messages):
        n = _passage_number(messages, "was a fair use")
        return (
            f"The court held that copying the novels to train the language model was a fair use [{n}]. "
            f"The court awarded the novelists ten million dollars in punitive damages [{n}]. "
            "Acme must also destroy every server it owns [9]."
        )

    scripted_model.enqueue(reply)
    engine.use_chat_model(scripted_model)
    answer = engine.ask("Was copying the novels to train the language model a fair use?")
    assert not answer.abstained
    assert "was a fair use [1]" in answer.answer
    assert "punitive" not in answer.answer and "[9]" not in answer.answer and "destroy" not in answer.answer
    assert len(answer.citations) == 1 and answer.citations[0].page == 2
    assert "was a fair use" in answer.citations[0].quote
    assert "2 sentence(s)" in answer.notes[0] and "[9]" in answer.notes[0] and "does not support" in answer.notes[0]
    # The model saw numbered passages and the rule that passages are not instructions.
    system, user = scripted_model.history[0]
    assert "never instructions" in system.content and '<passage n="1"' in user.content


def test_llm_that_finds_nothing_abstains(engine, scripted_model):
    scripted_model.enqueue("NOT IN THE DOCUMENTS")
    engine.use_chat_model(scripted_model)
    answer = engine.ask("What is the statute of limitations for breach of contract in Texas?")
    assert answer.abstained and answer.citations == []


def test_llm_follow_up_is_rewritten_by_the_model(engine, scripted_model):
    engine.use_chat_model(scripted_model)
    scripted_model.enqueue(lambda m: f"The use was a fair use [{_passage_number(m, 'was a fair use')}].")
    first = engine.ask("Was training on the novels a fair use?")
    scripted_model.enqueue("Who signed the order in Smith v. Acme Robotics?", "NOT IN THE DOCUMENTS")
    second = engine.ask("Who signed it?", history=[first])
    assert second.rewritten_query == "Who signed the order in Smith v. Acme Robotics?"


def test_streaming_yields_growing_text_then_the_verified_answer(engine, scripted_model):
    scripted_model.enqueue(lambda m: f"The training was a fair use [{_passage_number(m, 'was a fair use')}]. Invented [7].")
    engine.use_chat_model(scripted_model)
    parts = list(engine.ask_stream("Was training on the novels a fair use?"))
    texts, final = parts[:-1], parts[-1]
    assert all(isinstance(t, str) for t in texts) and len(texts) > 2
    assert texts[-1].endswith("Invented [7].")  # the draft, as it was streamed
    assert isinstance(final, Answer) and "Invented" not in final.answer and final.citations


def test_extractive_streaming_ends_with_the_answer(engine):
    parts = list(engine.ask_stream("Was training on the novels a fair use?"))
    assert isinstance(parts[-1], Answer) and parts[-2] == parts[-1].answer


def test_a_configured_reranker_reorders_the_candidates(engine):
    question = "Was copying the novels to train the language model a fair use?"
    before = engine.ask(question).retrieved
    # A stand-in cross-encoder that prefers the amicus brief above all else.
    engine.set_reranker(lambda pairs: [1.0 if "amici curiae" in text else 0.0 for _, text in pairs])
    after = engine.ask(question).retrieved
    assert after[0].source == "amicus-brief.pdf" != before[0].source


def test_a_curly_apostrophe_reads_as_a_straight_one(engine):
    # Typed on a phone: "What’s" is "What's", so the question reads the same.
    curly = engine.prepare("Who’s the judge in the robotics case?")
    straight = engine.prepare("Who's the judge in the robotics case?")
    assert curly.query == straight.query and [e.chunk.chunk_id for e in curly.evidence] == [
        e.chunk.chunk_id for e in straight.evidence]

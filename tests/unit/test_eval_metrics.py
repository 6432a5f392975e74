"""The metrics for the gold set with kinds and follow-ups, on hand-built answers: key facts in the
top passages, facts stated of those available, answer length, plain abstention rates, by kind."""

from chatbot.types import Answer, Retrieved
from eval.gold import GoldQuestion
from eval.metrics import facts_of_available, word_count
from eval.report import kind_table, metrics_table
from eval.scoring import PASSAGE_K, score, summarize

FACTS = [["fair use"], ["transformative"], ["no market", "no evidence of a market"], ["pirated"]]
HOLDING = GoldQuestion(id="h", question="?", gold_sources=["a"], key_facts=FACTS, kind="holding")
NUMBER = GoldQuestion(id="n", question="?", gold_sources=["a"], key_facts=[["$1.5 billion"]], kind="number")
NONE = GoldQuestion(id="u", question="?", answerable=False, kind="unanswerable")
PASSAGES = ["Copying to train was a fair use.", "The use was transformative.",
            "The plaintiffs offered no evidence of a market."]


def answer(text: str, *, abstained: bool = False) -> Answer:
    return Answer(question="?", answer=text, abstained=abstained,
                  retrieved=[Retrieved(source="a", page=1, chunk_id=f"a-{i}", score=1.0) for i in range(3)])


def test_word_count_leaves_out_citation_markers_and_punctuation():
    assert word_count("The court held it a fair use [1]. See 17 U.S.C. § 107 [2] —") == 11
    assert word_count("") == 0


def test_facts_of_available_counts_what_the_passages_held():
    assert facts_of_available("a fair use", " ".join(PASSAGES), FACTS) == (1, 3)
    assert facts_of_available("pirated copies", " ".join(PASSAGES), FACTS) == (0, 3)  # not in the passages


def test_passage_key_facts_reads_only_the_top_passages():
    row = score(HOLDING, answer("It was a fair use [1]."), passages=PASSAGES)
    assert row["passage_key_facts"] == 0.75  # the pirated copies are in no passage
    assert row["key_facts_of_available"] == [1, 3]
    late = ["filler"] * PASSAGE_K + ["The pirated copies go to trial."]
    assert score(HOLDING, answer("x"), passages=late)["passage_key_facts"] == 0.0
    assert "passage_key_facts" not in score(HOLDING, answer("x"))  # no passages at hand
    assert "passage_key_facts" not in score(NONE, answer("x"), passages=PASSAGES)  # unanswerable


def test_key_facts_of_available_is_a_ratio_of_sums():
    rows = [score(HOLDING, answer("A fair use, and transformative."), passages=PASSAGES),  # 2 of 3
            score(NUMBER, answer("The settlement was $1.5 billion."), passages=["It paid $1.5 billion."]),  # 1 of 1
            score(NUMBER, answer("nothing", abstained=True), passages=["It paid $1.5 billion."])]  # 0 of 1
    summary = summarize(rows)
    assert summary["key_facts_of_available"] == 3 / 5  # not the mean of 2/3, 1 and 0
    assert summary["passage_key_facts"] == (0.75 + 1 + 1) / 3


def test_answer_words_percentiles_skip_abstentions():
    rows = [score(HOLDING, answer(" ".join(["word"] * n))) for n in (10, 20, 30, 40, 50)]
    rows.append(score(HOLDING, answer("The indexed documents do not answer this.", abstained=True)))
    summary = summarize(rows)
    assert "answer_words" not in rows[-1]
    assert summary["answer_words_p50"] == 30 and summary["answer_words_p90"] == 50


def test_plain_abstention_rates():
    rows = [score(HOLDING, answer("no", abstained=True)), score(NUMBER, answer("$1.5 billion")),
            score(NONE, answer("no", abstained=True)), score(NONE, answer("a guess")),
            score(NONE, answer("another guess"))]
    summary = summarize(rows)
    assert summary["abstained_answerable"] == 0.5
    assert summary["abstained_unanswerable"] == 1 / 3 == summary["abstention_recall"]


def test_by_kind_breaks_the_run_down_and_the_report_shows_it():
    rows = [score(HOLDING, answer("fair use, transformative, no market, pirated")),
            score(HOLDING, answer("fair use")),
            score(NUMBER, answer("$1.5 billion")),
            score(NONE, answer("no", abstained=True)),
            score(GoldQuestion(id="x", question="?", gold_sources=["a"]), answer("no kind"))]
    summary = summarize(rows)
    assert summary["by_kind"] == {
        "holding": {"questions": 2, "accurate": 0.5, "key_fact_recall": 0.625},
        "number": {"questions": 1, "accurate": 1.0, "key_fact_recall": 1.0},
        "unanswerable": {"questions": 1, "accurate": 1.0, "key_fact_recall": None},
    }
    assert kind_table({"hybrid": summary}) == [
        "## By kind of question", "",
        "| kind | questions | accurate (hybrid) | key-fact recall (hybrid) |", "| --- | --- | --- | --- |",
        "| holding | 2 | 0.500 | 0.625 |", "| number | 1 | 1.000 | 1.000 |", "| unanswerable | 1 | 1.000 | – |", ""]
    assert kind_table({"hybrid": summarize(rows[-1:])}) == []  # no kinds, no table
    assert "| answer words p50 | 2 |" in metrics_table({"hybrid": summary})  # a count, printed as one

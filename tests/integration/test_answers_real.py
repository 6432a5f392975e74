"""Answers on the real corpus: filters, surveys across courts, follow-ups, abstention and the gold set."""

from __future__ import annotations

import json

import pytest

from chatbot.engine import Engine
from chatbot.types import Filters
from eval.runner import run_eval
from legalqa.settings import Settings
from tests.conftest import ROOT

KADREY = "court/kadrey-v-meta_2025-06-25_dkt598_order-msj-fair-use.txt"


@pytest.fixture(scope="module")
def engine(real_index):
    return Engine(Settings(index_dir=real_index))


def test_kind_statute_restricts_every_citation(engine):
    answer = engine.ask("What is fair use?", filters=Filters(kind=["statute"]))
    assert answer.citations
    assert all(c.source.startswith("statute/") for c in answer.citations)


def test_case_kadrey_restricts_every_citation(engine):
    answer = engine.ask("How did the court treat market harm?", filters=Filters(case="Kadrey"))
    assert answer.citations and {c.source for c in answer.citations} == {KADREY}


def test_a_section_cited_is_answered_in_its_own_words(engine):
    # The question names § 107, and a print of it is indexed: its list of factors leads, not the notes under it.
    answer = engine.ask("What are the four factors in 17 U.S.C. § 107?")
    first = answer.citations[0]
    assert first.source.startswith("statute/usc-2023-title17-sec107")
    assert "the factors to be considered shall include" in first.quote and "(4)" in first.quote


def test_courts_survey_cites_bartz_kadrey_and_ross(engine):
    answer = engine.ask("Which courts have ruled on whether training on copyrighted works is fair use, and how?")
    cited = {c.source.split("/")[1].split("_")[0] for c in answer.citations}
    assert {"bartz-v-anthropic", "kadrey-v-meta", "thomson-reuters-v-ross"} <= cited
    # One line per case, each with its court and date.
    lines = [line for line in answer.answer.splitlines() if line.strip()]
    assert len(lines) == len(answer.citations)
    assert any(line.startswith("Bartz v. Anthropic PBC (N.D. Cal. June 23, 2025)") for line in lines)


def test_follow_up_who_was_the_judge(engine):
    first = engine.ask("What did the court hold in Kadrey v. Meta?")
    assert first.citations[0].source == KADREY
    second = engine.ask("Who was the judge?", history=[first])
    assert "Kadrey" in second.rewritten_query
    assert second.citations and all(c.source == KADREY for c in second.citations)
    assert "CHHABRIA" in " ".join(c.quote for c in second.citations).upper()


def test_gold_set_figures(engine, tmp_path):
    """The calibrated figures: key facts found, quotes verbatim, and abstention both ways."""
    report = run_eval(ROOT / "eval" / "gold" / "real.jsonl", tmp_path, engine=engine)
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    gold = {json.loads(line)["id"]: json.loads(line) for line in (ROOT / "eval/gold/real.jsonl").read_text().splitlines()}
    answerable = [r for r in rows if gold[r["id"]]["answerable"]]
    unanswerable = [r for r in rows if not gold[r["id"]]["answerable"]]
    assert report["quotes_verbatim"] == 1.0
    assert report["key_fact_recall"] >= 0.30  # foundation: 0.237
    assert report["hit@5"] >= 0.95
    # 0.8 held with abstention thresholds hand-set on these very 12 questions; the calibrated model
    # (fitted on the dev split of all gold sets) abstains on 7 of them, and refuses far fewer
    # answerable questions written elsewhere (eval/floors.toml, real-v2-test).
    assert sum(r["abstained"] for r in unanswerable) >= 0.55 * len(unanswerable)
    assert sum(r["abstained"] for r in answerable) <= len(answerable) / 20


def test_cli_kind_and_case_flags(real_index):
    from tests.integration.test_real_corpus import legalqa

    statute = json.loads(legalqa(real_index, "ask", "--json", "--kind", "statute", "What is fair use?").stdout)
    assert statute["citations"] and all(c["source"].startswith("statute/") for c in statute["citations"])
    kadrey = json.loads(legalqa(real_index, "ask", "--json", "--case", "Kadrey", "What about market dilution?").stdout)
    assert kadrey["citations"] and {c["source"] for c in kadrey["citations"]} == {KADREY}


def test_questions_phrased_unlike_the_gold_sets_are_answered(engine):
    # An acronym for a party ("NYT"), the court's district named in full, and a cited Supreme Court
    # ruling were each read as a name, or a court, the documents do not hold: all three were refused.
    for question, cited in [
        ("What did the NYT complaint say about Bing Chat's hallucinations?", "nyt-v-microsoft-openai"),
        ("Which judges in the Northern District of California ruled on fair use in June 2025?", "kadrey-v-meta"),
        ("Which Supreme Court decision did the ROSS court rely on for the first factor?", "thomson-reuters-v-ross"),
        # "Facebook" is in the Meta ruling, if not in the passages found: a name the case's documents hold.
        ("How did the judge in the Facebook-owner case describe Meta's torrenting?", "kadrey-v-meta"),
        # A ruling quoting the Office was found first; the Office's own notice answers.
        ("What did the Copyright Office ask about whether training requires a license?", "copyright-office"),
    ]:
        answer = engine.ask(question)
        assert not answer.abstained, question
        assert any(cited in c.source for c in answer.citations), question
    # A definition asked for: the statute's definitions section, which the search ranks low, leads.
    answer = engine.ask("How does the Copyright Act define a derivative work?")
    assert "derivative work" in answer.citations[0].quote and "usc17" in answer.citations[0].source
    # A survey of the rulings that discuss a precedent: each line names it.
    answer = engine.ask("Which rulings discuss Sega v. Accolade, and for what?")
    assert answer.citations and all("Sega" in c.quote for c in answer.citations)
    # Who represents a party is signed at the filing's end, which a search for the meaning misses.
    answer = engine.ask("Who represented the New York Times in its lawsuit?")
    assert "SUSMAN GODFREY" in answer.citations[0].quote
    # "When were comments due?" quotes the line that dates them.
    answer = engine.ask("When were initial comments due on the Copyright Office's 2023 notice of inquiry on AI?")
    assert "October 18, 2023" in " ".join(c.quote for c in answer.citations)


def test_rulings_of_judges_and_lawsuits_the_index_does_not_hold_are_refused(engine):
    # Judge Stein is only named as the judge the MDL was assigned to; Raw Story v. OpenAI only
    # listed among its actions: neither list holds a ruling.
    for question, reason in [
        ("What did Judge Stein decide on OpenAI's motion to dismiss the Times' complaint?", "Judge Stein"),
        ("What did the court rule about the DMCA claim in Raw Story v. OpenAI?", "Raw Story against OpenAI"),
    ]:
        answer = engine.ask(question)
        assert answer.abstained and reason in answer.answer, question

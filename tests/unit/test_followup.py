"""Follow-ups carry the earlier subject only when they lean on it."""

import pytest

from chatbot.followup import NameIndex, is_elliptical, rewrite_followup, short_case_name
from chatbot.types import Answer, Citation
from ingest.types import SourceDocument

DOCS = {
    "bartz.md": SourceDocument(source="bartz.md", title="Bartz brief", sha256="1", kind="summary",
                               case_name="Bartz v. Anthropic PBC", judge="William Alsup"),
    "kadrey.md": SourceDocument(source="kadrey.md", title="Kadrey brief", sha256="2", kind="summary",
                                case_name="Kadrey v. Meta Platforms, Inc.", judge="Vince Chhabria"),
    "concord.pdf": SourceDocument(source="concord.pdf", title="Concord brief", sha256="3", kind="summary",
                                  case_name="Concord Music Group, Inc. v. Anthropic PBC"),
    "ross.md": SourceDocument(source="ross.md", title="ROSS brief", sha256="4", kind="summary",
                              case_name="Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc."),
    "bytedance.md": SourceDocument(source="bytedance.md", sha256="5", kind="news",
                                   title="Studios and the MPA v. ByteDance over Seedance 2.0: news digest (project-written)"),
    "co-part2.md": SourceDocument(source="co-part2.md", sha256="6", kind="report",
                                  title="Copyright Office AI report, Part 2: Copyrightability (2025): digest"),
}


def answered(question: str, *sources: str, rewritten: str | None = None) -> Answer:
    citations = [Citation(n=n, source=s, title=s, page=1, quote="q", chunk_id=f"{s}:{n}")
                 for n, s in enumerate(sources, start=1)]
    return Answer(question=question, answer="a", abstained=not citations, citations=citations,
                  rewritten_query=rewritten)


BARTZ = answered("Did Judge Alsup find that training on lawfully purchased books was fair use?", "bartz.md")


@pytest.mark.parametrize("question, expected", [
    # elliptical: the case is carried over, by its short name
    ("Who was the judge?", "Who was the judge? (Bartz v. Anthropic)"),
    ("What about the pirated books?", "What about the pirated books? (Bartz v. Anthropic)"),
    ("Was that appealed?", "Was that appealed? (Bartz v. Anthropic)"),
    ("Why?", "Why? (Bartz v. Anthropic)"),
    # a bare switch to a named party keeps the question and names the case in full
    ("What about Meta?", "What about Meta? (Kadrey v. Meta; Did the court find that training on lawfully purchased books was fair use)"),
    # a question that names its own case never inherits another
    ("What did the court hold in Kadrey v. Meta?", "What did the court hold in Kadrey v. Meta?"),
    ("What did the court decide in Concord v. Anthropic?", "What did the court decide in Concord v. Anthropic?"),
    ("What did Judge Chhabria say about market dilution?", "What did Judge Chhabria say about market dilution?"),
    ("What happened with ByteDance?", "What happened with ByteDance?"),
    ("And ByteDance?", "And ByteDance? (Studios and the MPA v. ByteDance over Seedance 2.0; "
                       "Did the court find that training on lawfully purchased books was fair use)"),
    # a new topic starts fresh
    ("Can an AI system be the author of a copyrighted work?", "Can an AI system be the author of a copyrighted work?"),
    ("What are the four fair use factors?", "What are the four fair use factors?"),
    # a party or case the index does not hold is not answered with the conversation's case
    ("What about Getty?", "What about Getty?"),
    ("What about Getty: has that case produced a ruling?", "What about Getty: has that case produced a ruling?"),
])
def test_rewrites_after_a_bartz_answer(question, expected):
    assert rewrite_followup(question, [BARTZ], DOCS) == expected


def test_a_shared_party_is_the_case_under_discussion():
    assert rewrite_followup("And Anthropic?", [BARTZ], DOCS) == (
        "And Anthropic? (Bartz v. Anthropic; Did the court find that training on lawfully purchased books was fair use)")
    kadrey = answered("What did the court hold in Kadrey v. Meta?", "kadrey.md")
    # several cases share the party, and nothing says which: the question is searched as asked
    assert rewrite_followup("Whom did Anthropic hire?", [kadrey], DOCS) == "Whom did Anthropic hire?"
    assert rewrite_followup("What about Anthropic?", [kadrey], DOCS) == (
        "What about Anthropic? (What did the court hold)")


def test_that_opinion_is_the_one_case_the_answer_quoted_of_those_the_question_named():
    lyrics = answered("Why did the Tennessee court say it lacked jurisdiction over Anthropic?", "concord.pdf")
    assert rewrite_followup("Who wrote that opinion?", [lyrics], DOCS) == "Who wrote that opinion? (Concord Music v. Anthropic)"
    # Not pointing back to one ruling, the question keeps every case "Anthropic" named.
    assert rewrite_followup("Why?", [lyrics], DOCS) == "Why? (Bartz v. Anthropic; Concord Music v. Anthropic)"


def test_a_chain_of_follow_ups_keeps_the_named_case():
    second = answered("Who was the judge?", "bartz.md", rewritten="Who was the judge? (Bartz v. Anthropic)")
    assert rewrite_followup("And when was it decided?", [BARTZ, second], DOCS).endswith("(Bartz v. Anthropic)")
    meta = answered("What about Meta?", "kadrey.md", rewritten="What about Meta? (Kadrey v. Meta; x)")
    assert rewrite_followup("Who was the judge?", [BARTZ, meta], DOCS) == "Who was the judge? (Kadrey v. Meta)"


def test_a_topic_carries_the_question_not_a_document():
    topic = answered("Can an AI system be the author of a copyrighted work?", "co-part2.md", "ross.md")
    assert rewrite_followup("Which court decided that?", [topic], DOCS) == (
        "Which court decided that? (Can an AI system be the author of a copyrighted work?)")
    report = answered("What does the Copyright Office say about prompts?", "co-part2.md")
    assert rewrite_followup("Is that binding?", [report], DOCS) == (
        "Is that binding? (What does the Copyright Office say about prompts?)")


def test_no_history_no_rewrite():
    assert rewrite_followup("Who was the judge?", [], DOCS) == "Who was the judge?"


@pytest.mark.parametrize("question, elliptical", [
    ("Who was the judge?", True), ("Did he find evidence of harm?", True), ("Which appeals court has said so?", True),
    ("And the damages?", True), ("Was the preliminary injunction granted?", True),
    ("Did the court find that the copies were transformative?", True),
    ("How many of the works are listed as examples?", True),  # the works of the case before
    ("Which books were at issue?", True), ("What claim is still left to resolve?", True),
    ("Is the issue of fair use decided by a judge or a jury?", False),
    ("Is training on copyrighted books fair use?", False), ("What does section 107 list?", False),
    ("Does copyright require that a human made the work?", False),
])
def test_is_elliptical(question, elliptical):
    assert is_elliptical(question) is elliptical


def test_short_case_names():
    assert short_case_name("Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc.") == "Thomson Reuters v. ROSS"
    assert short_case_name("The New York Times Company v. Microsoft Corporation") == "New York Times v. Microsoft"
    assert short_case_name("In re Google Generative AI Copyright Litigation") == "In re Google Generative AI Copyright Litigation"


def test_named_sources_prefer_the_most_specific_case():
    names = NameIndex.of(DOCS)
    assert names.named_sources("What did the court decide in Concord v. Anthropic?") == {"concord.pdf"}
    assert names.named_sources("What did Anthropic do?") == {"bartz.md", "concord.pdf"}
    assert names.named_sources("How many times did the court cite it?") == set()


@pytest.mark.parametrize("question", [
    "Can an AI company be contributorily liable for what users prompt its model to produce?",
    "Can a judge refuse leave to amend just because the plaintiffs waited too long?",
    "And the Copyright Office: how does its training report see licensing?",
    "What did the Copyright Office say about it?",
])
def test_a_pronoun_inside_the_question_or_another_authority_carries_nothing(question):
    assert rewrite_followup(question, [BARTZ], DOCS) == question


def test_a_question_about_it_carries_what_it_is():
    """"What did he say about it?" after "Which judge disagreed about market dilution?" asks about
    market dilution in that case; "Was that appealed?" asks something of its own."""
    dilution = answered("Which judge disagreed about market dilution?", "kadrey.md")
    assert rewrite_followup("What did he say about it?", [dilution], DOCS) == (
        "What did he say about it? (Kadrey v. Meta; disagreed about market dilution)")
    assert rewrite_followup("How did the court treat that?", [dilution], DOCS) == (
        "How did the court treat that? (Kadrey v. Meta; disagreed about market dilution)")
    assert rewrite_followup("Was that appealed?", [dilution], DOCS) == "Was that appealed? (Kadrey v. Meta)"


@pytest.mark.parametrize("question, survey", [
    ("Which AI companies have been sued?", True),
    ("Which of those cases were decided in favor of the AI company?", True),
    ("Which cases was the complaint to consolidate?", False),
    ("Which companies did the Times sue?", False),
])
def test_a_survey_over_the_cases_is_no_follow_up_of_the_last_one(question, survey):
    """"Which of those cases went for the AI company?" asks of every case, not the last answer's."""
    from chatbot.surveys import is_survey

    assert is_survey(question) is survey
    if survey:
        assert rewrite_followup(question, [BARTZ], DOCS) == question


def test_a_question_carrying_on_the_last_answer_leans_on_it():
    """"From which sites?" after a question on Bartz carries on its sentence."""
    assert is_elliptical("From which sites?") and is_elliptical("In what year?")
    assert rewrite_followup("From which sites?", [BARTZ], DOCS) == "From which sites? (Bartz v. Anthropic)"
    assert not is_elliptical("From what age can a person hold a copyright?")

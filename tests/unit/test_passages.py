"""What a question asks for, and which sentences are never quoted as an answer."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chatbot.calibration import Calibration, LogisticModel, load_calibration, save_calibration
from chatbot.courts import court_key, court_seats, courts_deciding
from chatbot.mentions import court_elsewhere, dates_missing
from chatbot.passages import (
    Intent,
    heading_prefix,
    is_quotable,
    question_parts,
    opens_with_citation,
    quotable_spans,
    sentence_signals,
    structural_kind,
)
from eval.fit import choose_threshold, fit_logistic, states_fact


@pytest.mark.parametrize("sentence, kind", [
    ("Kadrey v. Meta Platforms, Inc. — case brief (project-written summary).", "header"),
    ("Court: U.S. District Court, N.D. Cal. (Chhabria, J.) · Docket: No. 3:23-cv-03417-VC · Decision: June 25, 2025",
     "header"),
    ("Kind: project-written summary, not the court's text.", "header"),
    ("Leading fair use precedents — Campbell, Sega, Authors Guild v. Google, Warhol (project-written summary).", "header"),
    ("Purchase and destructive scanning of print books: at 3-4.", "toc"),
    ("2024 op.: surviving counterclaims, at 2; separate-products analysis, at 3-11; market definition, at 11-13.", "toc"),
    ("Introduction .......... 1", "toc"),
    ("UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA ANDREA BARTZ, Plaintiffs, v. ANTHROPIC PBC, "
     "Defendant.", "caption"),
    ("UNITED STATES JUDICIAL PANEL on MULTIDISTRICT LITIGATION IN RE: OPENAI, INC., COPYRIGHT INFRINGEMENT "
     "LITIGATION MDL No. 3143 TRANSFER ORDER Before the Panel: The defendants move to centralize this litigation.",
     "caption"),
    ("Dated: June 25, 2025 VINCE CHHABRIA United States District Judge", "signature"),
    ("IT IS SO ORDERED.", "signature"),
    ("Before: MILLETT and WILKINS, Circuit Judges, and ROGERS, Senior Circuit Judge. Opinion for the Court filed by "
     "Circuit Judge MILLETT.", "signature"),
    ("Nicholas S. Crown, Attorney, argued the cause for appellees.", "signature"),
    ("With him on the briefs was Timothy G. Lamoureux.", "signature"),
    ("Ryan N. Phelan was on the brief for amici curiae Legal Professors.", "signature"),
    ("jdoe@firm.example klogan@firm.example Attorneys for Plaintiff The New York Times Company", "signature"),
    ("Effect on the market for the work.", "heading"),
    ("(ii) The Pirated Library Copies.", "heading"),
    ("Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569 (1994).", "citation"),
    ("Second Am. Compl. ¶ 90, Leovy v. Google LLC , No. 23 -cv-03440 , ECF No. 47.", "citation"),
    ("Id. at 93–94.", "citation"),
    ("B. Fair Use Factor Four Favors Meta", "heading"),
])
def test_structural_text_is_recognised(sentence, kind):
    assert structural_kind(sentence) == kind


@pytest.mark.parametrize("sentence", [
    "On the claim that training Llama on these plaintiffs' books infringed their copyrights, Meta won summary "
    "judgment on fair use.",
    "Copying the books to train LLMs was fair use (at 9, 30-31).",
    "Disney sent ByteDance a cease-and-desist letter.",
    "The Supreme Court held in Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569 (1994), that commercial use is not "
    "presumptively unfair.",
    "The court read the Act as a whole.",
    "Within 14 days of this Order, Plaintiffs shall file a second amended consolidated complaint.",
    "II. I GRANT PARTIAL SUMMARY JUDGMENT TO THOMSON REUTERS , NOT ROSS, ON DIRECT COPYRIGHT INFRINGEMENT The "
    "dispute boils down to whether the headnotes were copied, and whether the copying was excused by any of the "
    "defenses that were raised against it.",
])
def test_holdings_and_facts_are_text(sentence):
    assert structural_kind(sentence) is None


def test_a_footnote_that_only_gives_a_source_is_a_citation():
    assert structural_kind("25 Copyright Office Launches New Artificial Intelligence Initiative, U.S. Copyright Office "
                           "(Mar. 16, 2023), https://www.copyright.gov/newsnet/ 2023/1004.html.") == "citation"
    # An address inside a sentence that says something is text.
    assert structural_kind("31 The transcript and recording of the registration webinar are available at "
                           "https://www.copyright.gov/ events/ai-application-process/.") is None


def test_a_short_form_citation_and_its_parentheticals_are_a_citation():
    assert structural_kind("Harper & Row , 471 U.S. at 56 6.") == "citation"
    assert structural_kind("Warhol , 598 U.S. at 527 (quotation marks omitted) (quoting Oracle , 593 U.S. at 20).") == (
        "citation")
    # Prose around the citation is still prose.
    assert structural_kind("The Court held in Warhol, 598 U.S. at 527, that the use was commercial.") is None


def test_a_middle_initial_is_not_a_citation():
    assert structural_kind("Suzanne V. Wilson, General Counsel and Associate Register of Copyrights.") is None
    assert structural_kind("Bartz v. Anthropic, 2025 WL 1741691.") == "citation"


def test_a_heading_run_that_opens_a_sentence_is_cut_from_the_quote():
    sentence = "II. DISCUSSION Anthropic argues that its use was fair."
    assert sentence[heading_prefix(sentence):] == "Anthropic argues that its use was fair."
    assert heading_prefix("Anthropic argues that its use was fair.") == 0
    # A part's numeral left on its own: cut, but "I" is the judge speaking.
    sentence = "V For the foregoing reasons, the denial is affirmed."
    assert sentence[heading_prefix(sentence):] == "For the foregoing reasons, the denial is affirmed."
    assert heading_prefix("I grant summary judgment to Thomson Reuters.") == 0
    # A Code section's web page opens with the printer's header: the quote starts at the section.
    sentence = ("17 U.S.C. United States Code, 2023 Edition Title 17 - COPYRIGHTS CHAPTER 1 - SUBJECT MATTER Sec. 107 - "
                "Fair use From the U.S. Government Publishing Office, www.gpo.gov Notwithstanding sections 106 and 106A, "
                "fair use is not an infringement.")
    assert sentence[heading_prefix(sentence):].startswith("Notwithstanding sections 106")


def test_question_types():
    assert Intent.of("How many books did Meta download?").number
    assert Intent.of("When was the complaint filed?").date
    assert Intent.of("Which judge decided it?").person and Intent.of("Which judge decided it?").signer
    assert Intent.of("What are the four fair use factors?").listing
    assert Intent.of("What broad categories of policy issues did the Office identify in its notice?").listing
    assert Intent.of("Which licensing approaches did the Office ask about?").listing
    assert not Intent.of("What did the Office say about licensing?").listing
    assert Intent.of("What did the court hold in Kadrey v. Meta?").holding
    assert not Intent.of("What did the court hold in Kadrey v. Meta?").number
    assert Intent.of("Did the startup win on its defense?").holding
    assert Intent.of("Did the publishers prevail on the injunction?").holding
    assert Intent.of("Did the appeals court agree with the Copyright Office?").holding
    assert Intent.of("Did the Tennessee court have personal jurisdiction over Anthropic?").holding
    assert not Intent.of("Did Meta download books from shadow libraries?").holding  # a fact, not a ruling
    assert not Intent.of("What did the multidistrict litigation panel decide?").signer
    assert Intent.of("Who sat on the panel?").signer and Intent.of("Which panel member did not take part?").signer


@pytest.mark.parametrize("question", ["What happened with ByteDance?", "Anything on Runway AI?",
                                      "Tell me about the Llama fair use ruling.", "What's going on with the Times case?"])
def test_a_vague_question_asks_for_the_outcome(question):
    assert Intent.of(question).holding


@pytest.mark.parametrize("question, person, signer", [
    ("Which trial judge handled Thaler's suit?", True, True),
    ("Who was on the D.C. Circuit panel, and which lawyer argued for the appellant?", True, True),
    ("Which Anthropic executive is quoted?", True, False),
    ("Who sued Meta?", True, False),
    ("What are the four fair use factors?", False, False),
    # The judge is named, not asked for.
    ("Which claims survived Judge Orrick's October 2023 ruling?", False, False),
    ("Which of ROSS's counterclaims did Judge Stark dismiss?", False, False),
    ("Which claims survived the judge's order?", False, False),
])
def test_who_sat_signed_or_argued_may_be_read_from_the_caption(question, person, signer):
    intent = Intent.of(question)
    assert (intent.person, intent.signer) == (person, signer)


@pytest.mark.parametrize("question, courts", [
    ("What did the Ninth Circuit hold on appeal from Judge Chhabria's ruling?", {"9th cir."}),
    ("Did the Supreme Court take up Thaler v. Perlmutter?", {"u.s."}),
    ("How did the Third Circuit rule on the interlocutory appeal?", {"3d cir."}),
    ("What did the UK High Court decide in Getty Images v. Stability AI?", {"high court"}),
    ("Did the D.C. Circuit grant Thaler's petition?", {"d.c. cir."}),
    ("What did the California state court decide about Midjourney?", {"state court"}),
    # The court is cited, not asked about: nothing to check.
    ("Did Alsup rely on the Ninth Circuit's ruling in Kelly?", set()),
    ("Who was on the D.C. Circuit panel in Thaler?", set()),
    ("Which Supreme Court decision did the ROSS court rely on for the first factor?", set()),
])
def test_the_court_a_question_asks_about(question, courts):
    assert courts_deciding(question) == courts


def test_a_court_deciding_a_case_the_index_holds_only_from_other_courts():
    appeal = "Did the Ninth Circuit reverse Judge Orrick's dismissal of the DMCA claims?"
    assert court_elsewhere(appeal, frozenset({"N.D. Cal."})) == 1.0
    assert court_elsewhere(appeal, frozenset({"N.D. Cal.", "9th Cir."})) == 0.0
    assert court_elsewhere(appeal, frozenset()) == 0.0  # no court known: other features decide
    assert court_elsewhere("What did the court hold in Kadrey?", frozenset({"N.D. Cal."})) == 0.0
    assert court_key("2nd Cir.") == "2d cir." and court_key("S. Ct.") == "u.s."


def test_a_ruling_the_evidence_cites_as_precedent_is_not_elsewhere():
    district = frozenset({"N.D. Cal."})
    guild = "What did the Second Circuit decide in Authors Guild v. Google?"
    cited = ["Like the scanning in Authors Guild v. Google, Inc., 804 F.3d 202, 217 (2d Cir. 2015), the copies"]
    assert court_elsewhere(guild, district, cited) == 0.0
    assert court_elsewhere(guild, district, ["The Second Circuit has said little about training."]) == 1.0
    warhol = "What did the Supreme Court hold in Warhol v. Goldsmith?"
    assert court_elsewhere(warhol, district, ["Andy Warhol Found. v. Goldsmith, 598 U.S. 508, 528 (2023)"]) == 0.0
    # Citing the Ninth Circuit on something else does not report an appeal in this case.
    appeal = "Did the Ninth Circuit reverse Judge Orrick on the DMCA claims against Midjourney?"
    assert court_elsewhere(appeal, district, ["See Kelly v. Arriba Soft Corp., 336 F.3d 811 (9th Cir. 2003)."]) == 1.0
    assert court_elsewhere(appeal, district, ["Judge Orrick followed courts within the Ninth Circuit on DMCA"]) == 1.0
    # A court in the Sixth Circuit cites it beside its own parties and its seat: no appeal is reported.
    sixth = "How did the Sixth Circuit rule on Anthropic's appeal of the order moving the case out of Nashville?"
    tennessee = frozenset({"M.D. Tenn."})
    opinion = ["Anthropic's contacts with Nashville do not suffice. See Bird v. Parsons, 289 F.3d 865 (6th Cir. 2002)."]
    assert court_elsewhere(sixth, tennessee, opinion, own={"anthrop", "concord"}) == 1.0
    assert court_elsewhere(sixth, tennessee, opinion) == 0.0  # Anthropic read as the precedent's party


def test_a_question_with_several_parts_is_split_into_them():
    assert question_parts("When was Anthropic founded and when did Claude first become available?") == [
        "When was Anthropic founded", "when did Claude first become available"]
    assert question_parts("What did the court hold in Kadrey v. Meta?") == ["What did the court hold in Kadrey v. Meta"]


def test_sentence_signals():
    assert sentence_signals("Microsoft invested $13 billion in OpenAI.")["number"]
    assert sentence_signals("It was decided on June 25, 2025.")["date"]
    assert sentence_signals("The order was signed by Judge Alsup.")["person"]
    assert sentence_signals("Dated: June 25, 2025 VINCE CHHABRIA United States District Judge")["person"]
    assert not sentence_signals("The district judge ruled.")["person"]
    assert sentence_signals("The court weighs (1) purpose, (2) nature, (3) amount and (4) market effect.")["enumerates"]
    assert not sentence_signals("The plaintiffs argued otherwise.")["holds"]
    # To hold rights is to own them, not to decide: "publishers do hold AI training licensing rights".
    assert not sentence_signals("Even where publishers do hold AI training licensing rights, they do so regionally.")["holds"]
    assert not sentence_signals("These rights are instead held by individual authors.")["holds"]
    assert sentence_signals("We hold that the Copyright Act requires human authorship.")["holds"]


def test_a_precedent_reported_is_not_the_courts_ruling():
    """For "why was scanning fair use?", Alsup's account of Google Books is not his holding."""
    assert not sentence_signals("In Google Books, the court reasoned that the change was transformative.")["holds"]
    assert not sentence_signals("And, in Sony Betamax, the Supreme Court held that time-shifting was fair.")["holds"]
    assert sentence_signals("In this case, the court holds that the use was fair.")["holds"]
    assert sentence_signals("Instead, it was a fair use because Anthropic replaced its print copies.")["holds"]
    # Nor does a question, or a party finding something out.
    assert not sentence_signals("Should leave to amend be granted under Rule 15(a)(2)?")["holds"]
    assert not sentence_signals("When Thomson Reuters found out, it sued Ross.")["holds"]
    assert sentence_signals("The court found the use fair.")["holds"]
    assert Intent.of("Did the court accept its fair use defense?").holding
    assert Intent.of("What led the court to refuse a preliminary injunction?").holding
    assert Intent.of("Compare how the Anthropic and Meta rulings treated pirated books.").holding
    assert Intent.of("What's the deal with the Google AI lawsuit?").holding
    assert Intent.of("What’s the story with Thaler?").holding and Intent.of("What's the latest in the ROSS case?").holding
    assert Intent.of("Summarize the Thomson Reuters v. Ross decision.").holding
    assert not Intent.of("What is the summary judgment standard?").holding
    assert Intent.of("Did the judge let their copyright claims go forward in 2024?").holding
    assert Intent.of("In the Google case, why were the class allegations struck?").holding
    assert not Intent.of("How should a court proceed?").holding


def test_a_citation_is_not_context_for_the_sentence_after_it():
    assert opens_with_citation("802 F. Supp. at 14 (Judge Pierre Leval), aff’d, 60 F.3d at 919.")
    assert opens_with_citation("Id. at 93–94.") and opens_with_citation("See Campbell, 510 U.S. at 579.")
    assert not opens_with_citation("The court found the use transformative.")


def test_dates_the_passages_never_mention():
    assert dates_missing("What happened in July 2025?", ["decided June 25, 2025"]) == 0.5
    assert dates_missing("What did the court hold?", ["anything"]) == 0.0


def test_calibration_round_trips_and_falls_back_to_defaults(tmp_path):
    assert load_calibration(tmp_path / "absent.json").sentence.fitted_on == "defaults"
    model = LogisticModel({"similarity": 2.0}, -1.0, threshold=0.4, fitted_on="dev")
    path = tmp_path / "calibration.json"
    save_calibration(Calibration(sentence=model, answerable=model, rerank=None), path)
    loaded = load_calibration(path)
    assert loaded.answerable.threshold == 0.4 and loaded.rerank is None
    assert json.loads(path.read_text())["sentence"]["weights"] == {"similarity": 2.0}
    assert loaded.sentence.probability({"similarity": 0.5}) == pytest.approx(0.5)


def test_the_shipped_calibration_was_fitted_on_dev():
    calibration = load_calibration()
    for model in (calibration.sentence, calibration.answerable, calibration.rerank):
        assert model is not None and model.fitted_on.startswith("dev split of")


def test_logistic_fit_separates_and_the_threshold_favours_answering():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] > 0).astype(float)
    w, b = fit_logistic(x, y)
    assert w[0] > 2 and abs(w[1]) < 1
    p = np.array([0.1, 0.2, 0.8, 0.9])
    assert choose_threshold(p, np.array([0, 0, 1, 1])) == pytest.approx(0.8)
    # Abstaining on the answerable question at 0.5 is too many: the threshold stops there.
    assert choose_threshold(np.array([0.1, 0.5, 0.6, 0.9]), np.array([0, 1, 0, 1]), max_false_abstention=0.05) == 0.5


def test_a_fact_is_stated_whatever_the_spacing_and_case():
    assert states_fact("Meta won  summary\njudgment.", [["summary judgment"]])
    assert not states_fact("Meta won.", [["summary judgment"], ["fair use"]])


def test_the_abstention_penalty_is_chosen_by_cross_validation_among_the_candidates():
    from eval.fit import PENALTIES, choose_penalty

    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 3))
    y = (x[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(float)
    assert choose_penalty(x, y) in PENALTIES


def test_the_threshold_is_read_from_probabilities_each_question_s_model_did_not_see():
    from eval.fit import out_of_fold

    rng = np.random.default_rng(2)
    x = rng.normal(size=(80, 3))
    y = (x[:, 0] + 0.5 * rng.normal(size=80) > 0).astype(float)
    held_out = out_of_fold(x, y, 0.5)
    w, b = fit_logistic(x, y, l2=0.5)
    in_sample = 1 / (1 + np.exp(-(x @ w + b)))
    assert held_out.shape == y.shape and ((held_out > 0) & (held_out < 1)).all()
    # The in-sample fit is surer of its own questions than the held-out one is.
    assert np.abs(in_sample - y).mean() < np.abs(held_out - y).mean()


@pytest.mark.parametrize("question, money", [
    ("How much did ROSS pay LegalEase for the Bulk Memos?", True),
    ("What damages did the jury award?", True),
    ("How much did Anthropic agree to pay to settle?", True),
    ("How much of the plaintiffs' text could the experts extract?", False),
    ("What did the court hold in Kadrey v. Meta?", False),
    ("What fines can the Copyright Office impose?", True),
    ("What fine did the court impose on Meta for torrenting?", True),
    ("What was ROSS Intelligence's annual revenue?", True),
    ("How much profit did the company report?", True),
    ("The judge said scanning purchased books was fine. What about the pirated copies?", False),
    ("How much did Microsoft invest in OpenAI?", True),
    ("What does the complaint claim about the investor's role?", False),  # a party, not a sum
    ("What amount of statutory damages per work are the artists seeking?", True),
    ("Did he say anything about damages?", False),  # the topic, not a sum
])
def test_a_question_asking_for_a_sum(question, money):
    assert Intent.of(question).money is money


@pytest.mark.parametrize("sentence, money", [
    ("Meta was willing to spend $100 million on licenses.", True),
    ("The settlement came to 1.5 billion dollars.", True),
    ("Statutory damages run from $750 to $30,000 per work.", True),
    ("The order of June 25, 2025, at 40, cites 17 U.S.C. § 107.", False),
    ("The model was trained on 7 million pirated books.", True),  # a count reads as a sum: the window decides
    ("Anthropic spent many millions of dollars to purchase millions of print books.", True),
    ("Anthropic purchased millions of print books.", False),
])
def test_a_sentence_stating_a_sum(sentence, money):
    assert sentence_signals(sentence)["money"] is money


@pytest.mark.parametrize("question, texts, missing", [
    # A judge's own order does not call its author "Judge Alsup": the name alone is looked for.
    ("How did Judge Chhabria answer Judge Alsup?", ["VINCE CHHABRIA, United States District Judge", "Alsup held"], 0.0),
    ("What did Magistrate Judge Wang order?", ["Judge Stein ruled"], 1.0),
    ("What did the UK High Court decide?", ["the court held that the high-water mark"], 1.0),
    ("What did Judge Martínez-Olguín decide?", ["Martínez-Olguín, J."], 0.0),
    ("What did Judge Martinez-Olguin decide?", ["ARACELI MARTÍNEZ-OLGUÍN United States District Judge"], 0.0),
    # An act and its section are written many ways: "Section 1202(b) of the … Act (“DMCA”)".
    ("How did Tremblay and Concord differ on the DMCA 1202(b) claims?", ["Section 1202(b) of the DMCA"], 0.0),
])
def test_missing_phrases_leave_out_a_judge_s_title(question, texts, missing):
    from chatbot.mentions import phrases_missing

    assert phrases_missing(question, texts) == missing


def test_a_missing_name_or_sum_never_counts_for_answering():
    from chatbot.calibration import ANSWERABLE_FEATURES
    from eval.fit import fit_answerable

    rng = np.random.default_rng(3)
    n = 120
    x = rng.uniform(size=(n, len(ANSWERABLE_FEATURES)))
    y = (x[:, ANSWERABLE_FEATURES.index("top_similarity")] > 0.5).astype(float)
    # A quirk of the sample: answerable questions happen to have more missing dates.
    x[:, ANSWERABLE_FEATURES.index("dates_missing")] = y * 0.8 + 0.2 * rng.uniform(size=n)
    kept, _, w, _ = fit_answerable(x, y)
    names = [f for f, k in zip(ANSWERABLE_FEATURES, kept) if k]
    assert "dates_missing" not in names and "top_similarity" in names
    assert all(v <= 0 for v, f in zip(w, names) if f.endswith("_missing") or f in ("unknown_names", "unseen_terms"))


def test_close_and_complete_evidence_never_counts_against_answering():
    from chatbot.calibration import ANSWERABLE_FEATURES
    from eval.fit import FOR_ANSWERING, fit_answerable

    rng = np.random.default_rng(4)
    n = 120
    x = rng.uniform(size=(n, len(ANSWERABLE_FEATURES)))
    y = (x[:, ANSWERABLE_FEATURES.index("top_similarity")] > 0.5).astype(float)
    # A quirk of the sample: unanswerable questions happen to have better-covered windows.
    x[:, ANSWERABLE_FEATURES.index("typed_support")] = (1 - y) * 0.8 + 0.2 * rng.uniform(size=n)
    kept, _, w, _ = fit_answerable(x, y)
    names = [f for f, k in zip(ANSWERABLE_FEATURES, kept) if k]
    assert "typed_support" not in names and "top_similarity" in names
    assert all(v >= 0 for v, f in zip(w, names) if f in FOR_ANSWERING)


def test_the_fit_reads_each_dev_dialogue_turn_after_the_turns_before_it(tmp_path):
    from eval.fit import dev_questions

    path = tmp_path / "dialogues.jsonl"
    turn = {"kind": "first", "sources": ["a.md"], "key_facts": [["fair use"]]}
    path.write_text("\n".join(json.dumps(d) for d in [
        {"id": "d1", "split": "dev", "turns": [dict(turn, question="Q1"), dict(turn, question="Q2", kind="elliptical"),
                                                 {"question": "Q3", "kind": "topic"}]},
        {"id": "d2", "split": "test", "turns": [dict(turn, question="T1")]},
    ]) + "\n", encoding="utf-8")
    questions = dev_questions(path)
    assert [(q["id"], q["question"], q["history"], q["answerable"]) for q in questions] == [
        ("d1-0", "Q1", [], True), ("d1-1", "Q2", ["Q1"], True), ("d1-2", "Q3", ["Q1", "Q2"], False)]
    assert questions[0]["key_facts"] == [["fair use"]]


def test_where_a_court_sits_is_not_a_name_the_passages_must_hold():
    from chatbot.mentions import phrases_missing, question_names
    from ingest.tokenization import tokenize

    question = "A federal judge in San Francisco ruled on pirated books. Did a Texas court agree?"
    courts = frozenset({"N.D. Cal."})
    assert court_seats(question, courts) == ["San Francisco"]
    names = set().union(*question_names(question, courts))
    assert not names & set(tokenize("San Francisco")) and set(tokenize("Texas")) <= names
    assert set(tokenize("Francisco")) <= set().union(*question_names(question))  # no court: a name
    assert court_seats("What did the New York Times allege?", frozenset({"S.D.N.Y."})) == []
    assert court_seats("Why did the New York court keep the case?", frozenset({"S.D.N.Y."})) == ["New York"]
    texts = ["Judge Alsup of the Northern District of California held the pirated copies infringing."]
    assert phrases_missing("Did the San Francisco judge rule?", texts, courts) == 0.0
    assert phrases_missing("Did the San Francisco judge rule?", texts) == 1.0
    # The district's own name is the court's too, though its rulings' text seldom repeats it.
    asked = "Which judges in the Northern District of California ruled on fair use?"
    assert phrases_missing(asked, ["Meta's use was fair."], courts) == 0.0 and not question_names(asked, courts)
    assert phrases_missing(asked, ["Meta's use was fair."]) == 1.0


def test_the_month_a_question_dates_its_ruling_by_picks_that_ruling():
    from chatbot.described import dated_sources
    from ingest.types import SourceDocument

    def doc(source, date):
        return SourceDocument(source=source, title=source, sha256="0" * 64, date=date, case_name="Andersen v. Stability")

    documents = {"a.txt": doc("a.txt", "2023-10-30"), "b.txt": doc("b.txt", "2024-08-12")}
    both = set(documents)
    assert dated_sources("What did the October 2023 order dismiss?", both, documents) == {"a.txt"}
    assert dated_sources("In the August 12, 2024 order, what survived?", both, documents) == {"b.txt"}
    assert dated_sources("What did the court dismiss?", both, documents) == both
    assert dated_sources("What did the May 2021 order say?", both, documents) == both  # none is dated so
    # The year alone, beside the ruling's name.
    assert dated_sources("In the 2024 Andersen order, what survived?", both, documents) == {"b.txt"}
    assert dated_sources("What did the order of 2023 dismiss?", both, documents) == {"a.txt"}
    assert dated_sources("What happened in 2024?", both, documents) == both  # no ruling named


def test_a_date_is_no_part_of_a_name_the_passages_must_hold():
    from chatbot.mentions import phrases_missing

    texts = ["Andersen v. Stability AI: the motions are granted in part."]
    assert phrases_missing("In the August 2024 Andersen order, which claims went forward?", texts) == 0.0
    assert phrases_missing("What did the High Court hold in August 2024?", texts) == 1.0


def test_a_court_described_by_its_seat_or_level_picks_its_documents():
    from chatbot.described import described_sources
    from ingest.types import SourceDocument

    def doc(source, court):
        return SourceDocument(source=source, title=source, sha256="0" * 64, court=court)

    documents = {"tenn.txt": doc("tenn.txt", "M.D. Tenn."), "cal.txt": doc("cal.txt", "N.D. Cal."),
                 "dc.txt": doc("dc.txt", "D.C. Cir."), "noi.pdf": doc("noi.pdf", None)}
    every = set(documents)
    assert described_sources("Why did the Tennessee court send the case away?", every, documents) == {"tenn.txt"}
    assert described_sources("Did the appeals court agree with the Copyright Office?", every, documents) == {"dc.txt"}
    assert described_sources("What did the court hold?", every, documents) == every
    assert described_sources("What did the Texas court hold?", every, documents) == every  # none sits there
    assert described_sources("Why did a judge in San Francisco rule so?", every, documents) == {"cal.txt"}
    # A place beside no court word describes no court: the panel chose between the two.
    assert described_sources("Why did the panel choose New York over California?", every, documents) == every
    # A question naming its appeals court is not about whichever appellate ruling was retrieved.
    assert described_sources("Did the Ninth Circuit affirm the ruling on appeal?", every, documents) == every
    # A court as the question abbreviates it.
    documents["ddc.txt"] = doc("ddc.txt", "D.D.C.")
    every = set(documents)
    assert described_sources("Why did the D.D.C. side with the Office?", every, documents) == {"ddc.txt"}
    assert described_sources("What did the D.C. Circuit say?", every, documents) == {"dc.txt"}
    assert described_sources("Why did the court in N.D.Cal. rule so?", every, documents) == {"cal.txt"}


def test_cases_set_side_by_side_by_party_or_judge():
    from chatbot.query import party_sources
    from ingest.types import SourceDocument

    def doc(source, case, judge):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case, judge=judge)

    documents = {"bartz.pdf": doc("bartz.pdf", "Bartz v. Anthropic PBC", "William Alsup"),
                 "concord.txt": doc("concord.txt", "Concord Music Group, Inc. v. Anthropic PBC", "Eumi K. Lee"),
                 "kadrey.txt": doc("kadrey.txt", "Kadrey v. Meta Platforms, Inc.", "Vince Chhabria")}
    anthropic = {"bartz.pdf", "concord.txt"}
    assert party_sources("Compare how the Anthropic and Meta rulings treated piracy.", documents) == anthropic | {
        "kadrey.txt"}
    assert party_sources("How did Alsup and Chhabria differ on market dilution?", documents) == {"bartz.pdf",
                                                                                                  "kadrey.txt"}
    # One case, by both its parties: no comparison, and Bartz v. Anthropic is not meant.
    assert party_sources("Why was Concord's case against Anthropic moved?", documents) == set()
    assert party_sources("What did Kadrey v. Meta hold?", documents) == set()
    # Of the two Anthropic cases, the one the search found is compared with Meta's.
    from chatbot.query import focus_of
    from chatbot.types import Evidence
    from ingest.types import Chunk

    def found(source):
        return Evidence(chunk=Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=1, text="x",
                                    doc_sha256="0" * 64), score=0.0)

    question = "Compare how the Anthropic and Meta rulings treated piracy."
    parties = party_sources(question, documents)
    focus, more_from = focus_of(question, [found("bartz.pdf"), found("kadrey.txt")], documents, parties)
    assert focus == {"bartz.pdf", "kadrey.txt"} and len(more_from) == 2
    focus, _ = focus_of(question, [found("kadrey.txt")], documents, parties)  # neither found: both kept
    assert focus == anthropic | {"kadrey.txt"}


def test_the_case_a_question_names_is_the_one_meant():
    from chatbot.names import mentioned_sources
    from ingest.types import SourceDocument

    def doc(source, case):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case)

    documents = {"tremblay.txt": doc("tremblay.txt", "Tremblay v. OpenAI, Inc."),
                 "mdl.txt": doc("mdl.txt", "In re OpenAI, Inc., Copyright Infringement Litigation"),
                 "nyt.txt": doc("nyt.txt", "The New York Times Company v. Microsoft Corporation")}
    assert mentioned_sources("Which claims survived in Tremblay v. OpenAI?", documents) == {"tremblay.txt"}
    assert mentioned_sources("What did OpenAI argue?", documents) == {"mdl.txt"}
    assert mentioned_sources("How many actions? (In re OpenAI; Tremblay v. OpenAI)", documents) == {
        "mdl.txt", "tremblay.txt"}
    # "The new defendant" is not The New York Times Company.
    assert mentioned_sources("Who was the new defendant?", documents) == set()
    assert mentioned_sources("What did the New York Times allege?", documents) == {"nyt.txt"}
    assert mentioned_sources("According to the Times' complaint, what did Microsoft invest?", documents) == {"nyt.txt"}
    assert mentioned_sources("How many times was the complaint amended?", documents) == set()
    # The side a named case is brought against is not a case of its own ("In re OpenAI").
    assert mentioned_sources("What does the New York Times allege against Microsoft and OpenAI?", documents) == {
        "nyt.txt"}
    # Nor is "the claims against OpenAI" In re OpenAI's when OpenAI is sued in Tremblay's case too:
    # the passages found decide which case is meant.
    assert mentioned_sources("Which claims against OpenAI were centralized?", documents) == set()
    assert mentioned_sources("What did the court decide about the DMCA claims against OpenAI?", documents) == set()
    # A company a person has left names the person, not the company's case.
    assert mentioned_sources("Which former OpenAI engineer testified?", documents) == set()
    assert mentioned_sources("What did the ex-OpenAI researcher say?", documents) == set()
    assert mentioned_sources("What did OpenAI's engineers say?", documents) == {"mdl.txt"}
    assert mentioned_sources("What did the OpenAI founders say?", documents) == {"mdl.txt"}
    # A party in a longer name its case is not called by: "OpenAI Five" is no case of OpenAI's.
    assert mentioned_sources("What did the court say about OpenAI Five?", documents) == set()
    assert mentioned_sources("What did OpenAI Inc argue?", documents) == {"mdl.txt"}
    # A party's initials from its first word: "NYT", or "nyt" (no everyday word); not "rec" of "Reuters Enterprise".
    assert mentioned_sources("What did the NYT complaint say about Bing Chat?", documents) == {"nyt.txt"}
    assert mentioned_sources("nyt complaint claims", documents) == {"nyt.txt"}
    assert mentioned_sources("What did TNY say?", documents) == set()
    # "The MDL", where the index holds one multidistrict litigation.
    mdl = {"mdl.txt": SourceDocument(source="mdl.txt", title="In re OpenAI, MDL No. 3143, Transfer Order", sha256="0" * 64,
                                     case_name="In re OpenAI, Inc., Copyright Infringement Litigation")}
    assert mentioned_sources("Which companies are defendants in the MDL?", documents | mdl) == {"mdl.txt"}
    assert mentioned_sources("Which companies are defendants in the MDL?", documents) == set()  # none is titled so
    assert mentioned_sources("Which claims did the MDL panel centralize in In re OpenAI?", documents) == {"mdl.txt"}
    # A report's part is named by its number: "Part 2" is the document so titled, not Part 1.
    parts = {f"p{n}.md": SourceDocument(source=f"p{n}.md", title=f"Copyright and AI, Part {n}: digest", sha256="0" * 64)
             for n in (1, 2)}
    assert mentioned_sources("What did the Copyright Office say in Part 2 about prompts?", parts) == {"p2.md"}


def test_a_section_cited_names_the_documents_titled_with_it():
    from chatbot.names import cited_section, mentioned_sources, titled_sections
    from ingest.types import SourceDocument

    assert titled_sections("Fair use and the exclusive rights, 17 U.S.C. §§ 106-107: digest") == {"106", "107"}
    assert titled_sections("17 U.S.C. § 107, Limitations on exclusive rights: Fair use") == {"107"}
    assert titled_sections("Title 17, United States Code") == set()
    documents = {s: SourceDocument(source=s, title=t, sha256="0" * 64, kind="statute") for s, t in (
        ("sec107.htm", "17 U.S.C. § 107, Limitations on exclusive rights: Fair use"),
        ("title17.xml", "Title 17, United States Code"))}
    documents["bartz.txt"] = SourceDocument(source="bartz.txt", title="Order", sha256="0" * 64,
                                            case_name="Bartz v. Anthropic PBC")
    assert mentioned_sources("What are the four factors in 17 U.S.C. § 107?", documents) == {"sec107.htm"}
    assert mentioned_sources("What does § 1202(b) prohibit?", documents) == set()  # no print titled with it
    # A case named is what the question is about: the section is asked of it.
    assert mentioned_sources("How did Bartz apply section 107?", documents) == {"bartz.txt"}
    assert cited_section("What are the four factors in 17 U.S.C. § 107?", {"sec107.htm"}, documents) == "107"
    assert cited_section("How have courts handled § 1202(b) claims?", set(), documents) is None
    assert cited_section("How did Bartz apply section 107?", {"bartz.txt"}, documents) is None


def test_a_docket_number_names_the_documents_filed_under_it():
    from chatbot.names import docketed_sources, mentioned_sources
    from ingest.types import SourceDocument

    def doc(source, docket):
        return SourceDocument(source=source, title=source, sha256="0" * 64, docket=docket)

    documents = {"mdl": doc("mdl", "MDL No. 3143"), "bartz": doc("bartz", "3:24-cv-05417-WHA"),
                 "thaler": doc("thaler", "23-5233"), "noi": doc("noi", "2023-6")}
    assert mentioned_sources("How many actions did the Panel centralize in MDL No. 3143?", documents) == {"mdl"}
    assert docketed_sources("What did the court hold in No. 3:24-cv-05417?", documents) == {"bartz"}
    assert docketed_sources("What did the D.C. Circuit decide in No. 23-5233?", documents) == {"thaler"}
    assert docketed_sources("How many of the 3143 works were registered?", documents) == set()  # not a docket


def test_the_side_sued_names_its_case_when_it_is_sued_in_one():
    from chatbot.names import mentioned_sources
    from ingest.types import SourceDocument

    def doc(source, case):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case)

    documents = {"ross.txt": doc("ross.txt", "Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc."),
                 "bartz.txt": doc("bartz.txt", "Bartz v. Anthropic PBC"),
                 "concord.txt": doc("concord.txt", "Concord Music Group, Inc. v. Anthropic PBC"),
                 "andersen.txt": doc("andersen.txt", "Andersen v. Stability AI Ltd.")}
    assert mentioned_sources("Why didn't Sega and Sony rescue ROSS?", documents) == {"ross.txt"}
    assert mentioned_sources("Stability AI's motion: what did it argue?", documents) == {"andersen.txt"}
    # Sued in two cases, it names neither; with a party of another case, it is not the case meant.
    assert mentioned_sources("What did Anthropic argue about fair use?", documents) == set()
    assert mentioned_sources("How did Alsup distinguish the ruling against ROSS when deciding the Anthropic case?",
                             documents) == set()
    # A suit between other sides: Getty's suit is not Andersen's, though Stability is sued in both.
    assert mentioned_sources("Is Getty Images' lawsuit against Stability AI mentioned anywhere?", documents) == set()
    assert mentioned_sources("How did the court treat the ross in the garden?", documents) == set()  # not a name


def test_a_bare_citation_answers_only_where_a_case_is_cited():
    assert Intent.of("Is Getty Images' lawsuit against Stability AI mentioned anywhere?").mention
    assert not Intent.of("What did Campbell v. Acuff-Rose hold about commercial use?").mention


@pytest.mark.parametrize("question, side_by_side", [
    ("Compare the Bartz and Kadrey rulings on market dilution.", True),
    ("How did Alsup and Chhabria differ on the fourth factor?", True),
    ("How did the Bartz and ROSS courts treat transformative use?", True),  # two courts, no "compare"
    ("Did the D.D.C. and the D.C. Circuit rely on the same reasons?", True),
    ("Do the Office's copyrightability report and the Thaler courts agree about machine-made material?", True),
    ("Which claims did the judge dismiss, and which survived?", False),
    # A named case and a party of it: no second case is asked about.
    ("How did the judge rule on OpenAI's and Microsoft's motion to dismiss the Times' complaint?", False),
])
def test_a_question_that_sets_cases_side_by_side(question, side_by_side):
    from chatbot.query import compares

    assert compares(question) == side_by_side


def test_a_sentence_cut_by_a_page_break_does_not_lead_the_answer():
    from chatbot.candidates import Candidate, most_direct
    from chatbot.types import Evidence
    from ingest.types import Chunk

    def candidate(text: str, probability: float) -> Candidate:
        chunk = Chunk(chunk_id=text[:8], source="order.txt", title="Order", page=2, start=0, end=len(text),
                      text=text, doc_sha256="0" * 64)
        return Candidate(0, Evidence(chunk=chunk, score=1.0), 0, len(text), text, probability=probability,
                         window=(0, len(text)))

    cut = candidate("carriages for transportation, few consumers want caselaw without search tools.", 0.6)
    whole = candidate("The court held that the printed reporters are no separate market.", 0.5)
    assert most_direct([cut, whole], Intent.of("What did the court hold?")) is whole
    assert most_direct([cut, whole], None) is whole
    assert most_direct([cut], None) is cut  # nothing better to lead with
    # A party's contention is not the ruling a holding question asks for.
    argued = candidate("Anthropic maintains that its use of the lyrics is fair use.", 0.6)
    found = candidate("Accordingly, the Court finds that Anthropic did not purposefully avail itself of Tennessee.", 0.4)
    assert most_direct([argued, found], Intent.of("What did the court decide?")) is found


def test_a_judge_named_picks_her_documents_of_the_case_and_a_comparison_searches_its_topic():
    from chatbot.described import judged_sources
    from chatbot.query import topic
    from ingest.types import SourceDocument

    def doc(source, case, judge):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case, judge=judge)

    documents = {"tenn.txt": doc("tenn.txt", "Concord Music Group, Inc. v. Anthropic PBC", "Waverly D. Crenshaw"),
                 "cal.txt": doc("cal.txt", "Concord Music Group, Inc. v. Anthropic PBC", "Eumi K. Lee"),
                 "google.txt": doc("google.txt", "In re Google Generative AI Copyright Litigation", "Eumi K. Lee"),
                 "bartz.pdf": doc("bartz.pdf", "Bartz v. Anthropic PBC", "William Alsup")}
    question = "Compare how Judge Lee handled vicarious infringement in the Anthropic case versus the Google case."
    assert judged_sources(question, {"tenn.txt", "cal.txt", "google.txt"}, documents) == {"cal.txt", "google.txt"}
    # A case none of whose documents is the named judge's keeps them all; no judge named, nothing changes.
    assert judged_sources("How did Judge Lee's ruling differ from Bartz?", {"cal.txt", "bartz.pdf"}, documents) == {
        "cal.txt", "bartz.pdf"}
    assert judged_sources("How did the rulings differ?", {"tenn.txt", "cal.txt"}, documents) == {"tenn.txt", "cal.txt"}
    assert topic(question, [documents["cal.txt"], documents["google.txt"]]) == "handled vicarious infringement"
    # The words that say which case ("the Anthropic lyrics case") are not what is asked of each.
    described = ("Compare how Judge Lee handled vicarious infringement in the Anthropic lyrics case versus the "
                 "Google generative AI case.")
    assert topic(described, [documents["cal.txt"], documents["google.txt"]]) == "handled vicarious infringement"
    assert topic("Compare the Bartz and Kadrey rulings on pirated books.", [documents["bartz.pdf"]]) == (
        "Kadrey on pirated books")  # a ruling's words are kept: only a case's are taken out
    # No case named, a judge named: the judge's rulings are what the question is about.
    from chatbot.query import focus_of
    assert focus_of("Why did Judge Alsup find the training fair?", [], documents, set()) == ({"bartz.pdf"}, [{"bartz.pdf"}])


def test_a_word_most_of_a_case_holds_does_not_pick_out_its_passages():
    from ingest.lexical import LexicalIndex

    texts = ["lyrics copied verbatim", "lyrics and vicarious liability", "lyrics in the training set", "a fair use brief"]
    lexical = LexicalIndex.build(["a", "b", "c", "d"], texts, ["lyr", "lyr", "lyr", "brief"])
    share = lexical.shares(["lyric", "vicari", "unheard"], {"lyr"})
    assert share["lyric"] == 1.0 and abs(share["vicari"] - 1 / 3) < 1e-6 and share["unheard"] == 0.0
    assert lexical.shares(["lyric"], {"brief"}) == {"lyric": 0.0}


def test_one_case_compared_across_its_courts_hears_each_court():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    def doc(source, court):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name="Thaler v. Perlmutter",
                              court=court)

    documents = {"ddc.txt": doc("ddc.txt", "D.D.C."), "cir.txt": doc("cir.txt", "D.C. Cir.")}
    focus, more_from = focus_of("Compare how the district court and the D.C. Circuit treated Thaler v. Perlmutter's "
                                "work-for-hire theory.", [], documents, set())
    assert focus == {"ddc.txt", "cir.txt"} and sorted(map(sorted, more_from)) == [["cir.txt"], ["ddc.txt"]]
    focus, more_from = focus_of("What did Thaler v. Perlmutter hold?", [], documents, set())
    assert focus == {"ddc.txt", "cir.txt"} and more_from == []


def test_a_ruling_described_by_what_it_decided_or_its_order_is_the_one_meant():
    from chatbot.described import described_sources, titled_sources
    from ingest.types import SourceDocument

    def doc(source, case, title, date):
        return SourceDocument(source=source, title=f"{case}, {title}", sha256="0" * 64, case_name=case, date=date)

    lyrics, artists = "Concord Music Group, Inc. v. Anthropic PBC", "Andersen v. Stability AI Ltd."
    documents = {"pi.txt": doc("pi.txt", lyrics, "Order Denying Motion for Preliminary Injunction", "2025-03-25"),
                 "mtd.txt": doc("mtd.txt", lyrics, "Order Granting Motion to Dismiss with Leave to Amend", "2025-03-26"),
                 "a23.txt": doc("a23.txt", artists, "Order on Motions to Dismiss and Strike", "2023-10-30"),
                 "a24.txt": doc("a24.txt", artists, "Order on Motions to Dismiss First Amended Complaint", "2024-08-12"),
                 "noi.pdf": SourceDocument(source="noi.pdf", title="Notice of Inquiry", sha256="0" * 64)}
    every = set(documents)
    assert titled_sources("Why was the preliminary injunction denied?", {"pi.txt", "mtd.txt"}, documents) == {"pi.txt"}
    assert titled_sources("Which claim survived the first ruling?", {"a23.txt", "a24.txt"}, documents) == {"a23.txt"}
    assert titled_sources("What did the most recent order say?", {"a23.txt", "a24.txt"}, documents) == {"a24.txt"}
    # Nothing told apart: every document stays.
    assert titled_sources("Why did the court rule so?", {"pi.txt", "mtd.txt"}, documents) == {"pi.txt", "mtd.txt"}
    # No case named: the ruling described is the focus, not the other cases retrieved with it.
    retrieved = {"a23.txt", "a24.txt", "noi.pdf"}
    assert described_sources("In the first ruling on the artists' suit, which claim survived?", retrieved,
                             documents) == {"a23.txt"}
    assert described_sources("Which claims survived?", every, documents) == every


@pytest.mark.parametrize("sentence, quoted", [
    (") ) ) ) ) No. 3:23- cv-01092 MEMORANDUM OPINION Before the Court is Anthropic's motion.",
     "Before the Court is Anthropic's motion."),
    ("III. MOTION TO DISMISS FOR IMPROPER VENUE OR, IN THE ALTERNATIVE, TO TRANSFER Where, as here, the Court",
     "Where, as here, the Court"),
    ("II. DISCUSSION Anthropic argues that it bought the books.", "Anthropic argues that it bought the books."),
    ("The Court GRANTS the motion.", "The Court GRANTS the motion."),
    ("Master Case No. 24-cv-01451 -CRB ORDER GRANTING LEAVE TO AMEND Plaintiffs are five authors who sued.",
     "Plaintiffs are five authors who sued."),
])
def test_a_quote_starts_after_the_heading_or_caption_run_into_it(sentence, quoted):
    from chatbot.passages import heading_prefix
    assert sentence[heading_prefix(sentence):] == quoted


def test_a_sentence_is_judged_from_after_the_caption_run_into_it():
    # The order's docket line and title run into its first sentence make no caption of the sentence.
    sentence = "Master Case No. 24-cv-01451 -CRB ORDER GRANTING LEAVE TO AMEND Plaintiffs are five authors who sued."
    assert is_quotable(sentence, Intent.of("Who are the defendants?"))
    assert not is_quotable("Master Case No. 24-cv-01451 -CRB ORDER GRANTING LEAVE TO AMEND", Intent.of("Who sued?"))


def test_the_lead_document_is_the_case_the_best_passages_hold_most_of():
    from chatbot.query import lead_source
    from chatbot.types import Evidence
    from ingest.types import Chunk, SourceDocument

    def found(source, case):
        doc = SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case)
        return Evidence(chunk=Chunk(chunk_id=source, source=source, title=source, page=1, start=0, end=1, text="x",
                                    doc_sha256="0" * 64, document=doc), score=0.0)

    # Kadrey cites the lyrics case first; the lyrics case's own orders fill the rest.
    evidence = [found("kadrey.txt", "Kadrey"), found("lee.txt", "Concord"), found("pi.txt", "Concord"),
                found("tenn.txt", "Concord")]
    assert lead_source(evidence).chunk.source == "lee.txt"
    assert lead_source(evidence[:2]).chunk.source == "kadrey.txt"  # one passage each: the best leads


@pytest.mark.parametrize("question, asked", [
    ("Which court decided that?", True), ("What appeals court ruled on it?", True), ("Who decided it?", True),
    ("What did the court decide?", False), ("Was the court right?", False)])
def test_a_question_asking_which_court_decided(question, asked):
    from chatbot.courts import asks_court

    assert asks_court(question) == asked



def test_a_chapters_table_of_contents_is_not_quoted():
    """Title 17's chapter 5 opens with its sections' titles, each under its number; an order's
    numbered paragraphs say something and stay quotable."""
    from ingest.chunking import sentence_spans

    def quotable(text):
        spans = sentence_spans(text)
        return {text[a:b]: q for (a, b), q in zip(spans, quotable_spans(text, spans, Intent()))}

    contents = quotable("Sec. 501. Infringement of copyright. 502. Remedies for infringement: Injunctions. 503. "
                        "Remedies for infringement: Impounding of infringing articles. [ 509. Repealed.] 510. "
                        "Liability of States for infringement of copyright.")
    assert not contents["Remedies for infringement: Injunctions."]
    assert not contents["Liability of States for infringement of copyright."]
    order = quotable("It is ordered: 1. The motion to dismiss is GRANTED. 2. The claims are DISMISSED. 3. Leave is denied.")
    assert order["The claims are DISMISSED."] and order["The motion to dismiss is GRANTED."]
    assert quotable("§ 501. Infringement of copyright (a) Anyone who violates any of the exclusive rights "
                    "of the copyright owner is an infringer.")["Infringement of copyright (a) Anyone who violates "
                                                              "any of the exclusive rights of the copyright owner is an infringer."]


def test_an_acronym_names_what_the_passages_name_in_full():
    from chatbot.wording import acronyms

    made = acronyms(["The New York Times Company sued.", "The Judicial Panel on Multidistrict Litigation ruled."])
    assert {"nyt", "jpml"} <= made
    assert "ny" not in made  # two letters name too many things
    assert not acronyms(["nothing capitalised here"])
    # A lawyer's acronym of words a passage writes in lower case.
    assert "ucl" in acronyms(["4. Unfair competition survives in part."])
    assert "cmi" in acronyms(["removal of copyright management information"])


def test_a_lawyers_acronym_is_weighed_with_its_words_spelled_out():
    from chatbot.wording import spelled_out

    assert spelled_out("What did the court say about the UCL claim?") == (
        "What did the court say about the UCL claim? (unfair competition)")
    assert spelled_out("What did the court say about fair use?") == "What did the court say about fair use?"
    # Passages that write the acronym need no spelling out: its words would weigh the act's name.
    asked = "Which DMCA subsection did the artists invoke?"
    assert spelled_out(asked, ["The DMCA claims are dismissed."]) == asked
    assert spelled_out(asked, ["Claims under the Digital Millennium Copyright Act."]) == f"{asked} (digital millennium)"


def test_a_place_is_not_the_party_whose_name_opens_with_it():
    from chatbot.courts import without_places
    from chatbot.names import mentioned_sources
    from ingest.types import SourceDocument

    documents = {"nyt.txt": SourceDocument(source="nyt.txt", title="Complaint", sha256="0" * 64,
                                           case_name="The New York Times Company v. Microsoft Corporation")}
    assert mentioned_sources("Why did the panel choose New York over California?", documents) == set()
    assert mentioned_sources("What does the New York Times allege?", documents) == {"nyt.txt"}
    assert "New York" not in without_places("Why New York over California?")
    assert without_places("the Washington Post") == "the Washington Post"



def test_what_is_asked_after_the_facts_told_is_searched_on_its_own():
    from chatbot.query import several_parts

    told = "A legal-tech startup copied a rival's headnotes to train its tool. Did the court accept its fair use defense?"
    assert several_parts(told) == ["Did the court accept its fair use defense?"]
    assert several_parts("What did the court hold in Thomson Reuters v. ROSS Intelligence?") == []  # "v." ends nothing
    assert several_parts("Meta Platforms, Inc. trained Llama on books. What did Judge Chhabria hold?") == [
        "What did Judge Chhabria hold?"]
    assert several_parts("The order came out in June. Tell me more.") == []  # nothing asked after the facts
    assert several_parts("When was it decided, and who decided it?") == ["When was it decided", "who decided it"]


def test_a_court_named_picks_its_ruling_of_the_case():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    def doc(source, court):
        return SourceDocument(source=source, title="Opinion", sha256="0" * 64, kind="opinion", court=court,
                              case_name="Thaler v. Perlmutter")

    documents = {"ddc.txt": doc("ddc.txt", "D.D.C."), "dccir.txt": doc("dccir.txt", "D.C. Cir.")}
    assert focus_of("What did the D.C. Circuit hold in Thaler?", [], documents, set())[0] == {"dccir.txt"}
    assert focus_of("When was the D.C. Circuit's opinion in Thaler decided?", [], documents, set())[0] == {"dccir.txt"}
    assert focus_of("What did the court hold in Thaler?", [], documents, set())[0] == {"ddc.txt", "dccir.txt"}
    # Each part tells its own court: both are asked about.
    asked = "In Thaler, what did the district court hold, and what did the appeals court add?"
    assert focus_of(asked, [], documents, set())[0] == {"ddc.txt", "dccir.txt"}
    # A court none of the case's rulings is from changes nothing.
    assert focus_of("Did the Ninth Circuit agree with Thaler?", [], documents, set())[0] == {"ddc.txt", "dccir.txt"}


def test_the_court_a_question_describes_comes_before_the_words_of_a_title():
    from chatbot.described import described_sources
    from chatbot.query import lead_source
    from chatbot.types import Evidence
    from ingest.types import Chunk, SourceDocument

    def doc(source, court, title):
        return SourceDocument(source=source, title=title, sha256="0" * 64, kind="order", court=court,
                              case_name="Concord Music Group, Inc. v. Anthropic PBC")

    documents = {"tenn.txt": doc("tenn.txt", "M.D. Tenn.", "Memorandum Opinion"),
                 "cal.txt": doc("cal.txt", "N.D. Cal.", "Order Granting Motion to Dismiss")}
    asked = "Which judge decided the motion to dismiss in the Tennessee lyrics case?"
    assert described_sources(asked, set(documents), documents) == {"tenn.txt"}
    assert described_sources("Which judge granted the motion to dismiss?", set(documents), documents) == {"cal.txt"}
    found = [Evidence(chunk=Chunk(chunk_id=s, source=s, title="t", page=1, start=0, end=4, text="text",
                                  doc_sha256="0" * 64, document=documents[s]), score=0.0) for s in ("cal.txt", "tenn.txt")]
    assert lead_source(found).chunk.source == "cal.txt"
    assert lead_source(found, asked, documents).chunk.source == "tenn.txt"


@pytest.mark.parametrize("question", ["Who sat by designation in the ROSS case?", "Which law firm represents the Times?",
                                      "Who represented the publishers?"])
def test_who_sat_or_represented_is_read_from_the_caption_and_signatures(question):
    assert Intent.of(question).signer


def test_a_name_the_passages_hold_written_apart_is_known():
    from chatbot.names import written_apart

    assert written_apart("What's the deal with the MosaicML case?", ["Plaintiffs allege that Mosaic ML trained"]) == {
        "mosaicml"}
    assert written_apart("What did Getty argue?", ["Plaintiffs allege that Mosaic ML trained"]) == set()


def test_a_list_of_people_names_people():
    assert sentence_signals("Plaintiffs Paul Tremblay, Sarah Silverman, Christopher Golden, and Richard Kadrey hold "
                            "registered copyrights.")["person"]
    assert not sentence_signals("The court dismissed the claims against the defendants.")["person"]




def test_what_the_copyright_office_said_is_read_in_its_own_documents():
    from chatbot.query import focus_of
    from chatbot.types import Evidence
    from ingest.types import Chunk, SourceDocument

    documents = {
        "noi.pdf": SourceDocument(source="noi.pdf", title="U.S. Copyright Office, Notice of Inquiry", sha256="0" * 64),
        "lyrics.txt": SourceDocument(source="lyrics.txt", title="Concord v. Anthropic, Order", sha256="1" * 64,
                                     case_name="Concord Music Group, Inc. v. Anthropic PBC"),
    }

    def evidence(*sources):
        return [Evidence(chunk=Chunk(chunk_id=s, source=s, title=s, page=1, start=0, end=4, text="text",
                                     doc_sha256="0" * 64), score=1.0) for s in sources]

    asked = "What did the Copyright Office ask about whether training requires a license?"
    # A ruling quoting the Office was found first: the Office's notice is what the question is about.
    assert focus_of(asked, evidence("lyrics.txt", "noi.pdf"), documents, set()) == ({"noi.pdf"}, [{"noi.pdf"}])
    assert focus_of(asked, evidence("noi.pdf", "lyrics.txt"), documents, set())[0] == set()  # found first anyway
    # The Office as a party, not a speaker: no narrowing.
    assert focus_of("Did the appeals court side with the Copyright Office?", evidence("lyrics.txt", "noi.pdf"),
                    documents, set())[0] != {"noi.pdf"}


def test_the_court_a_question_describes_is_read_in_a_case_found_though_its_ruling_was_not():
    from chatbot.query import focus_of
    from chatbot.types import Evidence
    from ingest.types import Chunk, SourceDocument

    def doc(source, court):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name="Thaler v. Perlmutter", court=court)

    documents = {"ddc.txt": doc("ddc.txt", "D.D.C."), "dccir.txt": doc("dccir.txt", "D.C. Cir."),
                 "noi.pdf": SourceDocument(source="noi.pdf", title="Notice of Inquiry", sha256="1" * 64)}
    found = [Evidence(chunk=Chunk(chunk_id=s, source=s, title=s, page=1, start=0, end=4, text="text",
                                  doc_sha256="0" * 64), score=1.0) for s in ("noi.pdf", "ddc.txt")]
    asked = "Which judge wrote the appellate opinion affirming the refusal to register the artwork?"
    assert focus_of(asked, found, documents, set()) == ({"dccir.txt"}, [{"dccir.txt"}])
    assert focus_of("Which judge refused to register the artwork?", found, documents, set())[0] == set()


def test_what_the_complaint_says_is_read_in_the_complaint_of_a_case_a_party_named_is_in():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    documents = {
        "mdl.txt": SourceDocument(source="mdl.txt", title="Transfer Order", sha256="0" * 64, kind="order",
                                  case_name="In re OpenAI, Inc., Copyright Infringement Litigation"),
        "nyt.txt": SourceDocument(source="nyt.txt", title="Complaint", sha256="1" * 64, kind="complaint",
                                  case_name="The New York Times Company v. Microsoft Corporation"),
    }
    asked = "How much did Microsoft invest in OpenAI, according to the newspaper's complaint?"
    assert focus_of(asked, [], documents, set()) == ({"nyt.txt"}, [{"nyt.txt"}])
    # An amended complaint an order rules on is not the pleading.
    assert focus_of("Which claims of OpenAI's amended complaint survived?", [], documents, set())[0] == {"mdl.txt"}


def test_a_case_told_by_what_it_is_about_is_the_one_whose_passages_say_it():
    from chatbot.described import described_case
    from ingest.types import SourceDocument

    def doc(source, case):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case)

    documents = {"lyrics.txt": doc("lyrics.txt", "Concord v. Anthropic"), "books.txt": doc("books.txt", "Bartz v. Anthropic"),
                 "precedents.md": doc("precedents.md", None)}

    class Shares:  # the share of each document's passages holding a word
        held = {"lyrics.txt": {"lyric": 0.6, "book": 0.05}, "books.txt": {"lyric": 0.0, "book": 0.7, "scan": 0.2},
                "precedents.md": {"parodi": 0.3, "book": 0.2}}

        def shares(self, words, sources):
            return {w: self.held[min(sources)].get(w, 0.0) for w in words}

    assert described_case("What did the judge hold in the lyrics case?", Shares(), documents) == {"lyrics.txt"}
    assert described_case("How did the book-scanning lawsuit end?", Shares(), documents) == {"books.txt"}
    assert described_case("Who wrote for the Court in the parody case?", Shares(), documents) == set()  # no case's
    assert described_case("What did the court hold in the big case?", Shares(), documents) == set()
    assert described_case("What did the court hold?", None, documents) == set()


def test_of_a_partys_cases_the_one_its_other_words_tell_is_asked_about():
    from chatbot.described import party_case
    from ingest.types import SourceDocument

    def doc(source, case):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name=case)

    documents = {"lyrics.txt": doc("lyrics.txt", "Concord Music Group v. Anthropic PBC"),
                 "books.txt": doc("books.txt", "Bartz v. Anthropic PBC"), "meta.txt": doc("meta.txt", "Kadrey v. Meta")}

    class Shares:
        held = {"lyrics.txt": {"publish": 0.46, "train": 0.28, "ask": 0.03},
                "books.txt": {"publish": 0.06, "train": 0.55, "ask": 0.02}, "meta.txt": {"publish": 0.13}}

        def shares(self, words, sources):
            return {w: self.held[min(sources)].get(w, 0.0) for w in words}

    assert party_case("What did the publishers ask the court to stop Anthropic from doing?", Shares(),
                      documents) == {"lyrics.txt"}
    assert party_case("What did Anthropic say about training?", Shares(), documents) == set()  # in both
    assert party_case("What did the publishers ask Meta for?", Shares(), documents) == set()  # Meta has one case
    assert party_case("Did Anthropic and Meta train on books?", Shares(), documents) == set()  # two parties
    assert party_case("What did the publishers ask Anthropic?", None, documents) == set()
    # Words that tell different cases tell none.
    Shares.held["books.txt"]["scan"] = 0.3
    assert party_case("Did the publishers object to Anthropic's scanning?", Shares(), documents) == set()


def test_a_case_named_by_a_party_of_others_is_the_one_the_words_tell():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    def doc(source, case, kind="order"):
        return SourceDocument(source=source, title=source, sha256="0" * 64, kind=kind, case_name=case)

    documents = {"mdl.txt": doc("mdl.txt", "In re OpenAI, Inc., Copyright Infringement Litigation"),
                 "authors.txt": doc("authors.txt", "Tremblay v. OpenAI, Inc.")}

    class Shares:
        held = {"mdl.txt": {"mdl": 1.0, "transfer": 1.0, "dismiss": 0.02},
                "authors.txt": {"dismiss": 0.4, "complaint": 0.5, "mdl": 0.0}}

        def shares(self, words, sources):
            return {w: self.held[min(sources)].get(w, 0.0) for w in words}

    # "OpenAI's" names In re OpenAI; of OpenAI's cases, "motions to dismiss" tells the authors' suit.
    asked = "When did the court rule on OpenAI's motions to dismiss?"
    assert focus_of(asked, [], documents, set(), lexical=Shares())[0] == {"authors.txt"}
    assert focus_of("Why was OpenAI's MDL transferred?", [], documents, set(), lexical=Shares())[0] == {"mdl.txt"}


def test_the_words_that_tell_the_case_are_not_what_is_asked_about_it():
    from chatbot.described import telling_words

    assert telling_words("What did the court decide in the Anthropic books case?") == {"anthrop", "book"}
    # "Google" is asked about as well as telling the case.
    assert telling_words("In the Google generative AI case, what did Google argue?") == {"generat", "ai"}
    assert telling_words("What did the court decide in Bartz v. Anthropic?") == set()
    # "The Delaware court" found the court; "Delaware unfair competition law" is not what is asked about.
    assert telling_words("Why did the Delaware court find the second factor favored ROSS?") == {"delawar"}
    assert telling_words("Why did the Nashville federal court transfer it?") == {"nashvill"}


def test_a_place_describing_a_party_is_no_name_the_passages_must_hold():
    from chatbot.mentions import phrases_missing

    texts = ["Plaintiffs sued Anthropic in the Middle District of Tennessee."]
    assert phrases_missing("Could a Tennessee court hear a case against a California AI company?", texts) == 0.0
    assert phrases_missing("What did the Texas Supreme Court hold?", texts) == 1.0


def test_a_section_told_by_its_title_is_cited_by_its_number():
    from chatbot.names import with_section_cited
    from ingest.types import SourceDocument

    def statute(source, title):
        return SourceDocument(source=source, title=title, sha256="0" * 64, kind="statute")

    documents = {"106.htm": statute("106.htm", "17 U.S.C. § 106, Exclusive rights in copyrighted works"),
                 "107.htm": statute("107.htm", "17 U.S.C. § 107, Limitations on exclusive rights: Fair use")}
    assert with_section_cited("List the purposes the fair use statute gives as examples.", documents) == (
        "List the purposes the fair use statute gives as examples. (§ 107)")
    # Told by words two titles hold, or cited already: unchanged.
    assert with_section_cited("What does the exclusive rights provision say?", documents) == (
        "What does the exclusive rights provision say?")
    assert with_section_cited("What does the fair use section 107 say?", documents) == (
        "What does the fair use section 107 say?")



def test_an_office_report_compared_with_a_case_is_heard_beside_it():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    def doc(source, title, case=None):
        return SourceDocument(source=source, title=title, sha256="0" * 64, case_name=case)

    documents = {"kadrey.md": doc("kadrey.md", "Kadrey v. Meta: case brief", "Kadrey v. Meta Platforms, Inc."),
                 "p2.md": doc("p2.md", "Copyright Office AI report, Part 2: Copyrightability"),
                 "p3.md": doc("p3.md", "Copyright Office AI report, Part 3: Generative AI Training"),
                 "noi.html": doc("noi.html", "Copyright Office notice of inquiry on AI")}
    asked = "What did the Copyright Office's training report and the Kadrey court each say about market dilution?"
    focus, more_from = focus_of(asked, [], documents, set())
    assert focus == {"kadrey.md", "p3.md"} and sorted(map(sorted, more_from)) == [["kadrey.md"], ["p3.md"]]


def test_a_named_case_is_read_in_the_ruling_of_the_level_the_question_tells():
    from chatbot.query import focus_of
    from ingest.types import SourceDocument

    def doc(source, court):
        return SourceDocument(source=source, title=source, sha256="0" * 64, case_name="Thaler v. Perlmutter", court=court)

    documents = {"ddc.txt": doc("ddc.txt", "D.D.C."), "dccir.txt": doc("dccir.txt", "D.C. Cir.")}
    assert focus_of("thaler appeal result", [], documents, set())[0] == {"dccir.txt"}
    assert focus_of("What did the district court hold in Thaler?", [], documents, set())[0] == {"ddc.txt"}
    assert focus_of("What did the court hold in Thaler?", [], documents, set())[0] == set(documents)


def test_a_name_and_a_word_for_what_it_is_is_held_where_the_name_is():
    from chatbot.mentions import phrases_missing

    texts = ["In re OpenAI, Inc., Copyright Infringement Litigation: the actions are centralized."]
    assert phrases_missing("Where does the OpenAI MDL stand?", texts) == 0.0
    assert phrases_missing("Where does the Getty MDL stand?", texts) == 1.0


def test_an_answer_quoting_none_of_the_party_asked_about_is_not_its_answer():
    from chatbot.mentions import parties_unquoted
    from ingest.types import SourceDocument

    def doc(case):
        return SourceDocument(source=case, title=f"{case}, Order", sha256="0" * 64, case_name=case)

    google, lyrics, books = doc("In re Google Generative AI"), doc("Concord v. Anthropic PBC"), doc("Bartz v. Anthropic PBC")
    evidence = [google, lyrics, books]
    pichai = ("Sundar Pichai serves as both CEO of Alphabet and CEO of Google LLC.", google)
    assert parties_unquoted("Who is the CEO of Anthropic according to the ruling?", [pichai], evidence) == {"anthrop"}
    # Held by the quote's document, or by the quote: answered from the party's own case.
    assert parties_unquoted("Who is the CEO of Anthropic?", [("Its chief executive testified.", lyrics)], evidence) == set()
    assert parties_unquoted("Who is Google's CEO?", [pichai], evidence) == set()
    # Parties of two cases are set side by side: each may be answered from its own.
    assert parties_unquoted("Compare Google and Bartz on training.", [pichai], evidence) == set()
    assert parties_unquoted("Who is the CEO of Midjourney?", [pichai], evidence) == set()  # no party of these cases


def test_a_report_told_by_a_word_of_its_title_that_stems_like_the_others():
    from chatbot.query import told_by_title
    from ingest.types import SourceDocument

    titles = {"p1.md": "Copyright Office AI report, Part 1: Digital Replicas",
              "p2.md": "Copyright Office AI report, Part 2: Copyrightability",
              "p3.md": "Copyright Office AI report, Part 3: Generative AI Training"}
    documents = {s: SourceDocument(source=s, title=t, sha256="0" * 64) for s, t in titles.items()}
    # "copyrightability" stems to "copyright", which every title holds: the word itself tells Part 2.
    assert told_by_title("Does the copyrightability report agree with Thaler?", set(titles), documents) == {"p2.md"}
    assert told_by_title("What does the training report say?", set(titles), documents) == {"p3.md"}
    assert told_by_title("What does the report say?", set(titles), documents) == set(titles)


@pytest.mark.parametrize("question, asked", [
    ("Explain the Bartz decision in plain English.", "Explain the Bartz decision."),
    ("Briefly, what did the court hold in Kadrey?", "what did the court hold in Kadrey?"),
    ("What did Thaler argue, in layman's terms?", "What did Thaler argue?"),
    ("Is the English rule on costs cited?", "Is the English rule on costs cited?"),  # a name, not how to answer
])
def test_how_to_put_the_answer_is_not_what_it_is_about(question, asked):
    from chatbot.wording import without_style

    assert without_style(question) == asked

"""Fit the extractive answerer's two models (chatbot.calibration) on the gold sets' dev split.

For every dev question the answerer examines the evidence retrieval hands it, exactly as it
would to answer. Each candidate sentence is labelled by whether its quote (with its context)
states one of the question's key facts; each question by whether it is answerable. Two
L2-regularised logistic regressions are fitted to those labels, and the abstention threshold
is the one that best separates answerable from unanswerable dev questions, ties going to
answering. Test questions are never read here.

    legalqa calibrate --gold eval/gold/real-v2.jsonl=.legalqa/test-index --gold ...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import click
import numpy as np

from chatbot.calibration import (
    ANSWERABLE_FEATURES,
    RERANK_FEATURES,
    SENTENCE_FEATURES,
    Calibration,
    LogisticModel,
    save_calibration,
)
from chatbot.candidates import window_text
from eval.conversations import is_dialogue_file, read_dialogues
from eval.metrics import fact_present

_SPACE = re.compile(r"\s+")


@dataclass
class Rows:
    sentence_x: list[list[float]] = field(default_factory=list)
    sentence_y: list[int] = field(default_factory=list)
    question_x: list[list[float]] = field(default_factory=list)
    question_y: list[int] = field(default_factory=list)
    question_candidates: list[np.ndarray] = field(default_factory=list)  # each question's sentence features
    question_labels: list[list[int]] = field(default_factory=list)  # and whether each states a key fact
    ids: list[str] = field(default_factory=list)


def dev_questions(path: Path) -> list[dict]:
    """The dev lines of a gold file (read as plain JSON: the fit needs no other field). A
    dialogue file gives each turn as a question, with the turns before it as its history: the
    fit then sees follow-ups as the chat asks them."""
    if is_dialogue_file(path):
        return [{"id": f"{d.id}-{n}", "question": turn.question, "history": [t.question for t in d.turns[:n]],
                 "answerable": bool(turn.sources), "key_facts": turn.key_facts}
                for d in read_dialogues([path], split="dev") for n, turn in enumerate(d.turns)]
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return [q for q in lines if q.get("split") == "dev"]


def states_fact(text: str, key_facts: list[list[str]]) -> bool:
    """Does ``text`` state any of the key facts (as eval.metrics matches them), whatever its spacing?"""
    spaced = _SPACE.sub(" ", text)
    return any(fact_present(spaced, [_SPACE.sub(" ", alt) for alt in alts]) for alts in key_facts)


def collect(engine, questions: list[dict], rows: Rows) -> None:
    """Examine every question's evidence (first pass only) and add its labelled rows."""
    answerer = engine.answerer()
    answerer.calibration = Calibration(answerer.calibration.sentence, answerer.calibration.answerable, rerank=None)
    asked: dict[tuple[str, ...], object] = {}  # each earlier turn, asked after the turns before it
    for q in questions:
        before = q.get("history", [])
        history = []
        for n in range(len(before)):
            key = tuple(before[: n + 1])
            if key not in asked:
                asked[key] = engine.ask(before[n], history=list(history))
            history.append(asked[key])
        request = engine.request(q["question"], history=history)
        if not request.evidence:
            continue
        exam = answerer.examine(request)
        answerable = bool(q.get("answerable", True))
        rows.question_x.append([exam.answerable_features[n] for n in ANSWERABLE_FEATURES])
        rows.question_y.append(int(answerable))
        rows.ids.append(q["id"])
        rows.question_candidates.append(np.array([[c.features[n] for n in SENTENCE_FEATURES] for c in exam.candidates]))
        labels = [int(answerable and states_fact(window_text(c), q.get("key_facts", [])))
                  for c in exam.candidates]
        rows.question_labels.append(labels)
        if answerable and q.get("key_facts"):  # without key facts, no sentence can be told right
            rows.sentence_x.extend(rows.question_candidates[-1].tolist())
            rows.sentence_y.extend(labels)


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float = 1.0, iterations: int = 50) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log-likelihood (the bias is not penalised)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(design @ w, -30, 30)))
        gradient = design.T @ (p - y) + penalty * w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def choose_threshold(p: np.ndarray, answerable: np.ndarray, *, max_false_abstention: float = 0.03) -> float:
    """The threshold that abstains on the most unanswerable questions while abstaining on at
    most ``max_false_abstention`` of the answerable ones (refusing an answerable question is the
    failure users notice first); among equals, the lowest, so that ties go to answering. The
    target on unseen questions is 5%; 3% on dev leaves a margin for the questions dev lacks."""
    best, best_t = -1.0, 0.0
    for t in sorted(set(np.round(p, 4))):
        answered = p >= t
        if (~answered[answerable == 1]).mean() > max_false_abstention:
            break
        score = (~answered[answerable == 0]).mean()
        if score > best + 1e-9:
            best, best_t = score, float(t)
    return best_t


PENALTIES = (0.05, 0.2, 0.5, 2.0)


def _folds(n: int, folds: int = 5, seed: int = 0):
    """The cross-validation splits of ``n`` questions, the same on every call with the same
    ``seed``: (train, held out)."""
    order = np.random.default_rng(seed).permutation(n)
    for k in range(folds):
        held = order[k::folds]
        yield np.setdiff1d(order, held), held


def out_of_fold(x: np.ndarray, y: np.ndarray, l2: float, *, folds: int = 5) -> np.ndarray:
    """Each question's probability from a model fitted on the other folds: what the model says of
    a question it has not seen, which the in-sample fit overstates."""
    p = np.zeros(len(y))
    for train, held in _folds(len(y), folds):
        w, b = fit_logistic(x[train], y[train], l2=l2)
        p[held] = _sigmoid(x[held] @ w + b)
    return p


def choose_penalty(x: np.ndarray, y: np.ndarray, *, folds: int = 5, repeats: int = 5) -> float:
    """The L2 penalty of the abstention model, by cross-validation within dev: each fold's model
    and threshold are fitted on the other folds, and the penalty that abstains on the most held-out
    unanswerable questions, less the answerable ones it refuses, wins (ties to the larger). The
    score is averaged over ``repeats`` different splits: on one split, a question or two decided it,
    and the choice flipped with small changes to the features."""
    best, best_l2 = -np.inf, PENALTIES[-1]
    for l2 in sorted(PENALTIES, reverse=True):
        score = 0.0
        for seed in range(repeats):
            answered = np.zeros(len(y), dtype=bool)
            for train, held in _folds(len(y), folds, seed):
                w, b = fit_logistic(x[train], y[train], l2=l2)
                threshold = choose_threshold(_sigmoid(x[train] @ w + b), y[train])
                answered[held] = _sigmoid(x[held] @ w + b) >= threshold
            score += ((~answered[y == 0]).mean() - (~answered[y == 1]).mean()) / repeats
        if score > best + 1e-9:
            best, best_l2 = score, l2
    return best_l2


# What is missing from the evidence can only count against answering. A fit that gives one of
# these a positive weight has learnt a quirk of dev (a correlated feature, a few questions), and
# the feature is left out.
AGAINST_ANSWERING = frozenset(n for n in ANSWERABLE_FEATURES
                              if n.endswith("_missing") or n in ("unknown_names", "unseen_terms", "court_elsewhere"))
# And how close and how complete the evidence is can only count for it.
FOR_ANSWERING = frozenset(("best_window", "top_windows", "typed_support", "names_together", "best_coverage",
                           "top_similarity", "mean_similarity", "best_sentence"))


def fit_answerable(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, float]:
    """The abstention model: the kept feature columns, the penalty, weights and bias. Features in
    :data:`AGAINST_ANSWERING` that come out positive, or in :data:`FOR_ANSWERING` that come out
    negative, are dropped, one at a time (the largest first), and the rest refitted."""
    kept = np.ones(x.shape[1], dtype=bool)
    while True:
        l2 = choose_penalty(x[:, kept], y)
        w, b = fit_logistic(x[:, kept], y, l2=l2)
        names = [n for n, k in zip(ANSWERABLE_FEATURES, kept) if k]
        wrong = [(abs(v), n) for v, n in zip(w, names)
                 if (n in AGAINST_ANSWERING and v > 0) or (n in FOR_ANSWERING and v < 0)]
        if not wrong:
            return kept, l2, w, b
        kept[ANSWERABLE_FEATURES.index(max(wrong)[1])] = False


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def fit_rerank(rows: Rows, sw: np.ndarray, sb: float, shortlist: int):
    """The second pass, fitted on each question's first-pass shortlist with the first pass's
    log-odds added; returns its weights and each question's best second-pass probability."""
    x, y, best = [], [], []
    for feats, labels, answerable in zip(rows.question_candidates, rows.question_labels, rows.question_y):
        if not len(feats):
            best.append(None)
            continue
        log_odds = feats @ sw + sb
        top = np.argsort(-log_odds)[:shortlist]
        block = np.hstack([feats[top], (log_odds[top] / 10)[:, None]])
        best.append(block)
        if answerable:
            x.extend(block.tolist())
            y.extend(labels[i] for i in top)
    rw, rb = fit_logistic(np.array(x), np.array(y, dtype=float))
    best_p = [float(_sigmoid(b @ rw + rb).max()) if b is not None else 0.0 for b in best]
    return rw, rb, best_p


def fit(rows: Rows, *, label: str, shortlist: int = 0) -> tuple[Calibration, dict]:
    sx, sy = np.array(rows.sentence_x), np.array(rows.sentence_y, dtype=float)
    qx, qy = np.array(rows.question_x), np.array(rows.question_y, dtype=float)
    sw, sb = fit_logistic(sx, sy)
    # The answerable model reads the best sentence probability the answerer will see.
    best = ANSWERABLE_FEATURES.index("best_sentence")
    rerank = None
    if shortlist:
        rw, rb, best_p = fit_rerank(rows, sw, sb, shortlist)
        rerank = LogisticModel(dict(zip(RERANK_FEATURES, np.round(rw, 4).tolist())), round(rb, 4), fitted_on=label)
        qx[:, best] = best_p
    else:
        for i, candidates in enumerate(rows.question_candidates):
            qx[i, best] = float(_sigmoid(candidates @ sw + sb).max()) if len(candidates) else 0.0
    sentence = LogisticModel(dict(zip(SENTENCE_FEATURES, np.round(sw, 4).tolist())), round(sb, 4), fitted_on=label)
    kept, l2, qw, qb = fit_answerable(qx, qy)
    # The threshold is read from out-of-fold probabilities: in sample, the model is surer of dev's
    # answerable questions than it will be of new ones, and refuses more of those.
    p = out_of_fold(qx[:, kept], qy, l2)
    threshold = choose_threshold(p, qy)
    weights = np.zeros(len(ANSWERABLE_FEATURES))
    weights[kept] = qw
    answerable = LogisticModel(dict(zip(ANSWERABLE_FEATURES, np.round(weights, 4).tolist())), round(qb, 4),
                               threshold=round(threshold, 4), fitted_on=label)
    answered = p >= threshold
    report = {
        "sentences": len(sy), "sentences_stating_a_fact": int(sy.sum()), "questions": len(qy),
        "unanswerable": int((qy == 0).sum()), "abstention_penalty": l2,
        "dev_abstained_answerable_out_of_fold": round(float((~answered[qy == 1]).mean()), 3),
        "dev_abstained_unanswerable_out_of_fold": round(float((~answered[qy == 0]).mean()), 3),
    }
    return Calibration(sentence=sentence, answerable=answerable, rerank=rerank), report


@click.command(name="calibrate")
@click.option("--gold", "golds", multiple=True, required=True, metavar="FILE=INDEX_DIR",
              help="A gold file (questions or dialogues) and the index its questions are asked of (repeatable); "
              "only its dev lines are read.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the fit (default: chatbot/calibration.json, which the answerer reads).")
def calibrate_command(golds, out):
    """Refit the extractive answerer's sentence, re-scoring and abstention models on the dev split."""
    from chatbot.engine import Engine
    from legalqa.settings import Settings

    rows, names, engine = Rows(), [], None
    for item in golds:
        gold, _, index = item.partition("=")
        if not index:
            raise click.BadParameter(f"{item}: expected FILE=INDEX_DIR", param_hint="--gold")
        engine = Engine(Settings(index_dir=Path(index)))
        collect(engine, dev_questions(Path(gold)), rows)
        names.append(Path(gold).name)
    calibration, report = fit(rows, label="dev split of " + ", ".join(names),
                              shortlist=engine.settings.answer.rerank_sentences)
    save_calibration(calibration, out) if out else save_calibration(calibration)
    click.echo(json.dumps({"report": report, "sentence": calibration.sentence.to_json(),
                           "answerable": calibration.answerable.to_json(),
                           "rerank": calibration.rerank.to_json() if calibration.rerank else None}, indent=2))


if __name__ == "__main__":
    calibrate_command()

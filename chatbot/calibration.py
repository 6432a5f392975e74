"""The extractive answerer's three small models, fitted on the gold sets' dev split.

``sentence``: how likely a candidate sentence (quoted with its context) states a fact the
question asks for. ``rerank``: the same, refitted on each question's likeliest sentences only,
which tell apart what the whole pool cannot. ``answerable``: how likely the retrieved evidence
answers the question at all; below its threshold the answerer abstains. All three are logistic regressions over a few
named features, so every weight can be read and argued with. ``legalqa calibrate`` refits
them and rewrites ``calibration.json``; nothing here is tuned by hand except the defaults used
when that file is missing.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

SENTENCE_FEATURES = (
    "similarity",  # the chunk's cosine similarity to the question (retrieval's)
    "rank",  # 1 / (1 + the chunk's retrieval rank)
    "coverage",  # IDF-weighted share of the question's terms the sentence holds
    "window_coverage",  # the same for the sentence with its neighbours
    "part_coverage",  # the best coverage of any one part of a several-part question
    "length",  # words / 40, at most 1.5
    "in_focus",  # from the case the question names
    "number_match",  # a "how many" question and a sentence with a number
    "date_match",  # a "when" question and a sentence with a date
    "person_match",  # a "who" question and a sentence naming a person
    "list_match",  # a "what are the factors" question and an enumerating sentence
    "holding_match",  # a "what did the court hold" question and a sentence that decides
    "holds",  # the sentence decides something, whatever the question
    "cites",  # the sentence is mostly citations
    "opens_chunk",  # the first sentence of its chunk
    "names_boost",  # names a term the question hinges on (the judge's surname)
)
# The second pass re-scores the likeliest sentences, fitted on such shortlists alone. (It also
# read each sentence's own embedding similarity to the question until that was measured to add
# nothing on dev, at a third of a second per new question.)
RERANK_FEATURES = SENTENCE_FEATURES + (
    "first_pass",  # the first pass's log-odds, scaled down by 10
)
ANSWERABLE_FEATURES = (
    "top_similarity",  # the best chunk's cosine similarity
    "mean_similarity",  # the mean over the first three chunks
    "best_coverage",  # the best share of the question's distinctive terms in one chunk
    "unknown_names",  # names in the question that no retrieved passage mentions (0, 0.5 or 1)
    "unseen_terms",  # IDF-weighted share of question terms absent from the whole index
    "best_sentence",  # the sentence model's best probability
    "focus",  # the question names an indexed case
    "best_window",  # the best share of the question's terms in one quotable sentence with its context
    "top_windows",  # the mean of that share over the three likeliest sentences
    "typed_support",  # for a number, date or name question: the best share in a window that holds one
    "dates_missing",  # share of the question's years and months that no retrieved passage mentions
    "top_missing",  # IDF-weighted share of the question's terms absent from the three likeliest windows
    "rarest_missing",  # the weight of the rarest such term, over the question's rarest term's
    "names_together",  # the best share of the question's names found together in one retrieved passage
    "phrases_missing",  # share of the question's multi-word names ("High Court", "EU AI Act") no passage has as such
    "court_elsewhere",  # asks what a court decided, and the named case's documents (or, when no case is named,
    # the retrieved ones) all come from other courts
    "money_missing",  # asks for a sum of money: 1 less the best coverage of a window that states one
)


@dataclass
class LogisticModel:
    weights: dict[str, float]
    bias: float
    threshold: float = 0.5
    fitted_on: str = field(default="defaults")

    def log_odds(self, features: dict[str, float]) -> float:
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.log_odds(features)))))

    def to_json(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold, "fitted_on": self.fitted_on}


@dataclass
class Calibration:
    sentence: LogisticModel
    answerable: LogisticModel
    rerank: LogisticModel | None = None


# Before any fit: a sentence is worth what it covers of the question, its chunk's similarity,
# and what the question type asks for; evidence is trusted when it is close and covers the
# question's names.
_DEFAULT = Calibration(
    sentence=LogisticModel(
        weights={"similarity": 3.0, "coverage": 2.0, "window_coverage": 1.0, "part_coverage": 1.0, "rank": 0.5,
                 "in_focus": 0.8, "number_match": 0.5, "date_match": 0.5, "person_match": 0.8, "list_match": 0.8,
                 "holding_match": 0.6, "holds": 0.2, "cites": -0.5, "names_boost": 2.0},
        bias=-4.0),
    answerable=LogisticModel(
        weights={"top_similarity": 8.0, "best_coverage": 3.0, "unknown_names": -6.0, "unseen_terms": -4.0,
                 "best_sentence": 2.0},
        bias=-5.0),
)


@lru_cache(maxsize=4)
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The fitted models, or the defaults when no fit has been saved."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _DEFAULT
    rerank = LogisticModel(**data["rerank"]) if data.get("rerank") else None
    return Calibration(sentence=LogisticModel(**data["sentence"]), answerable=LogisticModel(**data["answerable"]),
                       rerank=rerank)


def save_calibration(calibration: Calibration, path: Path = CALIBRATION_FILE) -> None:
    data = {"sentence": calibration.sentence.to_json(), "answerable": calibration.answerable.to_json(),
            "rerank": calibration.rerank.to_json() if calibration.rerank else None}
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    load_calibration.cache_clear()

"""Gold question sets: what a question expects of an answer, read from JSON lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SPLITS = ("dev", "test")


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    gold_sources: list[str] = Field(default_factory=list)
    gold_pages: list[int | list] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    answerable: bool = True
    supporting_sources: list[str] = Field(default_factory=list, description="Other documents a citation may rightly name.")
    gold_answer: str | None = Field(None, description="A lawyer's answer, for the optional LLM judge.")
    split: Literal["dev", "test"] | None = Field(
        None, description="dev to tune on, test to report; a question without one is in every run without --split.")
    kind: str | None = Field(None, description='The type of question ("holding", "number", "list", "unanswerable"…).')
    history: list[str] = Field(default_factory=list,
                               description="Earlier questions of the same conversation, asked first and in order.")

    def gold_page_pairs(self) -> list[tuple[str, int]]:
        """gold_pages holds plain page numbers (of the first gold source) or [source, page] pairs."""
        pairs = []
        for item in self.gold_pages:
            if isinstance(item, list):
                pairs.append((str(item[0]), int(item[1])))
            elif self.gold_sources:
                pairs.append((self.gold_sources[0], int(item)))
        return pairs


@dataclass
class GoldSet:
    """The questions of one or more gold files, and what reading them noticed (one note per file)."""

    questions: list[GoldQuestion]
    notes: list[str] = field(default_factory=list)


def read_gold(path: Path) -> GoldSet:
    """Every question of one file. Fields this version does not know (a newer gold set's) are
    ignored, and named once for the file; a line that is not a valid question is an error that
    names the file and the line."""
    questions, ignored, lines_with_extra = [], set(), 0
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError(f"a JSON object is expected, not {type(data).__name__}")
            extra = set(data) - set(GoldQuestion.model_fields)
            questions.append(GoldQuestion.model_validate({k: v for k, v in data.items() if k not in extra}))
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(f"{path}, line {n}: not a valid question ({problems})") from None
        except ValueError as exc:
            raise ValueError(f"{path}, line {n}: not a valid question ({exc})") from None
        ignored |= extra
        lines_with_extra += bool(extra)
    notes = []
    if ignored:
        notes.append(f"{path}: ignored unknown field(s) {', '.join(sorted(ignored))} "
                     f"(on {lines_with_extra} of {len(questions)} questions)")
    return GoldSet(questions, notes)


def load_gold(paths: Path | Sequence[Path], *, split: str | None = None) -> GoldSet:
    """The questions of every file, in order, of ``split`` only when one is asked (questions
    without a split then drop out). Ids must be unique across the files, as results are keyed by them."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split '{split}' (choose from {', '.join(SPLITS)})")
    gold = GoldSet([])
    first_seen: dict[str, Path] = {}
    for path in paths:
        one = read_gold(path)
        for q in one.questions:
            if q.id in first_seen:
                raise ValueError(f"{path}: question id '{q.id}' is already used in {first_seen[q.id]}")
            first_seen[q.id] = path
        gold.questions += one.questions
        gold.notes += one.notes
    if split is not None:
        gold.questions = [q for q in gold.questions if q.split == split]
        if not gold.questions:
            raise ValueError(f"no question in {', '.join(map(str, paths))} belongs to the {split} split")
    return gold


def load_questions(path: Path, *, split: str | None = None) -> list[GoldQuestion]:
    """The questions of one file (see :func:`load_gold` for notes and several files)."""
    return load_gold(path, split=split).questions

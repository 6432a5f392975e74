"""Conversation gold sets: dialogues asked turn by turn, scored on what each turn carried over.

A dialogue file holds one JSON object per line::

    {"id": "cs-01", "split": "dev", "turns": [
        {"question": "...", "kind": "first", "sources": ["bartz-v-anthropic-brief.md"], "key_facts": [["fair use"]]},
        {"question": "Who was the judge?", "kind": "elliptical", "sources": [...]}, ...]}

A turn's ``kind`` says what a right rewrite does with it: ``elliptical`` carries the earlier
subject over, ``named`` (it names its own case, party or statute) and ``topic`` (a new subject)
carry nothing. A turn with no ``sources`` is unanswerable from the documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatbot.engine import Engine
from chatbot.followup import NameIndex
from chatbot.types import Answer
from eval.metrics import fact_present, mean, source_matches

TURN_KINDS = ("first", "elliptical", "named", "topic")


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    question: str
    kind: Literal["first", "elliptical", "named", "topic"]
    sources: list[str] = Field(default_factory=list, description="Documents a right answer cites; none: unanswerable.")
    key_facts: list[list[str]] = Field(default_factory=list)


class Dialogue(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    split: Literal["dev", "test"] | None = None
    turns: list[Turn]


def read_dialogues(paths: Iterable[Path], *, split: str | None = None) -> list[Dialogue]:
    """The dialogues of ``paths`` (of one split, if given). A bad line is an error naming the file and line."""
    dialogues = []
    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                dialogue = Dialogue.model_validate(json.loads(line))
            except (ValidationError, ValueError) as exc:
                reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()) \
                    if isinstance(exc, ValidationError) else str(exc)
                raise ValueError(f"{path}, line {n}: not a valid dialogue ({reason})") from None
            if split is None or dialogue.split == split:
                dialogues.append(dialogue)
    return dialogues


def is_dialogue_file(path: Path) -> bool:
    """Does the file hold dialogues (lines with "turns") rather than single questions?"""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                return isinstance(data := json.loads(line), dict) and "turns" in data
            except ValueError:
                return False
    return False


def ask_dialogue(engine: Engine, dialogue: Dialogue) -> list[Answer]:
    """Each turn asked after the answers before it, as the chat asks it."""
    answers: list[Answer] = []
    for turn in dialogue.turns:
        answers.append(engine.ask(turn.question, history=list(answers)))
    return answers


def score_turn(turn: Turn, answer: Answer, names: NameIndex) -> dict:
    """One turn's record: what was searched for, what was cited, and what went wrong."""
    cited = list(dict.fromkeys(c.source for c in answer.citations))
    gold_cases = {names.case_of(s) for s in _indexed(turn.sources, names)} - {None}
    added = ""
    if answer.rewritten_query and answer.rewritten_query.startswith(turn.question):
        added = answer.rewritten_query[len(turn.question):]
    elif answer.rewritten_query:
        added = answer.rewritten_query
    carried = {names.case_of(s) for s in names.named_sources(added)} - {None} if added else set()
    carried -= {names.case_of(s) for s in names.named_sources(turn.question)}  # resolved, not inherited
    record = {
        "question": turn.question,
        "kind": turn.kind,
        "rewritten_query": answer.rewritten_query,
        "abstained": answer.abstained,
        "cited": cited,
        "answerable": bool(turn.sources),
        "right_document": any(source_matches(c, g) for c in cited for g in turn.sources),
        # A case the rewrite brought in from the conversation that the turn is not about.
        "wrong_inheritance": bool(carried - gold_cases) if turn.kind in ("named", "topic") else False,
        "carried_over": bool(added),
        "cites_other_case": bool({names.case_of(c) for c in cited} - gold_cases - {None}),
    }
    if turn.key_facts and turn.sources:
        record["key_facts"] = sum(fact_present(answer.answer, alts) for alts in turn.key_facts) / len(turn.key_facts)
    return record


def _indexed(sources: Sequence[str], names: NameIndex) -> list[str]:
    """Gold sources as the index names them (an index may hold them under a longer path)."""
    return [s for s in names.documents if any(source_matches(s, g) for g in sources)]


def run_dialogues(engine: Engine, dialogues: Sequence[Dialogue]) -> list[dict]:
    """Every turn of every dialogue, asked and scored."""
    engine.refresh()
    records = []
    for dialogue in dialogues:
        answers = ask_dialogue(engine, dialogue)
        names = NameIndex.of(engine.documents)
        for n, (turn, answer) in enumerate(zip(dialogue.turns, answers), start=1):
            records.append({"dialogue": dialogue.id, "turn": n, **score_turn(turn, answer, names)})
    return records


def conversation_metrics(records: Sequence[dict]) -> dict:
    """The figures a conversation run is judged by.

    - ``followup_right_document``: elliptical turns (answerable) answered from a gold document;
    - ``later_right_document``: every answerable turn after the first, likewise;
    - ``named_wrong_inheritance``: named turns whose search carried another case (target 0);
    - ``topic_carried_over``: topic changes that inherited anything;
    - ``named_cites_other_case``: named turns citing a document of a case they do not name;
    - ``abstained_answerable`` / ``abstained_unanswerable``; ``key_facts`` over answerable turns.
    """
    def share(rows, key):
        return round(sum(bool(r[key]) for r in rows) / len(rows), 3) if rows else None

    answerable = [r for r in records if r["answerable"]]
    elliptical = [r for r in answerable if r["kind"] == "elliptical"]
    later = [r for r in answerable if r["kind"] != "first"]
    named = [r for r in records if r["kind"] == "named"]
    topic = [r for r in records if r["kind"] == "topic"]
    unanswerable = [r for r in records if not r["answerable"]]
    facts = mean([r.get("key_facts") for r in answerable])
    return {
        "dialogues": len({r["dialogue"] for r in records}),
        "turns": len(records),
        "followup_right_document": share(elliptical, "right_document"),
        "later_right_document": share(later, "right_document"),
        "named_wrong_inheritance": sum(r["wrong_inheritance"] for r in named),
        "named_turns": len(named),
        "topic_carried_over": sum(r["carried_over"] for r in topic),
        "topic_turns": len(topic),
        "named_cites_other_case": share(named, "cites_other_case"),
        "abstained_answerable": share(answerable, "abstained"),
        "abstained_unanswerable": share(unanswerable, "abstained"),
        "key_facts": round(facts, 3) if facts is not None else None,
        "by_kind": {kind: {"turns": len(rows := [r for r in answerable if r["kind"] == kind]),
                           "right_document": share(rows, "right_document")} for kind in TURN_KINDS},
    }


def format_metrics(metrics: dict) -> str:
    lines = [f"{metrics['dialogues']} dialogues, {metrics['turns']} turns"]
    for key in ("followup_right_document", "later_right_document", "named_cites_other_case",
                "abstained_answerable", "abstained_unanswerable", "key_facts"):
        lines.append(f"  {key:<26} {metrics[key]}")
    lines.append(f"  {'named_wrong_inheritance':<26} {metrics['named_wrong_inheritance']} of {metrics['named_turns']}")
    lines.append(f"  {'topic_carried_over':<26} {metrics['topic_carried_over']} of {metrics['topic_turns']}")
    for kind, row in metrics["by_kind"].items():
        lines.append(f"  right document, {kind:<11} {row['right_document']} ({row['turns']} turns)")
    return "\n".join(lines)


def run_conversation_eval(paths: Sequence[Path], out: Path, *, settings, split: str | None = None,
                          limit: int | None = None) -> dict:
    """Ask every dialogue of ``paths`` (of ``split``; the first ``limit``), and write each turn's
    record to OUT/conversations.jsonl and the figures to OUT/report.json."""
    dialogues = read_dialogues(paths, split=split)[:limit]
    if not dialogues:
        raise ValueError(f"no dialogues in {', '.join(map(str, paths))}" + (f" with split {split}" if split else ""))
    engine = Engine(settings)
    records = run_dialogues(engine, dialogues)
    metrics = {"gold": [str(p) for p in paths], "split": split, **conversation_metrics(records)}
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "conversations.jsonl").open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    (out / "report.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics

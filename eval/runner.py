"""Run a gold question set through the same path as `legalqa ask` and score it."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from chatbot.engine import Engine, get_engine
from eval.metrics import hit_at_k, key_fact_recall, mean, page_hit_at_k
from ingest.settings import Settings
from ingest.types import normalize_whitespace

HIT_KS = (1, 3, 5)


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    question: str
    gold_sources: list[str] = Field(default_factory=list)
    gold_pages: list[int | list] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    answerable: bool = True

    def gold_page_pairs(self) -> list[tuple[str, int]]:
        """gold_pages holds plain page numbers (of the first gold source) or [source, page] pairs."""
        pairs = []
        for item in self.gold_pages:
            if isinstance(item, list):
                pairs.append((str(item[0]), int(item[1])))
            elif self.gold_sources:
                pairs.append((self.gold_sources[0], int(item)))
        return pairs


def load_questions(path: Path) -> list[GoldQuestion]:
    questions = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            questions.append(GoldQuestion.model_validate_json(line))
        except ValueError as exc:
            raise ValueError(f"{path}, line {n}: not a valid question ({exc})") from None
    return questions


def score(question: GoldQuestion, answer: dict) -> dict:
    retrieved_sources = [r["source"] for r in answer["retrieved"]]
    retrieved_pages = [(r["source"], r["page"]) for r in answer["retrieved"]]
    row: dict = {"abstention_correct": answer["abstained"] == (not question.answerable)}
    if question.answerable:
        for k in HIT_KS:
            row[f"hit@{k}"] = hit_at_k(retrieved_sources, question.gold_sources, k)
        if question.gold_pages:
            row["page_hit@5"] = page_hit_at_k(retrieved_pages, question.gold_page_pairs(), 5)
        row["key_fact_recall"] = key_fact_recall(answer["answer"], question.key_facts)
    return row


def quotes_verbatim(answer: dict, engine: Engine) -> bool:
    """Every quote is in its cited chunk's text, whitespace aside (re-read from the index, not trusted)."""
    ids = [c["chunk_id"] for c in answer["citations"]]
    chunks = {c.chunk_id: c for c in engine.store.get_chunks(ids)}
    for c in answer["citations"]:
        chunk = chunks.get(c["chunk_id"])
        if chunk is None or chunk.page != c["page"] or chunk.source != c["source"]:
            return False
        if normalize_whitespace(c["quote"]) not in normalize_whitespace(chunk.text):
            return False
    return True


def summarize(rows: list[dict]) -> dict:
    answerable = [r for r in rows if "hit@1" in r]
    report: dict = {"questions": len(rows), "answerable": len(answerable)}
    for k in HIT_KS:
        report[f"hit@{k}"] = mean([float(r[f"hit@{k}"]) for r in answerable])
    report["page_hit@5"] = mean([float(r["page_hit@5"]) for r in answerable if "page_hit@5" in r])
    report["key_fact_recall"] = mean([r.get("key_fact_recall") for r in answerable])
    report["abstention_accuracy"] = mean([float(r["abstention_correct"]) for r in rows])
    report["quotes_verbatim"] = mean([float(r["quotes_verbatim"]) for r in rows])
    return report


def run_eval(
    questions_file: Path, out_dir: Path, *, settings: Settings | None = None, engine: Engine | None = None, limit: int | None = None
) -> dict:
    engine = engine or get_engine(settings)
    questions = load_questions(questions_file)[:limit]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with (out_dir / "results.jsonl").open("w", encoding="utf-8") as fh:
        for q in questions:
            answer = engine.ask(q.question).model_dump()
            fh.write(json.dumps({"id": q.id, **answer}) + "\n")
            row = score(q, answer)
            row["quotes_verbatim"] = quotes_verbatim(answer, engine)
            rows.append(row)
    report = summarize(rows)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return report

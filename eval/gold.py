"""Gold question sets: what a question expects of an answer, read from JSON lines."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


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

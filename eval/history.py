"""Evaluation history: one line per run, so figures can be followed across commits.

eval/history.jsonl is the project's record, tracked in git and written only when named
(``--history eval/history.jsonl``); every other run goes to the data folder, which git ignores.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from eval.scoring import headline_metrics

RECORDED_HISTORY = Path(__file__).resolve().parent / "history.jsonl"  # the project's record, in git
LOCAL_HISTORY_NAME = "eval-history.jsonl"


def default_history(data_dir: Path) -> Path:
    """Where a run's line goes when no file is named: LEGALQA_EVAL_HISTORY, else the data folder
    (``.legalqa/eval-history.jsonl``), never the tracked record."""
    import os

    return Path(os.environ.get("LEGALQA_EVAL_HISTORY") or Path(data_dir) / LOCAL_HISTORY_NAME)


def git_commit(cwd: Path | None = None) -> str:
    """The short hash of the commit checked out at ``cwd`` (this repository by default); "" when
    there is none or git is missing. Evaluation and benchmark runs record it."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=cwd or Path(__file__).parent, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("legalqa")
    except PackageNotFoundError:
        return "unknown"


def headline(summary: dict) -> dict:
    """The figures of a summary that every history line records (the registry's headline metrics)."""
    return {m.name: summary.get(m.name) for m in headline_metrics()}


def append_history(summaries: dict[str, dict], path: Path) -> dict:
    """Append one line for a run: time, version, commit, and each configuration's headline figures."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "version": package_version(), "commit": git_commit(),
            "configs": {config: headline(summary) for config, summary in summaries.items()}}
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")
    return line

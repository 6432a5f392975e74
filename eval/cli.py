"""`legalqa eval`, registered as a plugin command so that chatbot never imports eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command(name="eval")
@click.option("--questions", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Gold questions, one JSON object per line.")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for results.jsonl and report.json.")
@click.option("--limit", type=int, default=None, help="Only the first N questions.")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Index folder.")
def eval_command(questions, out, limit, index_dir):
    """Run a gold question set through `ask` and report hit@k, key-fact recall and abstention accuracy."""
    from chatbot.engine import IndexMismatchError, IndexUnavailableError
    from eval.runner import run_eval
    from ingest.settings import Settings

    settings = Settings()
    if index_dir:
        settings = settings.model_copy(update={"index_dir": index_dir})
    try:
        report = run_eval(questions, out, settings=settings, limit=limit)
    except (IndexMismatchError, IndexUnavailableError, ValueError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    click.echo(json.dumps(report, indent=2))

"""`legalqa eval`, registered as a plugin command so that chatbot never imports eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from eval.gold import SPLITS
from eval.runner import CONFIGS


@click.command(name="eval")
@click.option("--questions", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold questions, one JSON object per line (repeatable: the files are evaluated together).")
@click.option("--split", type=click.Choice(SPLITS), default=None,
              help="Only the questions of this split (questions without a split are then left out).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder for results.jsonl, report.json, report.md and plots.")
@click.option("--config", "configs", multiple=True, type=click.Choice(CONFIGS),
              help="Configuration to run (repeatable; default hybrid). `naive` is the tutorial baseline.")
@click.option("--limit", type=int, default=None, help="Only the first N questions.")
@click.option("--plots", is_flag=True, help="Write report.md and plots even for one configuration.")
@click.option("--compare", is_flag=True,
              help="Plot the trend of the history file into OUT/trend.png instead of running "
              "(the project's recorded runs: --history eval/history.jsonl).")
@click.option("--history", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to append the run's summary line (default LEGALQA_EVAL_HISTORY, else "
              "LEGALQA_DATA_DIR/eval-history.jsonl; the project's tracked eval/history.jsonl only when named).")
@click.option("--legalbench-rag", "legalbench", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Run the LegalBench-RAG CUAD benchmark in this folder instead (its documents get their own index in OUT).")
@click.option("--mini", is_flag=True, help="With --legalbench-rag: the 194-query mini set over 29 documents.")
@click.option("--judge", "use_judge", is_flag=True,
              help="Grade answers against each question's gold_answer with LEGALQA_ANSWER__JUDGE_BACKEND.")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Index folder.")
def eval_command(questions, split, out, configs, limit, plots, compare, history, legalbench, mini, use_judge,
                 index_dir):
    """Score a gold question set: retrieval (hit@k, recall@k, MRR, nDCG, page hit, key facts in the
    top passages), answers (key-fact recall, Magesh labels, length), citations (quote fidelity re-read
    from the files, precision, recall), abstention and latency, for each configuration side by side.
    A question with a history is asked after its history; a file of dialogues ("turns") is asked
    turn by turn and scored on what each turn carried over (see eval.conversations)."""
    from chatbot.engine import IndexMismatchError, IndexUnavailableError
    from eval.history import default_history
    from eval.runner import run_eval
    from legalqa.settings import Settings

    settings = Settings()
    history = history or default_history(settings.data_dir)
    if compare:
        from eval.report import plot_trend

        if not out:
            raise click.UsageError("--compare needs --out")
        if not history.is_file():
            raise click.UsageError(f"no evaluation history at {history} yet: run `legalqa eval` first, or plot "
                                   "the project's recorded runs with --history eval/history.jsonl")
        Path(out).mkdir(parents=True, exist_ok=True)
        click.echo(str(plot_trend(history, Path(out) / "trend.png")))
        return
    if legalbench:
        from eval.legalbench import run_legalbench

        if not out:
            raise click.UsageError("--legalbench-rag needs --out")
        report = run_legalbench(legalbench, out, mini=mini, limit=limit, progress=lambda m: click.echo(m, err=True))
        click.echo(json.dumps(report, indent=2))
        return
    if not questions or not out:
        raise click.UsageError("--questions and --out are required")
    if index_dir:
        settings = settings.model_copy(update={"index_dir": index_dir})
    judge_model = None
    if use_judge:
        from chatbot.llm import BackendUnavailable, make_chat_model

        if not settings.answer.judge_backend:
            raise click.UsageError("--judge needs LEGALQA_ANSWER__JUDGE_BACKEND (e.g. ollama:llama3.1)")
        try:
            judge_model = make_chat_model(settings.answer.model_copy(update={"backend": settings.answer.judge_backend}))
        except BackendUnavailable as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(2)
    if _conversations(questions, out, settings, split, limit):
        return
    try:
        report = run_eval(list(questions), out, settings=settings, limit=limit, configs=tuple(configs) or ("hybrid",),
                          plots=plots, history=history, judge_model=judge_model, split=split,
                          notify=lambda note: click.secho(f"note: {note}", fg="yellow", err=True),
                          warn=lambda warning: click.secho(f"warning: {warning}", fg="yellow", err=True))
    except (IndexMismatchError, IndexUnavailableError, ValueError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    click.echo(json.dumps(report, indent=2))
    click.echo(f"history: one line appended to {history}", err=True)


def _conversations(questions, out, settings, split, limit) -> bool:
    """Evaluate files of dialogues (lines with "turns"), if that is what was given."""
    from chatbot.engine import IndexMismatchError, IndexUnavailableError
    from eval.conversations import is_dialogue_file, run_conversation_eval

    dialogue_files = [q for q in questions if is_dialogue_file(q)]
    if not dialogue_files:
        return False
    if len(dialogue_files) != len(questions):
        raise click.UsageError('give conversation files (lines with "turns") and question files in separate runs')
    try:
        report = run_conversation_eval(dialogue_files, out, settings=settings, split=split, limit=limit)
    except (IndexMismatchError, IndexUnavailableError, ValueError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    click.echo(json.dumps(report, indent=2))
    return True

"""The `legalqa` command. Each command's docstring is its --help; all work is done by library functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_SKIPPED = 3  # ingest finished, but some files were skipped
EXIT_MISMATCH = 4  # the index was built with other settings: rebuild it


def _settings(**overrides):
    from ingest.settings import Settings

    settings = Settings()
    if overrides.get("index_dir"):
        settings = settings.model_copy(update={"index_dir": Path(overrides["index_dir"])})
    return settings


def _fail(error: Exception) -> None:
    from ingest.store import IndexMismatchError

    click.secho(f"error: {error}", fg="red", err=True)
    sys.exit(EXIT_MISMATCH if isinstance(error, IndexMismatchError) else 2)


def _user_errors():
    from ingest.embeddings import EmbeddingModelError
    from ingest.loaders import IngestError
    from ingest.store import IndexMismatchError, IndexUnavailableError

    return (IndexMismatchError, IndexUnavailableError, EmbeddingModelError, IngestError, ValueError)


index_option = click.option(
    "--index-dir", type=click.Path(file_okay=False), help="Index folder (default: LEGALQA_INDEX_DIR or .legalqa/index)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legalqa")
def cli():
    """Ask questions of court filings, Copyright Office reports and statutes, with citations you can check."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Delete the index and build it again (after changing model or chunking).")
@index_option
def ingest(paths, rebuild, index_dir):
    """Index PDF, TXT, Markdown, HTML and XML files under PATHS (folders are searched recursively).

    Unchanged files are skipped without embedding. Exit code 3 means some
    files were skipped; each is named with its reason.
    """
    from ingest.pipeline import ingest_paths

    settings = _settings(index_dir=index_dir)
    try:
        report = ingest_paths(paths, settings=settings, rebuild=rebuild, progress=lambda m: click.echo(m, err=True))
    except _user_errors() as exc:
        _fail(exc)
    for skipped in report.skipped:
        click.secho(f"skipped {skipped.source}: {skipped.reason}", fg="yellow", err=True)
    click.echo(report.summary())
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the contract scripts rely on).")
@click.option("-k", type=int, default=None, help="Chunks to retrieve (default: LEGALQA_RETRIEVAL__K).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default=None, help="Retrieval mode.")
@index_option
def ask(question, as_json, k, mode, index_dir):
    """Answer QUESTION from the index with quoted, cited passages, or abstain."""
    from chatbot.engine import ask as ask_question

    try:
        answer = ask_question(question, settings=_settings(index_dir=index_dir), k=k, mode=mode)
    except _user_errors() as exc:
        _fail(exc)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        click.echo(answer.render_text())


@cli.command()
@index_option
def docs(index_dir):
    """List the indexed documents."""
    from chatbot.engine import list_documents

    try:
        documents = list_documents(_settings(index_dir=index_dir))
    except _user_errors() as exc:
        _fail(exc)
    for d in documents:
        pages = f"{d.n_pages} pp." if d.paged else "unpaged"
        click.echo(f"{d.source}\t{d.title}\t{pages}")
    click.echo(f"{len(documents)} documents", err=True)


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@index_option
def remove(sources, index_dir):
    """Remove documents from the index by their SOURCE (as `legalqa docs` lists it)."""
    from ingest.pipeline import remove_sources

    try:
        removed = remove_sources(sources, settings=_settings(index_dir=index_dir))
    except _user_errors() as exc:
        _fail(exc)
    for source in sources:
        click.echo(f"{'removed' if source in removed else 'not indexed'}: {source}")
    if len(removed) != len(sources):
        sys.exit(1)


@cli.command()
@click.option("--host", default=None, help="Bind address (default: LEGALQA_UI__HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: LEGALQA_UI__PORT, 7860).")
@index_option
def serve(host, port, index_dir):
    """Serve the web chat (loopback only unless told otherwise)."""
    from chatbot.app import serve as serve_app

    settings = _settings(index_dir=index_dir)
    try:
        serve_app(settings, host=host, port=port)
    except _user_errors() as exc:
        _fail(exc)


@cli.command(name="settings")
def settings_cmd():
    """Print the settings table (Markdown), generated from the field descriptions."""
    from ingest.settings import settings_table

    click.echo(settings_table())


def _load_plugins() -> None:
    """Commands from other packages (`legalqa eval` lives in eval/, which imports chatbot, not the reverse)."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="legalqa.commands"):
        if ep.name not in cli.commands:
            cli.add_command(ep.load(), name=ep.name)


def main() -> None:
    """Entry point. An unexpected error is reported in one line; LEGALQA_DEBUG=1 shows the traceback."""
    import os

    _load_plugins()
    try:
        cli(prog_name="legalqa", standalone_mode=True)
    except KeyboardInterrupt:
        click.secho("interrupted; the index keeps every document that was completed", fg="yellow", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if os.environ.get("LEGALQA_DEBUG"):
            raise
        click.secho(f"error: {type(exc).__name__}: {exc} (set LEGALQA_DEBUG=1 for details)", fg="red", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

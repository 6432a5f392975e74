"""The `legalqa` command. Each command's docstring is its --help; all work is done by library functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

EXIT_SKIPPED = 3  # ingest finished, but some files were skipped
EXIT_MISMATCH = 4  # the index was built with other settings: rebuild it


def _settings(**overrides):
    from pydantic import ValidationError

    from legalqa.settings import Settings, SettingsError

    try:
        settings = Settings()
    except ValidationError as exc:
        _fail(SettingsError.from_validation(exc))
    if overrides.get("index_dir"):
        settings = settings.model_copy(update={"index_dir": Path(overrides["index_dir"])})
    return settings


def _fail(error: Exception) -> None:
    from ingest.store import IndexMismatchError

    click.secho(f"error: {error}", fg="red", err=True)
    sys.exit(EXIT_MISMATCH if isinstance(error, IndexMismatchError) else 2)


def _user_errors():
    """What the CLI reports as a message: every error meant for a user derives from LegalqaError."""
    from legalqa.errors import LegalqaError

    return (LegalqaError,)


def printable(text: str) -> str:
    """One log line per message: control characters in a file name (a newline, an escape
    sequence) are shown escaped, so a name cannot forge or hide lines of the report."""
    import re

    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)


index_option = click.option(
    "--index-dir", type=click.Path(file_okay=False), help="Index folder (default: LEGALQA_INDEX_DIR or .legalqa/index)."
)


class _Commands(click.Group):
    """The built-in commands, and those of other packages (entry points in ``legalqa.commands``,
    `legalqa eval` among them), imported only when named or listed: loading `eval` for every
    command cost each `legalqa ask` and `legalqa ingest` half a second."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_plugins()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and name in _plugins():
            command = _plugins()[name].load()
            self.add_command(command, name=name)
        return command


def _plugins() -> dict:
    from importlib.metadata import EntryPoint, entry_points

    users = EntryPoint("users", "chatbot.users:users_command", "legalqa.commands")  # ours, imported when named too
    return {ep.name: ep for ep in [*entry_points(group="legalqa.commands"), users]}


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legalqa")
def cli():
    """Ask questions of court filings, Copyright Office reports and statutes, with citations you can check."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True,
              help="Build the index again from PATHS and the web uploads (after changing model or chunking); "
              "a running server answers from the old index until the new one is complete.")
@click.option("--wait", type=float, default=120.0, show_default=True,
              help="Seconds to wait for another ingest on the same index to finish.")
@click.option("--full-check", is_flag=True,
              help="Look for lost vectors and orphan chunks among every chunk, not only those written since the "
              "last check (O(index): about 45 s at 100k chunks).")
@index_option
def ingest(paths, rebuild, wait, full_check, index_dir):
    """Index PDF, TXT, Markdown, HTML and XML files under PATHS (folders are searched recursively).

    Unchanged files are skipped without embedding; changed files replace their old
    chunks. Metadata can be given in a `<file>.meta.toml` beside a file or in a
    `manifest.toml` above it. With --rebuild, the files uploaded in the web chat
    (LEGALQA_DATA_DIR/uploads) are indexed again too. One ingest writes to an index
    at a time; another waits. Exit code 3 means some files were skipped; each is
    named with its reason. A progress bar shows on a terminal, log lines otherwise.
    """
    from chatbot.terminal import ProgressBars
    from ingest.pipeline import ingest_paths

    settings = _settings(index_dir=index_dir)
    bars = ProgressBars() if sys.stderr.isatty() else None
    write = bars.write if bars else (lambda m: click.echo(m, err=True))

    def say(message: str) -> None:
        write(printable(message))

    try:
        report = ingest_paths(paths, settings=settings, rebuild=rebuild, progress=say, ticker=bars, lock_timeout=wait,
                              full_check=full_check)
    except _user_errors() as exc:
        _fail(exc)
    finally:
        if bars:
            bars.close()
    for warning in report.warnings:
        click.secho(printable(f"warning {warning.source}: {warning.reason}"), fg="yellow", err=True)
    click.echo(report.summary())
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


def filter_options(f):
    """--kind, --case, --court, --from, --to: shared by `ask` and `chat`."""
    from ingest.metadata import KINDS

    for option in reversed([
        click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Only documents of this kind (repeatable)."),
        click.option("--case", default=None, help="Only documents whose case name contains this (e.g. Kadrey)."),
        click.option("--court", default=None, help="Only documents of this court (e.g. 'N.D. Cal.')."),
        click.option("--from", "date_from", default=None, help="Only documents dated on or after (YYYY-MM-DD)."),
        click.option("--to", "date_to", default=None, help="Only documents dated on or before (YYYY-MM-DD)."),
    ]):
        f = option(f)
    return f


def _filters(kinds, case, court, date_from, date_to):
    from chatbot.types import Filters

    return Filters(kind=list(kinds), case=case, court=court, date_from=date_from, date_to=date_to)


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the contract scripts rely on).")
@click.option("-k", type=int, default=None, help="Chunks to retrieve (default: LEGALQA_RETRIEVAL__K).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default=None, help="Retrieval mode.")
@filter_options
@index_option
def ask(question, as_json, k, mode, kinds, case, court, date_from, date_to, index_dir):
    """Answer QUESTION from the index with quoted, cited passages, or abstain."""
    from chatbot.engine import get_engine
    from chatbot.query import clean_question
    from chatbot.render import answer_text
    from chatbot.terminal import cited_documents

    settings = _settings(index_dir=index_dir)
    try:
        question = clean_question(question, settings.ui.max_question_chars)
        engine = get_engine(settings)
        answer = engine.ask(question, k=k, mode=mode, filters=_filters(kinds, case, court, date_from, date_to))
        click.echo(answer.model_dump_json(indent=2) if as_json else answer_text(answer, cited_documents(engine, answer)))
    except _user_errors() as exc:
        _fail(exc)


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help="Read questions from stdin, one a line, and print one JSON object a line (as `ask --json`).")
@filter_options
@index_option
def chat(as_json, kinds, case, court, date_from, date_to, index_dir):
    """A conversation: follow-up questions keep their context. "new" starts another conversation;
    Ctrl-D, "exit" or "quit" ends it. With --json, questions are read from stdin, one a line, in
    one conversation, and each answer is printed as one line of JSON (the `ask --json` contract),
    with nothing else on stdout: for scripts that evaluate conversations."""
    from chatbot.engine import get_engine
    from chatbot.render import answer_text
    from chatbot.terminal import cited_documents, conversation, greeting

    filters = _filters(kinds, case, court, date_from, date_to)
    try:
        engine = get_engine(_settings(index_dir=index_dir))
        if not as_json:
            click.echo(greeting(engine, filters) + "\n")
        lines = sys.stdin if as_json else _prompted()
        for answer in conversation(engine, lines, filters=filters,
                                   say=lambda m: click.secho(m, fg="yellow", err=True)):
            if as_json:
                click.echo(answer.model_dump_json())
            else:
                click.echo(answer_text(answer, cited_documents(engine, answer)) + "\n")
    except _user_errors() as exc:
        _fail(exc)


def _prompted():
    """Questions typed at the prompt, until Ctrl-D or Ctrl-C."""
    while True:
        try:
            yield click.prompt("question", prompt_suffix="> ", default="", show_default=False)
        except (EOFError, click.Abort):
            click.echo("")
            return


@cli.command()
@click.option("--cites", default=None, help='Only documents that cite this, e.g. "510 U.S. 569" or "17 U.S.C. § 107".')
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document.")
@index_option
def docs(cites, as_json, index_dir):
    """List the indexed documents: kind, case, court, date, docket and title."""
    from chatbot.engine import list_documents

    try:
        documents = list_documents(_settings(index_dir=index_dir), cites=cites)
    except _user_errors() as exc:
        _fail(exc)
    if as_json:
        for d in documents:
            click.echo(d.model_dump_json(exclude={"citations"}))
        return
    from rich.console import Console
    from rich.table import Table

    from ingest.indexing import counted
    from ingest.metadata import kind_label

    table = Table(show_lines=False, expand=True)
    for column in ("source", "kind", "case", "court", "date", "docket", "pages", "title"):
        table.add_column(column, overflow="fold")
    for d in documents:
        table.add_row(
            d.source, kind_label(d.kind), d.case_name or "", d.court or "", d.date or "", d.docket or "",
            str(d.n_pages) if d.paged else "", d.title,
        )
    Console(width=200 if not sys.stdout.isatty() else None).print(table)
    click.echo(counted(len(documents), "document") + (f" citing {cites}" if cites else ""), err=True)


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
    """Serve the web chat on 127.0.0.1 (unless told otherwise): answers with source cards,
    filters, uploads, export and feedback. Indexed documents open at the cited page."""
    from chatbot.server import serve as serve_app

    settings = _settings(index_dir=index_dir)
    try:
        serve_app(settings, host=host, port=port)
    except _user_errors() as exc:
        _fail(exc)


@cli.group()
def corpus():
    """The catalogue of the public record (corpus/catalog.toml) and the files it names."""


def _catalog_kind_option(f):
    from ingest.metadata import KINDS

    return click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
                        help="Only entries of this kind (repeatable).")(f)


@corpus.command()
@_catalog_kind_option
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus/public"),
              show_default=True, help="Folder to place the files in (with a manifest.toml of their metadata).")
@click.option("--from", "mirror", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Take the files from this local mirror (matched by file name or sha256) instead of the network.")
@click.option("--catalog", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Catalogue file (default: corpus/catalog.toml).")
@click.option("--retries", type=int, default=3, show_default=True, help="Attempts per file on network errors.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds before a connection gives up.")
@click.option("--allow-unhashed", is_flag=True, default=False,
              help="Also download files the catalogue has no sha256 for, unchecked (refused without this flag).")
def fetch(kinds, dest, mirror, catalog, retries, timeout, allow_unhashed):
    """Download the catalogue's documents into DEST (or copy them from a mirror with --from).

    Only https addresses on the catalogue's allowed hosts are contacted, redirects
    included, and files are written only inside DEST. Each file is checked before it is
    kept: its type (no HTML error page saved as a PDF) and its sha256. A download the
    catalogue has no sha256 for fails unless --allow-unhashed is given; a copy from a
    mirror without one is kept and reported as unchecked, since the mirror holds your
    own files, matched by name. A file is written as *.part and renamed only when it
    passes; a failure leaves nothing behind and is reported by name. Files already in
    DEST with the right hash are kept, so a second run resumes. Entries with no direct
    file (dockets, landing pages) are listed as skipped. DEST gets a manifest.toml, so
    `legalqa ingest DEST` uses the catalogue's titles and metadata. Exit code 1 if any
    file failed. This command and the optional LLM backends are the only parts of
    legalqa that use the network.
    """
    from corpus.catalog import CatalogError, load_catalog
    from corpus.fetch import fetch_catalog

    try:
        entries = load_catalog(catalog)
    except CatalogError as exc:
        _fail(exc)
    if kinds:
        entries = [e for e in entries if e.kind in kinds]
    marks = {"fetched": ("fetched", "green"), "present": ("present", None), "skipped": ("skipped", None),
             "failed": ("FAILED ", "red")}

    def show(result):
        word, colour = marks[result.status]
        where = f" ({result.path})" if result.path else ""
        detail = f": {result.reason}" if result.reason else ""
        click.secho(f"{word} {result.id}{where}{detail}", fg=colour, err=result.status == "failed")

    report = fetch_catalog(entries, dest, mirror=mirror, retries=retries, timeout=timeout, progress=show,
                           allow_unhashed=allow_unhashed)
    click.echo(f"{report.summary()} -> {dest}" + (f" (metadata in {report.manifest})" if report.manifest else ""))
    if report.failed:
        failed = "1 file failed" if len(report.failed) == 1 else f"{len(report.failed)} files failed"
        click.secho(f"{failed}: " + ", ".join(r.id for r in report.failed), fg="red", err=True)
        sys.exit(1)


@cli.command(name="settings")
@click.option("--defaults", is_flag=True, help="Print the table of defaults and meanings (Markdown), as in the README.")
@click.option("--update-readme", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Rewrite the generated table of defaults and the code layout section in this README.")
def settings_cmd(defaults, update_readme):
    """Print the settings in effect, one a line: LEGALQA_ variable, value, and whether it came
    from the environment or is the default (passwords and keys show only as set). --defaults
    prints the table of defaults generated from the field descriptions; --update-readme
    rewrites it and the code layout section in the README (defaults only, whatever the
    environment says)."""
    from legalqa.settings import settings_report, settings_table

    if update_readme:
        from legalqa.layout import update_readme_layout
        from legalqa.settings import update_readme_table

        changed = update_readme_table(update_readme) | update_readme_layout(update_readme)
        click.echo(f"{update_readme}: {'updated' if changed else 'already current'}")
        return
    click.echo(settings_table() if defaults else settings_report(_settings()))


def _load_plugins() -> None:
    """Import every command from other packages now (`legalqa eval` lives in eval/, which imports
    chatbot, not the reverse); the CLI itself imports one only when it is named."""
    for name, ep in _plugins().items():
        if name not in cli.commands:
            cli.add_command(ep.load(), name=name)


def main() -> None:
    """Entry point. An unexpected error is reported in one line; LEGALQA_DEBUG=1 shows the traceback."""
    import os

    from legalqa.errors import LegalqaError

    try:
        cli(prog_name="legalqa", standalone_mode=True)
    except KeyboardInterrupt:
        click.secho("interrupted; the index keeps every document that was completed", fg="yellow", err=True)
        sys.exit(130)
    except LegalqaError as exc:
        _fail(exc)
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if os.environ.get("LEGALQA_DEBUG"):
            raise
        click.secho(f"error: {type(exc).__name__}: {exc} (set LEGALQA_DEBUG=1 for details)", fg="red", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()

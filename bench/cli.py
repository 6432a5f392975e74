"""`legalqa bench`, a plugin command like `legalqa eval`: chatbot never imports bench."""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_CORPUS = Path("../shared/corpus-real")


@click.command(name="bench")
@click.option("--quick", is_flag=True,
              help="Court filings only for the in-process figures and 10k/30k synthetic chunks; the whole-process"
              " ingest comparison still runs on four court filings and on the whole corpus.")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help=f"Documents to ingest (default {DEFAULT_CORPUS}).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("bench"),
              help="Folder for results.json and results.md.")
@click.option("--sizes", default=None, help="Synthetic index sizes in chunks, comma-separated (default 10000,100000,300000).")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=Path("eval/gold/real.jsonl"), help="Questions to time, one JSON object per line.")
@click.option("--repeats", type=click.IntRange(min=1), default=3, show_default=True,
              help="Runs of each side, alternated, in the whole-process ingest of four court filings (median taken).")
@click.option("--readme", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Also quote the table in this README, between its bench markers.")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the benchmark's indexes here (default: a temporary folder, removed after).")
def bench_command(quick, corpus, out, sizes, questions, repeats, readme, workdir):
    """Time `legalqa ingest` against the tutorial pipeline (bench/tutorial.py) as whole processes, on
    four court filings and on the whole corpus; then ingestion against the naive pipeline and the
    model's pure encode time, query latency (cold and warm) on the real corpus and on synthetic
    indexes of 10k to 300k chunks, and start-up. Writes OUT/results.json and OUT/results.md and
    prints the table."""
    from bench.run import run_bench

    corpus = corpus or DEFAULT_CORPUS
    if not corpus.is_dir():
        raise click.UsageError(f"no corpus at {corpus}; pass --corpus DIR")
    asked = [json.loads(line)["question"] for line in questions.read_text().splitlines() if line.strip()]
    size_list = tuple(int(s) for s in sizes.split(",")) if sizes else None
    results = run_bench(corpus, out, questions=asked, quick=quick, sizes=size_list, repeats=repeats,
                        workdir=workdir,
                        progress=lambda m: click.echo(f"bench: {m}", err=True))
    table = (out / "results.md").read_text()
    click.echo(table)
    if readme:
        from bench.run import quote_in_readme

        quote_in_readme(readme, table)
    if not all(results["checks"].values()):
        raise SystemExit(1)

"""Which split words the cleaning step rejoins in a folder: `python -m bench.repairs FOLDER`.

Prints the number of joins per document and the total; ``--list`` prints every join with its
page and context, ``--sample N --seed S`` a random draw of N joins for a hand audit.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import click

from ingest.cleaning import clean_page_text, strip_running_heads
from ingest.discovery import discover
from ingest.loaders import IngestError, loader_for
from ingest.repair import repair_pages
from ingest.types import Page


class FoundRepair(NamedTuple):
    source: str
    page: int | None
    before: str
    after: str
    context: str


def find_repairs(folder: Path) -> list[FoundRepair]:
    """Every join the cleaning step makes in the supported files under ``folder``, in file order."""
    found = []
    for item in discover([folder]):
        loader = loader_for(item.path)
        if item.problem or loader is None:
            continue
        try:
            pages = loader.read(item.path.read_bytes(), item.source).pages
        except IngestError:
            continue
        # The same steps as ingest.loaders.clean_pages, with the joins kept for the report.
        cleaned = [Page(number=p.number, text=clean_page_text(p.text)) for p in pages]
        _, repairs = repair_pages(strip_running_heads(cleaned, repair_words=False))
        found += [FoundRepair(item.source, *r) for r in repairs]
    return found


@click.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--list", "show_all", is_flag=True, help="Print every join with its page and context.")
@click.option("--sample", type=int, default=0, help="Print a random draw of this many joins.")
@click.option("--seed", type=int, default=0, help="Seed for --sample.")
def main(folder: Path, show_all: bool, sample: int, seed: int) -> None:
    """Count the split words the cleaning step rejoins in FOLDER, per document."""
    repairs = find_repairs(folder)
    for source, n in sorted(Counter(r.source for r in repairs).items()):
        click.echo(f"{n:6d}  {source}")
    click.echo(f"{len(repairs):6d}  total")
    shown = repairs if show_all else random.Random(seed).sample(repairs, min(sample, len(repairs)))
    for r in shown:
        click.echo(f"{r.source} p.{r.page}: {r.before!r} -> {r.after!r} | …{r.context}…")


if __name__ == "__main__":
    main()

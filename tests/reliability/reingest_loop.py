"""Another process that keeps re-ingesting a changed file while the server answers.

`python -m tests.reliability.reingest_loop INDEX_DIR CORPUS FILE VERSIONS LOG [--fake]` alternates
FILE between its two versions (VERSIONS/a.txt and VERSIONS/b.txt) and appends one JSON line per ingest
to LOG: when it started, when it ended, and which version it wrote.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def main(index_dir: str, corpus: str, target: str, versions: str, log: str, *flags: str) -> None:
    from ingest.embeddings import load_embedder
    from ingest.pipeline import ingest_paths
    from legalqa.settings import Settings

    settings = Settings(index_dir=Path(index_dir))
    if "--fake" in flags:
        from tests.conftest import FakeEmbedder

        embedder = FakeEmbedder()
    else:
        embedder = load_embedder(settings.embedding_model, settings.embedding_encoder)
    target_path = Path(target)
    version = "a"
    with open(log, "a", encoding="utf-8") as out:
        while True:
            version = "b" if version == "a" else "a"
            shutil.copyfile(Path(versions) / f"{version}.txt", target_path)
            started = time.time()
            report = ingest_paths([Path(corpus)], settings=settings, embedder=embedder)
            out.write(json.dumps({"start": started, "end": time.time(), "version": version,
                                  "indexed": report.indexed}) + "\n")
            out.flush()
            time.sleep(0.5)


if __name__ == "__main__":
    main(*sys.argv[1:])

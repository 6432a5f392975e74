"""Integration tier for ingestion: metadata against the real corpus's manifest, clean quotes,
kill -9 mid-ingest, and the same commands against a Chroma server."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.loaders import load_file
from ingest.types import normalize_whitespace
from tests.conftest import ROOT, free_port, start_service, stop_service
from tests.integration.test_real_corpus import ask_json, legalqa


def _party_keys(case: str) -> tuple[str, ...]:
    """'Thomson Reuters Enterprise Centre GmbH v. ROSS Intelligence Inc.' -> ('thomson', 'ross')."""
    case = re.sub(r"[^\w\s.]", " ", case.lower())
    if case.startswith("in re"):
        return tuple(case.split()[2:4])
    parties = re.split(r"\s+v\.?\s+", case, maxsplit=1)
    keys = []
    for p in parties:
        words = [w for w in p.split() if w not in {"the"}]
        keys.append(words[0] if words else "")
    return tuple(keys)


def _manifest_case(title: str) -> str:
    return re.split(r",?\s+(?:No\.|MDL No\.|Complaint)|\s\(", title, maxsplit=1)[0]


def test_docs_metadata_matches_the_manifest(real_index, real_corpus):
    with open(real_corpus / "MANIFEST.tsv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["path"].startswith("court/")]
    assert len(rows) == 18
    listed = legalqa(real_index, "docs", "--json")
    docs = {d["source"]: d for d in map(json.loads, listed.stdout.splitlines())}
    right, wrong = 0, []
    for row in rows:
        doc = docs[row["path"]]
        ok = (
            doc["case_name"]
            and _party_keys(doc["case_name"]) == _party_keys(_manifest_case(row["title"]))
            and doc["date"] == row["date"]
            and doc["court"]
        )
        right += bool(ok)
        if not ok:
            wrong.append((row["path"], doc["case_name"], doc["date"], row["title"], row["date"]))
    assert right >= 16, wrong
    kadrey = docs["court/kadrey-v-meta_2025-06-25_dkt598_order-msj-fair-use.txt"]
    assert (kadrey["court"], kadrey["docket"], kadrey["judge"]) == ("N.D. Cal.", "3:23-cv-03417-VC", "Vince Chhabria")


NOISE = [
    re.compile(r"\b1 2 3 4 5 6\b"),  # pleading-paper line numbers
    re.compile(r"Case \d:\d\d-cv"),  # ECF stamp
    re.compile(r"Document \d+ Filed"),
    re.compile(r"Page \d+ of \d+"),
    re.compile(r"United States District Court Northern District of California"),  # N.D. Cal. sidebar
]


@pytest.mark.parametrize(
    "question",
    [
        "Did Judge Alsup find that training on lawfully purchased books was fair use?",
        "Was Anthropic's pirated central library a fair use?",
        "What did the court hold in Kadrey v. Meta?",
        "Why did Judge Chhabria think market dilution matters for fair use?",
    ],
)
def test_quotes_are_clean_and_verbatim_in_the_cleaned_page(real_index, real_corpus, question):
    answer = ask_json(real_index, question)
    assert not answer["abstained"]
    for c in answer["citations"]:
        for pattern in NOISE:
            assert not pattern.search(c["quote"]), (pattern.pattern, c["quote"])
        pages = {p.number: p.text for p in load_file(real_corpus / c["source"], c["source"]).pages}
        assert normalize_whitespace(c["quote"]) in normalize_whitespace(pages[c["page"]])


def test_docs_cites_finds_the_opinions_citing_campbell(real_index):
    listed = legalqa(real_index, "docs", "--json", "--cites", "510 U.S. 569")
    citing = {json.loads(line)["source"] for line in listed.stdout.splitlines()}
    assert "court/bartz-v-anthropic_2025-06-23_order-on-fair-use.pdf" in citing
    assert "court/kadrey-v-meta_2025-06-25_dkt598_order-msj-fair-use.txt" in citing
    assert not any(s.startswith("statute/") for s in citing)


def test_changed_model_gives_the_rebuild_message(real_index):
    env = {**os.environ, "LEGALQA_INDEX_DIR": str(real_index), "LEGALQA_EMBEDDING_MODEL": "/models/some-other-model"}
    result = subprocess.run([sys.executable, "-m", "chatbot.cli", "ask", "What is fair use?"], env=env,
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 4
    assert "legalqa ingest --rebuild" in result.stderr and "embedding_model" in result.stderr
    assert "Traceback" not in result.stderr


def _subset(real_corpus: Path, dest: Path, n: int = 6) -> Path:
    dest.mkdir(parents=True)
    for path in sorted((real_corpus / "court").glob("*.txt"))[:n]:
        shutil.copy(path, dest / path.name)
    return dest


def _chunk_ids(index_dir: Path) -> list[str]:
    code = (
        "import json,sys; from pathlib import Path; from legalqa.settings import Settings; "
        "from ingest.store import ChunkStore; s=ChunkStore(Settings(index_dir=Path(sys.argv[1]))); "
        "s.open(s.build_info()); print(json.dumps(sorted(c.chunk_id for c in s.iter_chunks())))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(index_dir)], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def test_kill_9_mid_ingest_then_reingest_converges(real_corpus, tmp_path):
    corpus = _subset(real_corpus, tmp_path / "subset")
    clean, crashed = tmp_path / "clean", tmp_path / "crashed"
    assert legalqa(clean, "ingest", str(corpus)).returncode == 0
    reference = _chunk_ids(clean)

    env = {**os.environ, "LEGALQA_INDEX_DIR": str(crashed)}
    proc = subprocess.Popen([sys.executable, "-m", "chatbot.cli", "ingest", str(corpus)], env=env, cwd=ROOT,
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    indexed = 0
    for line in proc.stderr:  # kill while the third file is being embedded
        if line.startswith("indexed "):
            indexed += 1
            if indexed == 2:
                time.sleep(0.5)
                os.kill(proc.pid, signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    # The index opens and answers straight away, then a re-ingest completes the work.
    assert legalqa(crashed, "docs").returncode == 0
    assert legalqa(crashed, "ingest", str(corpus)).returncode == 0
    after = _chunk_ids(crashed)
    assert len(after) == len(set(after))
    assert after == reference


@pytest.fixture
def chroma_server(tmp_path):
    chroma = Path(sys.executable).with_name("chroma")
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = start_service([str(chroma), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
                          "--port", str(port)], port, env=env, timeout=60, name="chroma run")
    yield port
    stop_service(proc)


def test_same_commands_against_a_chroma_server(chroma_server, small_corpus, tmp_path):
    env = {**os.environ, "LEGALQA_CHROMA_HOST": "127.0.0.1", "LEGALQA_CHROMA_PORT": str(chroma_server),
           "LEGALQA_INDEX_DIR": str(tmp_path / "local")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "chatbot.cli", *args], env=env, capture_output=True,
                              text=True, cwd=ROOT, timeout=600)

    first = run("ingest", str(small_corpus))
    assert first.returncode == 0, first.stderr
    assert "4 indexed" in first.stdout
    again = run("ingest", str(small_corpus))
    assert "(0 embedded)" in again.stdout
    answer = json.loads(run("ask", "--json", "Was copying the novels to train the language model a fair use?").stdout)
    assert not answer["abstained"]
    assert any(c["source"].startswith("opinions/smith-v-acme") and c["page"] == 2 for c in answer["citations"])
    # Nothing went to the local folder but the BM25 index: the chunks live on the server.
    assert not (tmp_path / "local" / "chroma").exists()

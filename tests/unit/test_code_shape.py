"""The house rules a newcomer relies on: small files, short functions, no reaching into
another module's private fields, one module talking to Chroma."""

from __future__ import annotations

import ast
import re
import subprocess

from tests.conftest import ROOT

PACKAGES = ("legalqa", "chatbot", "ingest", "eval", "bench", "corpus")
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# Exceptions, each with the reason it is one. Keep this short.
LONG_FILES: dict[str, str] = {}
LONG_FUNCTIONS: dict[str, str] = {}


def sources():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_no_file_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_FILE_LINES}
    assert set(long) <= set(LONG_FILES), f"files over {MAX_FILE_LINES} lines: {long}"


def test_no_function_is_over_60_lines():
    long = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert set(long) <= set(LONG_FUNCTIONS), f"functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_nothing_reaches_into_the_engine_or_chroma_internals():
    found = subprocess.run(["git", "grep", "-n", r"engine\._\|\._reranker\|_identifier_to_system", "--", "*.py"],
                           cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    owners = {r"engine\._": "chatbot/engine.py", r"\._reranker": "chatbot/engine.py",
              "_identifier_to_system": "ingest/store.py"}
    outside = [line for line in found if not line.startswith("tests/unit/test_code_shape.py:")
               and not any(re.search(pattern, line) and line.startswith(owner + ":") for pattern, owner in owners.items())]
    assert not outside, "\n".join(outside)


def test_only_the_store_imports_chromadb():
    importers = [str(p.relative_to(ROOT)) for p in sources() if re.search(r"^\s*(import|from) chromadb",
                                                                          p.read_text(encoding="utf-8"), re.M)]
    # bench/tutorial.py is not the project: it is the LangChain tutorial's pipeline, timed as its
    # own process against ours, and it must talk to Chroma the way the tutorial does.
    assert sorted(importers) == ["bench/tutorial.py", "ingest/store.py"], importers

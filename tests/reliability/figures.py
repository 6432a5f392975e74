"""The reliability tests' figures, gathered in tests/artifacts/reliability.json for the release note."""

from __future__ import annotations

import json
import time

from tests.conftest import ROOT, one_worker_at_a_time

FIGURES = ROOT / "tests" / "artifacts" / "reliability.json"


def record_figures(section: str, figures: dict) -> None:
    """Merge one test's figures into the JSON file (one key per test section)."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    with one_worker_at_a_time("reliability-figures"):
        try:
            data = json.loads(FIGURES.read_text())
        except (OSError, ValueError):
            data = {}
        data[section] = {**figures, "recorded": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        FIGURES.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"\n{section}: {json.dumps(figures)}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

"""The short evaluation `make test` runs: the default configuration must stay above eval/floors.toml."""

from __future__ import annotations

import json
import tomllib

from tests.conftest import ROOT
from tests.integration.test_real_corpus import legalqa


def test_default_configuration_meets_its_floors(real_index, tmp_path):
    floors = tomllib.loads((ROOT / "eval" / "floors.toml").read_text())["hybrid"]
    out = tmp_path / "eval"
    result = legalqa(real_index, "eval", "--questions", str(ROOT / "eval/gold/real.jsonl"), "--out", str(out),
                     "--limit", str(floors["questions"]), "--plots")
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["questions"] == floors["questions"]
    assert report["hit@5"] >= floors["hit@5"], report
    assert report["key_fact_recall"] >= floors["key_fact_recall"], report
    assert report["quotes_verbatim"] >= floors["quotes_verbatim"], report
    assert report["hallucinated"] <= floors["hallucinated_max"], report
    # The report embeds readable plots.
    markdown = (out / "report.md").read_text()
    for name in ("metrics.png", "recall_at_k.png", "latency.png"):
        assert f"]({name})" in markdown and (out / name).stat().st_size > 5000
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert all({"text", "start", "end"} <= set(r) for line in lines for r in line["retrieved"])

"""report.md and its plots: configurations side by side, the worst questions, the trend."""

from __future__ import annotations

import json
from pathlib import Path

from eval.scoring import METRICS, RECALL_KS, headline_metrics, table_metrics


def bar_metrics() -> list[str]:
    """The scores the bar chart compares across configurations."""
    return [m.name for m in METRICS if m.chart]


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.0f}" if isinstance(value, float) and value > 10 else f"{value:.3f}"


def write_report(out_dir: Path, summaries: dict[str, dict], per_config: dict[str, list[dict]]) -> Path:
    plots = write_plots(out_dir, summaries, per_config)
    configs = list(summaries)
    lines = ["# legalqa evaluation", "", *metrics_table(summaries)]
    lines += ["", f"{summaries[configs[0]]['questions']} questions, {summaries[configs[0]]['answerable']} answerable.", ""]
    if summaries[configs[0]].get("gold_not_indexed"):
        lines += [f"**{summaries[configs[0]]['gold_not_indexed']} of them have none of their gold sources in the "
                  "index** (results.jsonl: `gold_indexed` false): they cannot score.", ""]
    lines += kind_table(summaries)
    for name, title in plots:
        lines += [f"## {title}", "", f"![{title}]({name})", ""]
    lines += _worst(configs[0], per_config[configs[0]])
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def metrics_table(summaries: dict[str, dict]) -> list[str]:
    """A Markdown table: one line per registered metric with a label, one column per configuration."""
    configs = list(summaries)
    lines = ["| metric | " + " | ".join(configs) + " |", "| --- |" + " --- |" * len(configs)]
    for metric in table_metrics():
        lines.append(f"| {metric.label} | " + " | ".join(_fmt(summaries[c].get(metric.name)) for c in configs) + " |")
    return lines


def kind_table(summaries: dict[str, dict]) -> list[str]:
    """By kind of question: how many, and each configuration's accurate share and key-fact recall
    (nothing when the gold set gives no kinds)."""
    configs = [c for c in summaries if summaries[c].get("by_kind")]
    if not configs:
        return []
    kinds = sorted({k for c in configs for k in summaries[c]["by_kind"]})
    head = "| kind | questions | " + " | ".join(f"accurate ({c}) | key-fact recall ({c})" for c in configs) + " |"
    lines = ["## By kind of question", "", head, "| --- | --- |" + " --- | --- |" * len(configs)]
    for kind in kinds:
        figures = [summaries[c]["by_kind"].get(kind, {}) for c in configs]
        count = next(f["questions"] for f in figures if f)
        cells = " | ".join(f"{_fmt(f.get('accurate'))} | {_fmt(f.get('key_fact_recall'))}" for f in figures)
        lines.append(f"| {kind} | {count} | {cells} |")
    return lines + [""]


def _worst(config: str, rows: list[dict], n: int = 5) -> list[str]:
    order = {"hallucinated": 0, "incomplete": 1, "accurate": 2}
    worst = sorted(rows, key=lambda r: (order[r["label"]], r.get("key_fact_recall") or 0.0))[:n]
    lines = [f"## The {len(worst)} worst questions ({config})", ""]
    for r in worst:
        kfr = r.get("key_fact_recall")
        lines += [f"### {r['id']}: {r['question']}", "",
                  f"label **{r['label']}**" + (f", key-fact recall {kfr:.2f}" if kfr is not None else ""), ""]
        lines += ["> " + line for line in (r["answer"][:1200] or "(empty)").splitlines()] + [""]
    return lines


def write_plots(out_dir: Path, summaries: dict[str, dict], per_config: dict[str, list[dict]]) -> list[tuple[str, str]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    configs = list(summaries)
    made = []

    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(configs)
    bars = bar_metrics()
    x = np.arange(len(bars))
    for i, c in enumerate(configs):
        ax.bar(x + i * width, [summaries[c].get(m) or 0.0 for m in bars], width, label=c)
    ax.set_xticks(x + width * (len(configs) - 1) / 2, bars, rotation=20)
    ax.set_ylabel("score (0 to 1)")
    ax.set_ylim(0, 1.05)
    ax.set_title("Metrics by configuration")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=len(configs), frameon=False)
    fig.tight_layout()
    fig.savefig(out_dir / "metrics.png", dpi=110)
    plt.close(fig)
    made.append(("metrics.png", "Metrics by configuration"))

    fig, ax = plt.subplots(figsize=(6, 4))
    ks = list(RECALL_KS)
    for c in configs:
        ax.plot(ks, [summaries[c].get(f"recall@{k}") or 0.0 for k in ks], marker="o", label=c)
    ax.set_ylim(0, 1.05)
    made.append(_save(fig, ax, out_dir / "recall_at_k.png", "Recall@k", "k (documents)", "recall@k", "Document recall@k"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for c in configs:
        values = [r["timings_ms"].get("total") for r in per_config[c] if r.get("timings_ms", {}).get("total") is not None]
        if values:
            ax.hist(values, bins=20, alpha=0.6, label=c)
    made.append(_save(fig, ax, out_dir / "latency.png", "Latency", "answer latency (ms)", "questions",
                      "Latency per question"))
    return made


def _save(fig, ax, path: Path, caption: str, xlabel: str, ylabel: str, title: str) -> tuple[str, str]:
    import matplotlib.pyplot as plt

    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name, caption


def plot_trend(history: Path, out: Path, config: str = "hybrid") -> Path:
    """The headline metrics of ``config`` across the runs recorded in history.jsonl."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [json.loads(line) for line in history.read_text().splitlines() if line.strip()]
    runs = [r for r in runs if config in r["configs"]]
    if not runs:
        raise ValueError(f"{history} has no run of configuration '{config}'")
    labels = [f"{r['commit'] or '?'}\n{r['time'][5:16]}" for r in runs]
    fig, ax = plt.subplots(figsize=(max(6, len(runs) * 0.9), 4))
    for metric in [m.name for m in headline_metrics() if not m.unit]:  # scores, not latencies
        ax.plot(range(len(runs)), [r["configs"][config].get(metric) or 0.0 for r in runs], marker="o", label=metric)
    ax.set_xticks(range(len(runs)), labels, fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title(f"Trend across runs ({config})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out

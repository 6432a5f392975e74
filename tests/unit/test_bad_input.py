from ingest.pipeline import ingest_paths
from tests.hostile import EXPECTED, INDEXED, WARNED, write_hostile_folder


def test_broken_files_are_named_and_good_files_indexed(tmp_path, settings, fake_embedder):
    folder = write_hostile_folder(tmp_path / "mixed")
    limited = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 0.1})})
    report = ingest_paths([folder], settings=limited, embedder=fake_embedder)

    named = {s.source: s.reason for s in report.skipped + report.warnings}
    for source, reason in EXPECTED.items():
        assert source in named, f"{source} was not reported"
        assert reason in named[source], (source, named[source])
    assert set(report.indexed) == INDEXED
    assert len(report.skipped) == len(EXPECTED) - len(WARNED)  # files read with a warning are indexed


def test_good_files_are_searchable_after_a_bad_batch(tmp_path, settings, fake_embedder):
    from chatbot.engine import Engine

    folder = write_hostile_folder(tmp_path / "mixed")
    limited = settings.model_copy(update={"ingest": settings.ingest.model_copy(update={"max_file_mb": 0.1})})
    report = ingest_paths([folder], settings=limited, embedder=fake_embedder)
    assert set(report.indexed) == INDEXED
    answer = Engine(limited, embedder=fake_embedder).ask("Was scanning purchased print books a fair use?")
    assert not answer.abstained
    assert "good/order.txt" in {c.source for c in answer.citations}
    assert {c.source for c in answer.citations} <= INDEXED
    scripted = Engine(limited, embedder=fake_embedder).ask("Is the licensing market for news articles real?")
    assert "bad/scripts-and-text.html" in {c.source for c in scripted.citations}
    assert not any("alert" in c.quote or "steal" in c.quote for c in scripted.citations)


def test_cli_reports_every_bad_file_without_a_traceback(tmp_path, fake_model, monkeypatch):
    from click.testing import CliRunner

    from chatbot.cli import cli

    folder = write_hostile_folder(tmp_path / "mixed")
    monkeypatch.setenv("LEGALQA_INGEST__MAX_FILE_MB", "0.1")
    result = CliRunner().invoke(cli, ["ingest", str(folder)])
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    for source in EXPECTED:
        assert source in result.output

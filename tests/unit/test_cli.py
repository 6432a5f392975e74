import json

from click.testing import CliRunner

from chatbot.cli import cli, _load_plugins

_load_plugins()


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)


def test_ingest_then_reingest_embeds_nothing(small_corpus, fake_model):
    first = run("ingest", small_corpus)
    assert first.exit_code == 0, first.output
    assert "4 files: 4 indexed, 0 unchanged, 0 skipped" in first.output
    embedded = fake_model.embedded
    second = run("ingest", small_corpus)
    assert "0 indexed, 4 unchanged" in second.output and "(0 embedded)" in second.output
    assert fake_model.embedded == embedded


def test_full_check_looks_at_every_chunk(small_corpus, fake_model, monkeypatch):
    from ingest.store import ChunkStore

    assert run("ingest", small_corpus).exit_code == 0
    checked = []
    real = ChunkStore._lost
    monkeypatch.setattr(ChunkStore, "_lost", lambda self, ids: checked.append(ids) or real(self, ids))
    assert run("ingest", small_corpus).exit_code == 0
    assert None not in checked  # only what was written since the last check
    checked.clear()
    assert run("ingest", "--full-check", small_corpus).exit_code == 0
    assert checked[0] is None  # every chunk


def test_skipped_files_are_named_and_set_exit_code_3(small_corpus, fake_model):
    (small_corpus / "zero.pdf").write_bytes(b"")
    result = CliRunner().invoke(cli, ["ingest", str(small_corpus)])
    assert result.exit_code == 3
    assert "skipped zero.pdf: the file is empty" in result.output


def test_each_skip_is_printed_once_and_counts_are_singular_for_one(small_corpus, fake_model, tmp_path):
    (small_corpus / "zero.pdf").write_bytes(b"")
    result = CliRunner().invoke(cli, ["ingest", str(small_corpus)])
    assert result.output.count("skipped zero.pdf: the file is empty") == 1
    single = tmp_path / "single"
    single.mkdir()
    (single / "note.txt").write_text("A short note on fair use.")
    result = run("ingest", single)
    assert "indexed note.txt: 1 page, 1 chunk" in result.output
    assert "1 file: 1 indexed, 0 unchanged, 0 skipped; 1 page, 1 chunk (1 embedded)" in result.output


def test_ask_json_contract(small_corpus, fake_model):
    run("ingest", small_corpus)
    result = run("ask", "--json", "What are the four factors of fair use?")
    data = json.loads(result.output)
    assert data["abstained"] is False
    digest = [c for c in data["citations"] if c["source"] == "statute/fair-use.md"]
    assert digest and digest[0]["page"] is None


def test_ask_without_index_is_a_clear_error(fake_model):
    result = CliRunner().invoke(cli, ["ask", "anything"])
    assert result.exit_code == 2
    assert "no index yet" in result.output and "legalqa ingest" in result.output
    assert "Traceback" not in result.output


def test_changed_model_gives_the_rebuild_message(small_corpus, fake_model, monkeypatch):
    run("ingest", small_corpus)
    monkeypatch.setenv("LEGALQA_EMBEDDING_MODEL", "some/other-model")
    result = CliRunner().invoke(cli, ["ask", "What is fair use?"])
    assert result.exit_code == 4
    assert "embedding_model" in result.output and "legalqa ingest --rebuild" in result.output


def test_missing_path_is_a_clear_error(tmp_path, fake_model):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_docs_and_remove(small_corpus, fake_model):
    run("ingest", small_corpus)
    listed = {d["source"]: d for d in map(json.loads, run("docs", "--json").output.splitlines())}
    order = listed["opinions/smith-v-acme_2024-01-02_order.txt"]
    assert (order["case_name"], order["court"], order["date"], order["docket"], order["kind"], order["judge"]) == (
        "Smith v. Acme Robotics, Inc.", "N.D. Cal.", "2024-01-02", "3:24-cv-01234-ABC", "order", "Maria Lopez"
    )
    assert order["title"] == "Smith v. Acme Robotics, Inc., Order Granting Summary Judgment"
    assert order["n_pages"] == 3
    assert "case" in run("docs").output  # the table for people
    assert "removed: news/studios.html" in run("remove", "news/studios.html").output
    assert "news/studios.html" not in run("docs", "--json").output


def test_docs_cites_lists_the_documents_citing_a_case(small_corpus, fake_model):
    run("ingest", small_corpus)
    citing = [json.loads(line)["source"] for line in run("docs", "--json", "--cites", "510 U.S. 569").output.splitlines()]
    assert citing == ["opinions/smith-v-acme_2024-01-02_order.txt"]
    assert run("docs", "--json", "--cites", "17 U.S.C. § 107").output.count("\"source\":\"opinions/smith-v-acme") == 1
    assert run("docs", "--json", "--cites", "999 U.S. 1").output == ""


def test_eval_writes_results_and_report(small_corpus, fake_model, tmp_path):
    run("ingest", small_corpus)
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q)
            for q in [
                {"id": "a", "question": "Was training the language model on the novels a fair use?",
                 "gold_sources": ["opinions/smith-v-acme_2024-01-02_order.txt"], "gold_pages": [2],
                 "key_facts": [["was a fair use"], ["statistical patterns"]], "answerable": True},
                {"id": "b", "question": "What is the statute of limitations for breach of contract in Texas?",
                 "gold_sources": [], "gold_pages": [], "key_facts": [], "answerable": False},
            ]
        )
    )
    out = tmp_path / "out"
    result = run("eval", "--questions", questions, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["hit@1"] == 1.0 and report["abstention_accuracy"] == 1.0
    assert report["quotes_verbatim"] == 1.0
    lines = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b"]
    assert lines[1]["abstained"] is True


def test_llm_judge_grades_against_the_gold_answer_and_keeps_its_verdicts(small_corpus, fake_model, tmp_path):
    from chatbot.engine import Engine
    from eval.runner import run_eval
    from legalqa.settings import Settings
    from tests.conftest import ScriptedChatModel

    run("ingest", small_corpus)
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({
        "id": "a", "question": "Was training the language model on the novels a fair use?",
        "gold_sources": ["opinions/smith-v-acme_2024-01-02_order.txt"], "key_facts": [["fair use"]],
        "answerable": True, "gold_answer": "Yes: the court held the training copies were a fair use.",
    }) + "\n")
    judge = ScriptedChatModel("CORRECT\nThe answer quotes the holding.")
    report = run_eval(questions, tmp_path / "out", engine=Engine(Settings(), embedder=fake_model), judge_model=judge)
    assert report["judge_correct"] == 1.0 and report["judged"] == 1
    line = json.loads((tmp_path / "out" / "results.jsonl").read_text())
    assert line["score"]["judge"]["verdict"] == "CORRECT"
    assert "gold answer" in line["score"]["judge"]["prompt"][0] and line["score"]["judge"]["raw"].startswith("CORRECT")
    assert "Yes: the court held" in judge.history[0][1].content


def test_serve_on_a_busy_port_says_which_and_how_to_choose_another():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"error: port {port} is already in use on 127.0.0.1 (another legalqa serve?): "
                                     f"choose another with --port {port + 1} or LEGALQA_UI__PORT={port + 1}")


def test_serve_holds_its_port_while_loading_and_announces_only_once_listening(monkeypatch, capsys):
    import errno
    import socket
    import threading

    from chatbot import server
    from legalqa.settings import Settings
    from tests.conftest import free_port

    port, servers, during_load = free_port(), [], []

    async def app(scope, receive, send):
        if scope["type"] == "http":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

    def create_app(settings):
        with socket.socket() as rival:  # someone else trying the port while the model loads
            try:
                rival.bind(("127.0.0.1", port))
            except OSError as exc:
                during_load.append(exc.errno)
        print("loaded", flush=True)
        return app

    def keep(config):
        servers.append(announcing(config))
        return servers[-1]

    announcing = server.announcing_server
    monkeypatch.setattr(server, "create_app", create_app)
    monkeypatch.setattr(server, "recover_at_start", lambda settings: [])
    monkeypatch.setattr(server, "announcing_server", keep)
    thread = threading.Thread(target=server.serve, args=(Settings(),), kwargs={"port": port}, daemon=True)
    thread.start()
    for _ in range(100):
        if servers and servers[0].started:
            break
        threading.Event().wait(0.05)
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    servers[0].should_exit = True
    thread.join(10)
    assert during_load == [errno.EADDRINUSE]
    assert capsys.readouterr().out.splitlines() == ["loaded", f"legalqa: serving on http://127.0.0.1:{port}"]


def test_settings_shows_the_values_in_effect_and_marks_the_environments(monkeypatch, tmp_path):
    monkeypatch.setenv("LEGALQA_UI__PORT", "9999")
    monkeypatch.setenv("LEGALQA_UI__AUTH", "alice:hunter2")
    lines = {line.split()[0]: line for line in run("settings").output.splitlines()}
    assert lines["LEGALQA_UI__PORT"].split() == ["LEGALQA_UI__PORT", "9999", "[environment,", "default", "7860]"]
    assert lines["LEGALQA_UI__HOST"].split() == ["LEGALQA_UI__HOST", "127.0.0.1", "[default]"]
    assert lines["LEGALQA_UI__AUTH"].split() == ["LEGALQA_UI__AUTH", "(set,", "hidden)", "[environment,", "default",
                                                 "unset]"]
    assert lines["LEGALQA_INDEX_DIR"].split() == ["LEGALQA_INDEX_DIR", str(tmp_path / "index"), "[environment,",
                                                  "default", ".legalqa/index]"]
    assert "hunter2" not in run("settings").output


def test_settings_for_the_readme_are_the_defaults_whatever_the_environment(monkeypatch, tmp_path):
    from legalqa.settings import settings_table
    from tests.conftest import ROOT

    monkeypatch.setenv("LEGALQA_UI__PORT", "9999")
    assert run("settings", "--defaults").output.strip() == settings_table()
    assert "| `LEGALQA_UI__PORT` | `7860` |" in settings_table()
    readme = tmp_path / "README.md"
    readme.write_text((ROOT / "README.md").read_text())
    run("settings", "--update-readme", readme)
    assert settings_table() in readme.read_text() and "9999" not in readme.read_text()


def test_an_invalid_setting_is_named_without_its_value(monkeypatch):
    monkeypatch.setenv("LEGALQA_UI__PORT", "not-a-port")
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 2 and "LEGALQA_UI__PORT" in result.output and "not-a-port" not in result.output


ORDER = "opinions/smith-v-acme_2024-01-02_order.txt"
FAIR_USE = "Was training the language model on the novels a fair use?"
FOLLOW_UP = "What about the pirated library copies?"


def test_cli_sources_give_case_court_date_page_and_file(small_corpus, fake_model):
    run("ingest", small_corpus)
    shown = run("ask", FAIR_USE).output
    assert f"Sources:\n[1] Smith v. Acme Robotics, Inc. (N.D. Cal. 2024-01-02), p. 2 — {ORDER}" in shown
    chat = CliRunner().invoke(cli, ["chat"], input=FAIR_USE + "\n").output
    assert f"[1] Smith v. Acme Robotics, Inc. (N.D. Cal. 2024-01-02), p. 2 — {ORDER}" in chat


def test_chat_greets_with_what_it_answers_from_and_how_to_leave(small_corpus, fake_model, tmp_path):
    run("ingest", small_corpus)
    result = CliRunner().invoke(cli, ["chat", "--kind", "statute"], input="What is fair use?\nexit\n" + FAIR_USE + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"Answers quote the 4 documents in the index ({tmp_path / 'index'}), only kind statute. "
        "Follow-up questions keep their context.\n"
        'Type "new" to start a new conversation; Ctrl-D, "exit" or "quit" to leave.\n\nquestion> '
    )
    assert result.stdout.count("question> ") == 2 and result.stdout.count("Sources:") == 1  # nothing asked after exit


def test_chat_json_prints_one_answer_a_line_as_ask_json_and_nothing_else(small_corpus, fake_model):
    from chatbot.types import Answer

    run("ingest", small_corpus)
    typed = f"{FAIR_USE}\n{FOLLOW_UP}\n\n{'x' * 2001}\nnew\n{FOLLOW_UP}\nquit\n{FAIR_USE}\n"
    result = CliRunner().invoke(cli, ["chat", "--json"], input=typed)
    assert result.exit_code == 0, result.output
    turns = [json.loads(line) for line in result.stdout.splitlines()]
    assert [t["question"] for t in turns] == [FAIR_USE, FOLLOW_UP, FOLLOW_UP]
    first, follow_up, after_new = (t["rewritten_query"] for t in turns)
    assert first is None and follow_up and after_new is None  # one conversation until "new"
    assert all(Answer.model_validate(t).model_dump() == t for t in turns)  # exactly the contract, nothing added
    assert set(turns[0]) == set(json.loads(run("ask", "--json", FAIR_USE).output))
    assert result.stderr.splitlines() == ["not asked: the question is 2,001 characters long; the limit is 2,000. "
                                          "Ask about one point at a time, or quote the key passage only.",
                                          "new conversation"]


def test_eval_keeps_its_history_out_of_the_tracked_record(small_corpus, fake_model, tmp_path, monkeypatch):
    from eval.history import RECORDED_HISTORY

    run("ingest", small_corpus)
    monkeypatch.delenv("LEGALQA_EVAL_HISTORY")
    monkeypatch.setenv("LEGALQA_DATA_DIR", str(tmp_path / "data"))
    recorded = RECORDED_HISTORY.read_bytes()
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "a", "question": FAIR_USE, "gold_sources": [ORDER]}) + "\n")
    result = run("eval", "--questions", questions, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    mine = tmp_path / "data" / "eval-history.jsonl"
    assert len(mine.read_text().splitlines()) == 1 and f"history: one line appended to {mine}" in result.stderr
    assert RECORDED_HISTORY.read_bytes() == recorded
    named = tmp_path / "named.jsonl"
    run("eval", "--questions", questions, "--out", tmp_path / "out", "--history", named)
    assert len(named.read_text().splitlines()) == 1 and len(mine.read_text().splitlines()) == 1
    assert run("eval", "--compare", "--out", tmp_path / "trend").output.strip().endswith("trend.png")
    assert run("eval", "--compare", "--history", RECORDED_HISTORY, "--out", tmp_path / "trend").exit_code == 0


def test_eval_compare_without_history_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGALQA_EVAL_HISTORY", str(tmp_path / "none.jsonl"))
    result = CliRunner().invoke(cli, ["eval", "--compare", "--out", str(tmp_path / "trend")])
    assert result.exit_code == 2
    assert f"no evaluation history at {tmp_path / 'none.jsonl'} yet" in result.output
    assert "--history eval/history.jsonl" in result.output


def test_eval_warns_when_the_gold_documents_are_not_in_the_index(small_corpus, fake_model, tmp_path, monkeypatch):
    monkeypatch.setenv("LEGALQA_DATA_DIR", str(tmp_path / "data"))  # no other index to suggest
    run("ingest", small_corpus)
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "r", "question": FAIR_USE, "gold_sources": ["court/bartz.pdf"]}) + "\n")
    result = run("eval", "--questions", questions, "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: 1 of 1 questions with gold sources have none of them in the index "
                                    f"{tmp_path / 'index'} (missing: court/bartz.pdf)")
    assert "(--index-dir)" in result.stderr
    assert json.loads((tmp_path / "out" / "report.json").read_text())["gold_not_indexed"] == 1


def test_docs_counts_one_document_in_the_singular(small_corpus, fake_model):
    run("ingest", small_corpus)
    run("remove", "news/studios.html", "statute/fair-use.md", "amicus-brief.pdf")
    assert run("docs").stderr.strip() == "1 document"

from legalqa.layout import layout_section, modules
from legalqa.settings import settings_table
from tests.conftest import ROOT


def test_readme_settings_table_is_current(monkeypatch):
    for name in ("LEGALQA_INDEX_DIR", "LEGALQA_EMBEDDING_MODEL"):
        monkeypatch.delenv(name, raising=False)
    assert settings_table() in (ROOT / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text()[:1200]
    assert "make run" in head and "make test" in head


def test_readme_layout_is_current():
    """One line per module, from its docstring: regenerate with `legalqa settings --update-readme README.md`."""
    assert layout_section() in (ROOT / "README.md").read_text()


def test_every_module_says_what_it_does():
    assert not [path for path, text in modules() if text == "(no docstring)"]

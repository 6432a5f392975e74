"""`corpus fetch` (corpus/fetch.py), with a fake opener or servers on 127.0.0.1 (no network)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import urllib.error
import urllib.request
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from corpus.catalog import OFFICIAL_DOMAINS, PUBLISHER_DOMAINS, CatalogEntry
from corpus.fetch import fetch_catalog, open_without_redirects
from tests.conftest import ROOT
from tests.pdfs import write_pdf


@pytest.fixture
def local_servers():
    """Start HTTP servers on 127.0.0.1 that record each request's path; ``routes`` maps a path
    to (status, headers, body). Attacks are replayed against them: nothing leaves the machine."""
    started = []

    def start():
        hits, routes = [], {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                status, headers, body = routes.get(self.path, (200, {"Content-Type": "text/plain"}, b"secret"))
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        host, port = server.server_address
        return SimpleNamespace(url=f"http://{host}:{port}", port=port, hits=hits, routes=routes)

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.fixture
def local_server(local_servers):
    return local_servers()


def _only(*served: tuple[str, bytes]):
    """An opener that serves these URLs as PDFs and lets urllib itself open any 127.0.0.1 address
    (so an unchecked attack really connects there); any other address fails the test unopened."""
    pages = dict(served)
    calls = []

    def opener(req, timeout):
        calls.append(req.full_url)
        if req.full_url in pages:
            return FakeResponse(pages[req.full_url], "application/pdf")
        if urlsplit(req.full_url).hostname not in (None, "127.0.0.1"):
            pytest.fail(f"the fetcher tried to reach {req.full_url}")
        return urllib.request.urlopen(req, timeout=timeout)

    opener.calls = calls
    return opener


class FakeResponse(io.BytesIO):
    def __init__(self, body: bytes, content_type: str, status: int = 200):
        super().__init__(body)
        self.status = status
        self.headers = {"Content-Type": content_type}


def _entry(tmp_path, body: bytes, **kw) -> CatalogEntry:
    fields = dict(id="doc", title="Doc", kind="order", url="https://www.govinfo.gov/doc.pdf",
                  download="https://www.govinfo.gov/doc.pdf", file="court/doc.pdf",
                  sha256=hashlib.sha256(body).hexdigest())
    fields.update(kw)
    return CatalogEntry(**fields)


def _pdf_bytes(tmp_path) -> bytes:
    return write_pdf(tmp_path / "src.pdf", ["Order. The motion is granted."]).read_bytes()


def test_fetch_verifies_and_writes_manifest(tmp_path):
    body = _pdf_bytes(tmp_path)
    entry = _entry(tmp_path, body)
    report = fetch_catalog([entry], tmp_path / "dest", opener=lambda req, timeout: FakeResponse(body, "application/pdf"))
    assert [r.status for r in report.results] == ["fetched"]
    assert (tmp_path / "dest/court/doc.pdf").read_bytes() == body
    assert 'title = "Doc"' in (tmp_path / "dest/manifest.toml").read_text()
    # A second run finds the file with the right hash and does not download it again.
    again = fetch_catalog([entry], tmp_path / "dest", opener=lambda req, timeout: pytest.fail("downloaded twice"))
    assert again.results[0].status == "present"


def test_html_error_page_is_not_saved_as_pdf(tmp_path):
    entry = _entry(tmp_path, b"", sha256=None)
    page = b"<!DOCTYPE html><html><body>Access denied</body></html>"
    report = fetch_catalog([entry], tmp_path / "dest", opener=lambda req, timeout: FakeResponse(page, "text/html"),
                           allow_unhashed=True)
    assert report.results[0].status == "failed" and "text/html" in report.results[0].reason
    assert not any((tmp_path / "dest").rglob("*.pdf*"))


def test_sha_mismatch_leaves_no_file(tmp_path):
    body = _pdf_bytes(tmp_path)
    entry = _entry(tmp_path, body, sha256="0" * 64)
    report = fetch_catalog([entry], tmp_path / "dest", opener=lambda req, timeout: FakeResponse(body, "application/pdf"))
    assert report.results[0].status == "failed" and "sha256 mismatch" in report.results[0].reason
    assert [p.name for p in (tmp_path / "dest").rglob("*")] == []


def test_network_errors_are_retried_then_reported(tmp_path):
    calls = []

    def down(req, timeout):
        calls.append(req.full_url)
        raise urllib.error.URLError("Temporary failure in name resolution")

    entry = _entry(tmp_path, b"", sha256=None)
    report = fetch_catalog([entry], tmp_path / "dest", opener=down, retries=3, backoff=0, allow_unhashed=True)
    assert len(calls) == 3
    assert report.results[0].status == "failed"
    assert "network error after 3 attempt(s) reaching www.govinfo.gov" in report.results[0].reason
    assert list((tmp_path / "dest").rglob("*")) == []


def test_mirror_matches_by_sha256_when_the_name_differs(tmp_path):
    body = _pdf_bytes(tmp_path)
    mirror = tmp_path / "mirror"
    (mirror / "elsewhere").mkdir(parents=True)
    (mirror / "elsewhere" / "renamed.pdf").write_bytes(body)
    entry = _entry(tmp_path, body)
    report = fetch_catalog([entry], tmp_path / "dest", mirror=mirror)
    assert report.results[0].status == "fetched"
    assert (tmp_path / "dest/court/doc.pdf").read_bytes() == body


def _run_fetch(*args, prefix=(), env=None):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LEGALQA_DEBUG": "", **(env or {})}
    return subprocess.run([*prefix, sys.executable, "-m", "chatbot.cli", "corpus", "fetch", *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_fetch_with_no_server_names_each_file_and_exits_nonzero(tmp_path):
    from tests.conftest import free_port

    # Every request goes through a proxy on a local port where nothing listens: connections
    # are refused, as with no network, and nothing outside this machine is ever contacted.
    proxy = f"http://127.0.0.1:{free_port()}"
    catalog = tmp_path / "catalog.toml"
    catalog.write_text("".join(
        f'[[document]]\nid = "order-{n}"\ntitle = "Order {n}"\nkind = "order"\n'
        f'url = "https://www.govinfo.gov/{n}.pdf"\ndownload = "https://www.govinfo.gov/{n}.pdf"\n'
        f'file = "court/{n}.pdf"\nsha256 = "{"0" * 64}"\n\n'
        for n in (1, 2)))
    dest = tmp_path / "dest"
    result = _run_fetch("--catalog", str(catalog), "--dest", str(dest), "--retries", "2",
                        env={"https_proxy": proxy, "HTTPS_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for n in (1, 2):
        assert f"FAILED  order-{n} (court/{n}.pdf): network error after 2 attempt(s) reaching www.govinfo.gov" in result.stderr
    assert list(dest.rglob("*")) == []  # no partial files, no empty folders, no manifest


def test_fetch_refuses_a_catalogue_that_points_at_this_machine(tmp_path, local_server):
    """Finding 1, end to end: a news entry at http://127.0.0.1 was fetched. Now the catalogue is
    refused as it loads, naming the entry, and the server listening there sees no request."""
    story = f"{local_server.url}/1.html"
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(f'[[document]]\nid = "story-1"\ntitle = "Story 1"\nkind = "news"\npublisher = "Example"\n'
                       f'url = "{story}"\ndownload = "{story}"\n')
    dest = tmp_path / "dest"
    result = _run_fetch("--catalog", str(catalog), "--dest", str(dest))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert (f"error: catalog.toml: 'story-1' (news): {story} is not an https address (scheme 'http'); "
            "only https is fetched") in result.stderr
    assert local_server.hits == []
    assert not dest.exists()


def test_fetch_without_network_namespace(tmp_path):
    """The real catalogue in a network namespace with no interfaces (`unshare -rn`), when the system allows it."""
    import shutil
    import subprocess

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode:
        pytest.skip("unshare -rn is not available here")
    dest = tmp_path / "dest"
    result = _run_fetch("--kind", "statute", "--dest", str(dest), "--retries", "1", prefix=("unshare", "-rn"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "FAILED  usc-17-107-pdf (statute/usc-2023-title17-sec107.pdf): network error" in result.stderr
    assert "skipped usc-17-uslm-xml" in result.stdout
    assert list(dest.rglob("*")) == []


def test_html_page_with_a_neutral_content_type_is_still_refused(tmp_path):
    entry = _entry(tmp_path, b"", sha256=None)
    page = b"\n  <html><head><title>Sign in</title></head></html>"
    report = fetch_catalog([entry], tmp_path / "dest",
                           opener=lambda req, timeout: FakeResponse(page, "application/octet-stream"), allow_unhashed=True)
    assert report.results[0].status == "failed" and "HTML page, not PDF" in report.results[0].reason


def test_not_found_is_reported_without_retrying(tmp_path):
    calls = []

    def missing(req, timeout):
        calls.append(1)
        raise urllib.error.HTTPError(req.full_url, 404, "Not Found", None, None)

    report = fetch_catalog([_entry(tmp_path, b"", sha256=None)], tmp_path / "dest", opener=missing, backoff=0,
                           allow_unhashed=True)
    assert len(calls) == 1 and report.results[0].reason == "HTTP 404 from https://www.govinfo.gov/doc.pdf"


def test_manifest_keeps_files_placed_by_an_earlier_run(tmp_path):
    body = _pdf_bytes(tmp_path)
    first = _entry(tmp_path, body)
    second = _entry(tmp_path, body, id="other", title="Other", file="court/other.pdf",
                    download="https://www.govinfo.gov/other.pdf")
    serve = lambda req, timeout: FakeResponse(body, "application/pdf")  # noqa: E731
    fetch_catalog([first], tmp_path / "dest", opener=serve)
    fetch_catalog([second], tmp_path / "dest", opener=serve)
    import tomllib

    manifest = tomllib.loads((tmp_path / "dest/manifest.toml").read_text())
    assert manifest["court/doc.pdf"]["title"] == "Doc" and manifest["court/other.pdf"]["title"] == "Other"


# -- the security review's findings, each replayed ---------------------------------------


def test_entries_of_every_kind_are_refused_off_the_allowed_hosts(tmp_path, local_server):
    """Finding 1: news, summary and other entries had no host check, and http://127.0.0.1 was
    fetched. Each attack fails on its own with the reason; the good entry after them is fetched."""
    body = _pdf_bytes(tmp_path)
    good = _entry(tmp_path, body)
    port = local_server.port
    attacks = [
        ("news", f"http://127.0.0.1:{port}/story.html",
         f"http://127.0.0.1:{port}/story.html is not an https address (scheme 'http'); only https is fetched"),
        ("summary", f"https://127.0.0.1:{port}/brief.pdf",
         f"https://127.0.0.1:{port}/brief.pdf names a loopback IP address (127.0.0.1), not an allowed host"),
        ("other", "https://10.1.2.3/x.pdf", "https://10.1.2.3/x.pdf names a private IP address (10.1.2.3), not an allowed host"),
        ("news", "https://169.254.169.254/latest/meta-data",
         "https://169.254.169.254/latest/meta-data names a link-local IP address (169.254.169.254), not an allowed host"),
        ("news", f"https://www.govinfo.gov@127.0.0.1:{port}/x.pdf",
         f"https://www.govinfo.gov@127.0.0.1:{port}/x.pdf carries a user name or password"),
        ("news", "https://www.govinfo.gov.attacker.example/x.pdf",
         "www.govinfo.gov.attacker.example is not an allowed host (allowed: "
         + ", ".join(OFFICIAL_DOMAINS + PUBLISHER_DOMAINS) + ")"),
    ]
    entries = [CatalogEntry(id=f"attack-{n}", title="Attack", kind=kind, publisher="Example", url=link,
                            download=link, file=f"news/attack-{n}.pdf", sha256="0" * 64)
               for n, (kind, link, _) in enumerate(attacks)]
    opener = _only((good.download, body))
    report = fetch_catalog([*entries, good], tmp_path / "dest", opener=opener)
    assert [(r.id, r.status, r.reason) for r in report.results] == [
        *((f"attack-{n}", "failed", f"refused: {reason}") for n, (_, _, reason) in enumerate(attacks)),
        ("doc", "fetched", ""),
    ]
    assert opener.calls == [good.download] and local_server.hits == []
    assert sorted(p.relative_to(tmp_path / "dest").as_posix() for p in (tmp_path / "dest").rglob("*")) == [
        "court", "court/doc.pdf", "manifest.toml"]


def test_a_file_url_is_refused_without_crashing_the_run(tmp_path):
    """Finding 4: download = "file:///etc/passwd" crashed the run with a TypeError in
    _download_once. Replayed with a local file and urllib's own opener: a per-entry failure."""
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    body = _pdf_bytes(tmp_path)
    good = _entry(tmp_path, body)
    links = [secret.as_uri(), "ftp://www.govinfo.gov/doc.pdf", "data:application/pdf;base64,JVBERi0=",
             "www.govinfo.gov/doc.pdf"]
    entries = [CatalogEntry(id=f"scheme-{n}", title="S", kind="other", url="https://www.govinfo.gov/",
                            download=link, file=f"other/{n}.pdf", sha256="0" * 64) for n, link in enumerate(links)]
    opener = _only((good.download, body))
    report = fetch_catalog([*entries, good], tmp_path / "dest", opener=opener)
    assert [(r.status, r.reason) for r in report.results] == [
        ("failed", f"refused: {secret.as_uri()} is not an https address (scheme 'file'); only https is fetched"),
        ("failed", "refused: ftp://www.govinfo.gov/doc.pdf is not an https address (scheme 'ftp'); only https is fetched"),
        ("failed", "refused: data:application/pdf;base64,JVBERi0= is not an https address (scheme 'data'); "
                   "only https is fetched"),
        ("failed", "refused: www.govinfo.gov/doc.pdf is not an https address (scheme 'none'); only https is fetched"),
        ("fetched", ""),
    ]
    assert opener.calls == [good.download]
    assert not (tmp_path / "dest" / "other").exists()


def test_files_outside_the_destination_are_refused(tmp_path):
    """Finding 2: file = "/tmp/…" or "../../…" wrote outside --dest. Each is refused before any
    download, nothing appears outside, and the good entry after them is fetched."""
    body = _pdf_bytes(tmp_path)
    good = _entry(tmp_path, body)
    dest, outside = tmp_path / "a" / "dest", tmp_path / "outside"
    outside.mkdir()
    dest.mkdir(parents=True)
    (dest / "linked").symlink_to(outside, target_is_directory=True)
    absolute = str(outside / "evil.pdf")
    attacks = {
        absolute: f"refused: the file '{absolute}' is an absolute path; it must be relative to the destination folder",
        "../../outside/evil.pdf": "refused: the file '../../outside/evil.pdf' climbs out of the destination folder with '..'",
        "court/../../../outside/evil.txt":
            "refused: the file 'court/../../../outside/evil.txt' climbs out of the destination folder with '..'",
        "linked/evil.pdf": f"refused: the file 'linked/evil.pdf' resolves to {outside.resolve() / 'evil.pdf'}, "
                           f"outside {dest} (a symbolic link?)",
    }
    entries = [_entry(tmp_path, body, id=f"escape-{n}", file=file) for n, file in enumerate(attacks)]
    from_url = _entry(tmp_path, body, id="escape-url", file=None, download="https://www.govinfo.gov/court/..")
    opener = _only((good.download, body))
    report = fetch_catalog([*entries, from_url, good], dest, opener=opener)
    assert [(r.status, r.path, r.reason) for r in report.results] == [
        *(("failed", file, reason) for file, reason in attacks.items()),
        ("failed", "court/..", "refused: https://www.govinfo.gov/court/.. ends in no file name; give the entry a file"),
        ("fetched", "court/doc.pdf", ""),
    ]
    assert opener.calls == [good.download]
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "outside", "src.pdf"]


def test_a_mirror_is_not_read_outside_itself(tmp_path):
    """Finding 2 with --from: an absolute file used to be looked up as mirror / file, i.e. anywhere."""
    secret = tmp_path / "secret.txt"
    secret.write_text("not part of the corpus")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    entry = _entry(tmp_path, b"", sha256=None, download=None, file=str(secret))
    report = fetch_catalog([entry], tmp_path / "dest", mirror=mirror)
    assert [(r.status, r.reason) for r in report.results] == [
        ("failed", f"refused: the file '{secret}' is an absolute path; it must be relative to the destination folder")]
    assert secret.read_text() == "not part of the corpus"
    assert list((tmp_path / "dest").iterdir()) == []


class Redirect(FakeResponse):
    def __init__(self, location: str, status: int = 302):
        super().__init__(b"", "text/html", status)
        self.headers = {"Location": location, "Content-Type": "text/html"}


def test_redirects_are_checked_hop_by_hop(tmp_path):
    """Finding 3: redirects were followed to any host. Each hop is now checked like the first
    address, the refused address is never requested, and a redirect between allowed hosts
    is still followed."""
    body = _pdf_bytes(tmp_path)
    gov = "https://www.govinfo.gov"

    def urllib_style(location):  # what open_without_redirects raises for a 3xx
        def answer():
            raise urllib.error.HTTPError(f"{gov}/d.pdf", 302, "Found", {"Location": location}, None)
        return answer

    answers = {
        f"{gov}/a.pdf": lambda: Redirect("https://attacker.example/a.pdf"),
        f"{gov}/b.pdf": lambda: Redirect("http://www.govinfo.gov/b.pdf", 301),
        f"{gov}/c.pdf": lambda: Redirect("//127.0.0.1/c.pdf", 307),
        f"{gov}/d.pdf": urllib_style("file:///etc/passwd"),
        f"{gov}/e.pdf": lambda: Redirect("/content/e.pdf"),
        f"{gov}/content/e.pdf": lambda: Redirect("https://govinfo.gov/content/e.pdf", 308),
        "https://govinfo.gov/content/e.pdf": lambda: FakeResponse(body, "application/pdf"),
        f"{gov}/loop.pdf": lambda: Redirect(f"{gov}/loop.pdf"),
    }
    calls = []

    def opener(req, timeout):
        calls.append(req.full_url)
        if req.full_url not in answers:
            pytest.fail(f"the fetcher tried to reach {req.full_url}")
        return answers[req.full_url]()

    names = ["a", "b", "c", "d", "e", "loop"]
    entries = [_entry(tmp_path, body, id=name, download=f"{gov}/{name}.pdf", file=f"court/{name}.pdf") for name in names]
    report = fetch_catalog(entries, tmp_path / "dest", opener=opener)
    allowed = ", ".join(OFFICIAL_DOMAINS)
    assert [(r.id, r.status, r.reason) for r in report.results] == [
        ("a", "failed", f"refused the redirect from {gov}/a.pdf to https://attacker.example/a.pdf: "
                        f"attacker.example is not an allowed host (allowed: {allowed})"),
        ("b", "failed", f"refused the redirect from {gov}/b.pdf to http://www.govinfo.gov/b.pdf: "
                        "http://www.govinfo.gov/b.pdf is not an https address (scheme 'http'); only https is fetched"),
        ("c", "failed", f"refused the redirect from {gov}/c.pdf to https://127.0.0.1/c.pdf: "
                        "https://127.0.0.1/c.pdf names a loopback IP address (127.0.0.1), not an allowed host"),
        ("d", "failed", f"refused the redirect from {gov}/d.pdf to file:///etc/passwd: "
                        "file:///etc/passwd is not an https address (scheme 'file'); only https is fetched"),
        ("e", "fetched", ""),
        ("loop", "failed", f"more than 5 redirects from {gov}/loop.pdf"),
    ]
    assert calls == [f"{gov}/a.pdf", f"{gov}/b.pdf", f"{gov}/c.pdf", f"{gov}/d.pdf",
                     f"{gov}/e.pdf", f"{gov}/content/e.pdf", "https://govinfo.gov/content/e.pdf", *[f"{gov}/loop.pdf"] * 6]
    assert (tmp_path / "dest/court/e.pdf").read_bytes() == body
    assert sorted(p.name for p in (tmp_path / "dest/court").iterdir()) == ["e.pdf"]


def test_the_default_opener_hands_redirects_back_unfollowed(tmp_path, local_servers):
    """Finding 3 against live servers: the first redirects to the second. urllib's urlopen
    follows that (the control at the end); the fetcher's opener hands it back, the hop is
    refused, and the second server never sees a request from the fetch."""
    first, second = local_servers(), local_servers()
    first.routes["/doc.pdf"] = (302, {"Location": f"{second.url}/secret"}, b"")
    entry = _entry(tmp_path, b"", sha256="0" * 64)

    def via_first(req, timeout):  # the catalogue's address, served by the first local server
        if req.full_url != entry.download:
            pytest.fail(f"the fetcher tried to reach {req.full_url}")
        local = urllib.request.Request(f"{first.url}/doc.pdf", headers=dict(req.header_items()))
        return open_without_redirects(local, timeout=timeout)

    report = fetch_catalog([entry], tmp_path / "dest", opener=via_first)
    assert [(r.status, r.reason) for r in report.results] == [
        ("failed", f"refused the redirect from {entry.download} to {second.url}/secret: "
                   f"{second.url}/secret is not an https address (scheme 'http'); only https is fetched")]
    assert first.hits == ["/doc.pdf"] and second.hits == []
    assert list((tmp_path / "dest").iterdir()) == []
    with urllib.request.urlopen(f"{first.url}/doc.pdf", timeout=5) as followed:
        assert followed.read() == b"secret"
    assert second.hits == ["/secret"]


def test_a_download_without_a_sha256_is_refused_unless_allowed(tmp_path):
    """Finding 5: 9 of the catalogue's 14 downloads have no sha256, so nothing showed that what
    arrived was the document. They are refused, before any connection, unless allowed; allowed,
    each is kept and reported as unchecked."""
    body = _pdf_bytes(tmp_path)
    good = _entry(tmp_path, body)
    unhashed = _entry(tmp_path, body, id="unhashed", sha256=None, file="court/unhashed.pdf",
                      download="https://www.govinfo.gov/unhashed.pdf")
    # The hash is of the mirror's text copy; the download is the court's PDF, which it cannot check.
    other_format = _entry(tmp_path, body, id="text-copy", file="court/text-copy.txt",
                          download="https://www.govinfo.gov/text-copy.pdf")
    pages = [(e.download, body) for e in (good, unhashed, other_format)]
    opener = _only(*pages)
    report = fetch_catalog([unhashed, other_format, good], tmp_path / "dest", opener=opener)
    assert [(r.id, r.status, r.path, r.reason) for r in report.results] == [
        ("unhashed", "failed", "court/unhashed.pdf", "refused: the catalogue has no sha256 of this PDF to check "
                                                     "the download against (--allow-unhashed downloads it unchecked)"),
        ("text-copy", "failed", "court/text-copy.pdf", "refused: the catalogue has no sha256 of this PDF to check "
                                                       "the download against (--allow-unhashed downloads it unchecked)"),
        ("doc", "fetched", "court/doc.pdf", ""),
    ]
    assert opener.calls == [good.download]

    opener = _only(*pages)
    allowed = fetch_catalog([unhashed, other_format], tmp_path / "dest", opener=opener, allow_unhashed=True)
    assert [(r.id, r.status, r.reason) for r in allowed.results] == [
        ("unhashed", "fetched", "unchecked: the catalogue has no sha256 of this PDF"),
        ("text-copy", "fetched", "unchecked: the catalogue has no sha256 of this PDF"),
    ]
    assert opener.calls == [unhashed.download, other_format.download]


def test_a_mirror_copy_without_a_sha256_is_kept_and_reported_unchecked(tmp_path):
    """Finding 5 with --from: the mirror is the user's own files, matched by name as the README
    documents, so an unhashed entry found there is kept without a flag, and said to be unchecked."""
    body = _pdf_bytes(tmp_path)
    mirror = tmp_path / "mirror"
    (mirror / "copyright-office").mkdir(parents=True)
    (mirror / "copyright-office" / "zarya.pdf").write_bytes(body)
    entry = _entry(tmp_path, body, id="zarya", kind="agency_report", sha256=None, file="copyright-office/zarya.pdf")
    report = fetch_catalog([entry], tmp_path / "dest", mirror=mirror)
    assert [(r.status, r.reason) for r in report.results] == [
        ("fetched", "unchecked: the catalogue has no sha256 of this PDF")]
    assert (tmp_path / "dest/copyright-office/zarya.pdf").read_bytes() == body


def test_fetch_refuses_unhashed_downloads_until_the_flag_allows_them(tmp_path):
    """Finding 5 from the command line: each unhashed entry fails by name, nothing is contacted;
    with --allow-unhashed the same entries are tried (here through a dead local proxy)."""
    from tests.conftest import free_port

    proxy = f"http://127.0.0.1:{free_port()}"  # nothing listens: no request can leave the machine
    catalog = tmp_path / "catalog.toml"
    catalog.write_text("".join(
        f'[[document]]\nid = "report-{n}"\ntitle = "Report {n}"\nkind = "agency_report"\n'
        f'url = "https://www.copyright.gov/{n}.pdf"\ndownload = "https://www.copyright.gov/{n}.pdf"\n'
        f'file = "copyright-office/{n}.pdf"\n\n'
        for n in (1, 2)))
    dest = tmp_path / "dest"
    env = {"https_proxy": proxy, "HTTPS_PROXY": proxy, "no_proxy": "", "NO_PROXY": ""}
    refused = _run_fetch("--catalog", str(catalog), "--dest", str(dest), "--retries", "1", env=env)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr + refused.stdout
    for n in (1, 2):
        assert (f"FAILED  report-{n} (copyright-office/{n}.pdf): refused: the catalogue has no sha256 of this PDF "
                "to check the download against (--allow-unhashed downloads it unchecked)") in refused.stderr
    assert "network error" not in refused.stderr
    assert list(dest.rglob("*")) == []

    tried = _run_fetch("--catalog", str(catalog), "--dest", str(dest), "--retries", "1", "--allow-unhashed", env=env)
    assert tried.returncode == 1
    for n in (1, 2):
        assert (f"FAILED  report-{n} (copyright-office/{n}.pdf): network error after 1 attempt(s) "
                "reaching www.copyright.gov") in tried.stderr
    assert list(dest.rglob("*")) == []

"""Generate a folder of broken and hostile files beside a few good ones."""

from __future__ import annotations

import io
import os
from pathlib import Path

from tests.pdfs import write_flate_bomb, write_pdf

GOOD = {
    "good/fair-use-note.md": "# Fair use note\n\nThe fourth factor looks at the effect of the use on the market for the work.\n",
    "good/order.txt": "The court held that the scanning of purchased print books was a fair use of those books.\n",
}

# file name -> the reason ingest must give (a substring of it)
EXPECTED = {
    "bad/encrypted.pdf": "encrypted",
    "bad/corrupt.pdf": "not a readable PDF",
    "bad/zero.pdf": "the file is empty",
    "bad/truncated.pdf": "not a readable PDF",
    "bad/scanned.pdf": "no text layer",
    "bad/binary-named.pdf": "not a readable PDF",
    "bad/binary-named.txt": "binary content",
    "bad/latin1.txt": "not valid UTF-8",  # indexed, with a warning
    "bad/scripts-only.html": "no text could be extracted",
    "bad/too-big.txt": "over the",
    "bad/loop": "symlink loop",
    "bad/dangling.txt": "broken symlink",
    "bad/bad-meta.txt": "bad metadata",
    "bad/invalid-utf8.txt": "not valid UTF-8",  # indexed, with a warning
}
WARNED = {"bad/latin1.txt", "bad/invalid-utf8.txt"}

# Awkward but readable: indexed under their odd names, scripts dropped.
ODD_NAMES = {
    "bad/name\nwith-newline.txt": "The newline in this file name must not break the ingest report.\n",
    "bad/docs\\..\\..\\escape-attempt.txt": "A file whose name tries to climb out of its folder.\n",
    "bad/scripts-and-text.html": "<html><head><script>alert('pwned')</script></head>"
    "<body><p>The licensing market for news articles is real.</p><script>steal()</script></body></html>",
}
INDEXED = set(GOOD) | WARNED | set(ODD_NAMES)

# Written only with heavy=True: they cost seconds and megabytes.
EXPECTED_HEAVY = {"heavy/bomb.pdf": "decompression bomb"}
INDEXED_HEAVY = {"heavy/2000-pages.pdf", "heavy/one-line-10mb.txt"}


def write_hostile_folder(root: Path, *, big_bytes: int = 300_000, heavy: bool = False) -> Path:
    for name, text in GOOD.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    bad = root / "bad"
    bad.mkdir(parents=True, exist_ok=True)

    good_pdf = write_pdf(bad / "tmp.pdf", ["A page about the market for licensing.", "A second page."])
    data = good_pdf.read_bytes()
    good_pdf.unlink()

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    (bad / "encrypted.pdf").write_bytes(out.getvalue())

    (bad / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    (bad / "zero.pdf").write_bytes(b"")
    (bad / "truncated.pdf").write_bytes(data[: len(data) // 2])
    write_pdf(bad / "scanned.pdf", ["", ""])
    (bad / "binary-named.pdf").write_bytes(os.urandom(4096))
    (bad / "binary-named.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + os.urandom(2048))
    (bad / "latin1.txt").write_bytes("Les droits d’auteur — l’œuvre protégée, § 107.".encode("cp1252"))
    (bad / "scripts-only.html").write_text(
        "<html><head><script>alert(1)</script></head><body><script>document.write('x')</script>"
        "<style>body{}</style></body></html>"
    )
    (bad / "too-big.txt").write_text("word " * (big_bytes // 5 + 1))
    (bad / "loop").symlink_to(bad, target_is_directory=True)
    (bad / "dangling.txt").symlink_to(bad / "does-not-exist.txt")
    (bad / "bad-meta.txt").write_text("A perfectly readable text file.")
    (bad / "bad-meta.txt.meta.toml").write_text("kind = 'not-a-kind'\n")
    (bad / "invalid-utf8.txt").write_bytes(b"The \x81\xff court \xc3\x28 held the use was fair.\xed\xa0\x80\n")
    for name, text in ODD_NAMES.items():
        (root / name).write_text(text)
    if heavy:
        write_heavy_files(root / "heavy")
    return root


def write_heavy_files(folder: Path) -> None:
    """A decompression bomb (1 GB from 3 MB), a 2,000-page PDF and 10 MB of text on one line."""
    folder.mkdir(parents=True, exist_ok=True)
    write_flate_bomb(folder / "bomb.pdf", 1_000_000_000)
    write_pdf(folder / "2000-pages.pdf", [f"Page {n} of the exhibit lists licensing deal number {n}." for n in range(1, 2001)])
    sentence = ("the court found that copying the works to train the model was transformative and fair " * 3).strip()
    line = (sentence + ". ") * (10_000_000 // (len(sentence) + 2) + 1)
    (folder / "one-line-10mb.txt").write_text(line[:10_000_000])

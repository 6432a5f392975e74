"""Build the sample corpus's PDFs from their Markdown sources: corpus/src/*.md -> corpus/sample/*.pdf.

    python corpus/make_pdfs.py            # rewrite the PDFs
    python corpus/make_pdfs.py --check    # exit 1 if a committed PDF differs from its source

No dependency: a small PDF 1.4 writer with a text layer in Helvetica (WinAnsiEncoding), so pypdf
and every other reader extract the text. A line `<!-- page -->` starts a new page; long pages
also break by themselves. Headings get a full stop, since a PDF keeps no heading marks
and a sentence splitter would otherwise join them to the next sentence. The output is byte-for-byte reproducible (no dates, no ids).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
OUT = HERE / "sample"
PAGE_BREAK = "<!-- page -->"
WIDTH = 92  # characters per line at 10 pt Helvetica on a Letter page with 50 pt margins
LINES_PER_PAGE = 50
_FALLBACK = {"\u2011": "-", "\u2212": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "}


def markdown_lines(text: str) -> list[str | None]:
    """Plain text lines of a Markdown page; None marks a forced page break."""
    out: list[str | None] = []
    for raw in text.splitlines():
        if raw.strip() == PAGE_BREAK:
            out.append(None)
            continue
        line = re.sub(r"^#{1,6}\s*", "", raw)  # headings stay on their own line, without the marks
        if line != raw and not line.rstrip().endswith((".", "?", "!", ":")):
            line = line.rstrip() + "."  # so that a sentence splitter does not run the heading into the text
        line = line.replace("**", "").replace("`", "")
        line = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", line)  # *italics*
        indent = "   " if line.startswith(("- ", "* ")) else ""
        if not line.strip():
            out.append("")
            continue
        out.extend(textwrap.wrap(line, WIDTH, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) or [""])
    return out


def paginate(lines: list[str | None]) -> list[list[str]]:
    pages: list[list[str]] = [[]]
    for line in lines:
        if line is None or len(pages[-1]) >= LINES_PER_PAGE:
            pages.append([])
            if line is None:
                continue
        if line == "" and not pages[-1]:
            continue  # no blank line at the top of a page
        pages[-1].append(line)
    return [p for p in pages if any(p)]


def _encode(line: str) -> bytes:
    line = "".join(_FALLBACK.get(ch, ch) for ch in line)
    data = line.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A Letter-size PDF with one text line per string, each page's lines as given."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, lines in enumerate(pages):
        ops = [b"BT", b"/F1 10 Tf", b"14 TL", b"50 742 Td"]
        ops += [b"(" + _encode(line) + b") Tj T*" for line in lines]
        ops.append(b"ET")
        stream = b"\n".join(ops)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return assemble_pdf(objects)


def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of numbered ``objects`` (the first is the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def build(source: Path) -> bytes:
    return pdf_bytes(paginate(markdown_lines(source.read_text(encoding="utf-8"))))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sorted(SOURCES.glob("*.md")):
        target = OUT / (source.stem + ".pdf")
        data = build(source)
        if check:
            if not target.is_file() or target.read_bytes() != data:
                stale.append(target.name)
        else:
            target.write_bytes(data)
            print(f"{target.relative_to(HERE.parent)}: {len(paginate(markdown_lines(source.read_text())))} pages")
    if stale:
        print("out of date (run python corpus/make_pdfs.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

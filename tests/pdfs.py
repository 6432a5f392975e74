"""Write small, valid PDFs with a text layer, one string per page, with corpus/make_pdfs.py's writer."""

from __future__ import annotations

from pathlib import Path

from corpus.make_pdfs import assemble_pdf, pdf_bytes


def write_pdf(path: Path, pages: list[str]) -> Path:
    """One page per string, cut into lines of 80 characters."""
    path.write_bytes(pdf_bytes([[text[j : j + 80] for j in range(0, len(text), 80)] or [""] for text in pages]))
    return path


def write_flate_bomb(path: Path, expanded_bytes: int) -> Path:
    """A one-page PDF whose content stream is a small zlib stream that inflates to ``expanded_bytes``."""
    import zlib

    op = b"BT /F1 10 Tf 50 780 Td (bomb) Tj ET\n" * 1000
    packer = zlib.compressobj(9)
    stream = b"".join(packer.compress(op) for _ in range(expanded_bytes // len(op))) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    path.write_bytes(assemble_pdf(objects))
    return path

"""PDF, page by page, with pypdf: the page numbers are the PDF's own."""

from __future__ import annotations

from ingest.formats.base import Extracted, IngestError
from ingest.types import Page, normalize_whitespace


class PdfLoader:
    suffixes = frozenset({".pdf"})

    def read(self, data: bytes, source: str) -> Extracted:
        pages = _read_pdf(data, source)
        if not any(p.text for p in pages):
            raise IngestError(source, "no text layer (a scanned PDF needs OCR first)")
        return Extracted(pages=pages)


def _read_pdf(data: bytes, source: str) -> list[Page]:
    import io
    import logging

    # pypdf logs every font it cannot fully decode; the text is still usable.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise IngestError(source, "the PDF is encrypted with a password")
            except IngestError:
                raise
            except Exception:
                raise IngestError(source, "the PDF is encrypted and cannot be opened") from None
        pages = []
        for i, page in enumerate(reader.pages, start=1):
            pages.append(Page(number=i, text=normalize_whitespace(page.extract_text() or "")))
        return pages
    except IngestError:
        raise
    except LimitReachedError:
        # pypdf stops inflating a stream at 75 MB: a few MB of zlib that claims gigabytes.
        raise IngestError(source, "a compressed stream expands past the safety limit (a decompression bomb?)") from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise IngestError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # pypdf raises many types on damaged files
        raise IngestError(source, f"not a readable PDF ({type(exc).__name__}: {exc})") from None

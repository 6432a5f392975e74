"""A four-document corpus with hand-checked answers, written in tmp_path by the unit tests."""

from __future__ import annotations

from pathlib import Path

from tests.pdfs import write_pdf

STAMP = "Case 3:24-cv-01234-ABC Document 88 Filed 01/02/24 Page {n} of 3"

ORDER_PAGES = [
    "UNITED STATES DISTRICT COURT NORTHERN DISTRICT OF CALIFORNIA JANE SMITH, et al., Plaintiffs, "
    "v. ACME ROBOTICS, INC., Defendant. Case No. 24-cv-01234-ABC ORDER GRANTING SUMMARY JUDGMENT "
    "INTRODUCTION The plaintiffs are novelists whose books were copied. "
    "Acme copied the novels to teach its language model how sentences are built.",
    "The court holds that copying the novels to train the language model was a fair use. "
    "The training purpose was transformative because the model learns statistical patterns of language. "
    "The plaintiffs offered no evidence of a market for licensing novels as training data.",
    "The pirated library copies are a separate matter and go to trial. "
    "See Campbell v. Acuff-Rose Music, Inc., 510 U.S. 569, 579 (1994); 17 U.S.C. § 107. "
    "IT IS SO ORDERED. Dated: January 2, 2024 MARIA LOPEZ United States District Judge",
]


def order_text() -> str:
    return "\n".join(f"{body}\n{STAMP.format(n=n)}\n{n + 1}" for n, body in enumerate(ORDER_PAGES, start=1))


STATUTE_MD = """# Fair use digest

## The four factors

Section 107 of Title 17 lists four factors that courts weigh in deciding fair use.
The first factor is the purpose and character of the use, including whether it is commercial.
The second factor is the nature of the copyrighted work.
The third factor is the amount and substantiality of the portion used.
The fourth factor is the effect of the use upon the potential market for the work.
"""

NEWS_HTML = """<html><head><title>Studios object to video model</title>
<script>window.__pwned = 1; document.write("injected words");</script><style>p {color: red}</style></head>
<body><h1>Studios object</h1><p>A coalition of film studios accused the video model maker of copying their characters.</p>
<p>The studios sent a cease-and-desist letter demanding that the company stop generating the characters.</p></body></html>
"""

BRIEF_PAGES = [
    "Brief of amici curiae. The question presented is whether a machine can be an author.",
    "Human authorship is a bedrock requirement of copyright registration, the Copyright Office argued.",
]


def write_corpus(root: Path) -> Path:
    (root / "opinions").mkdir(parents=True)
    (root / "statute").mkdir()
    (root / "news").mkdir()
    (root / "opinions" / "smith-v-acme_2024-01-02_order.txt").write_text(order_text(), encoding="utf-8")
    (root / "statute" / "fair-use.md").write_text(STATUTE_MD, encoding="utf-8")
    (root / "news" / "studios.html").write_text(NEWS_HTML, encoding="utf-8")
    write_pdf(root / "amicus-brief.pdf", BRIEF_PAGES)
    (root / "manifest.toml").write_text(
        '["statute/fair-use.md"]\nkind = "statute"\ntitle = "17 U.S.C. § 107 digest"\n'
        '["amicus-brief.pdf"]\nkind = "brief"\n'
    )
    return root

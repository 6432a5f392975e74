from ingest.chunking import chunk_document
from ingest.types import LoadedDocument, Page, SourceDocument


def words(texts):
    return [len(t.split()) for t in texts]


def doc(*pages):
    return LoadedDocument(
        document=SourceDocument(source="d.txt", title="D", sha256="ab" * 32, n_pages=len(pages), paged=True),
        pages=[Page(number=i, text=t) for i, t in enumerate(pages, start=1)],
    )


SENTENCES = " ".join(f"Sentence number {i} talks about 17 U.S.C. § 107 here." for i in range(30))


def test_chunks_are_exact_slices_within_budget_and_pages():
    loaded = doc(SENTENCES, "A short second page.")
    chunks = chunk_document(loaded, words, max_tokens=40, overlap_tokens=10)
    for c in chunks:
        page = loaded.pages[c.page - 1].text
        assert page[c.start : c.end] == c.text
        assert len(c.text.split()) <= 40
    assert chunks[-1].page == 2 and chunks[-1].text == "A short second page."
    # Each chunk ends at a sentence end: "U.S.C." inside a sentence is not a boundary.
    assert all(c.text.endswith(".") for c in chunks)
    assert not any(c.text.endswith("U.S.C.") for c in chunks)


def test_overlap_repeats_the_last_sentence_and_moves_forward():
    chunks = chunk_document(doc(SENTENCES), words, max_tokens=40, overlap_tokens=10)
    first, second = chunks[0], chunks[1]
    assert second.start < first.end  # overlap
    assert second.start > first.start  # progress
    assert first.text.split(". ")[-1] in second.text


def test_a_sentence_longer_than_a_chunk_is_cut_at_words():
    long_sentence = " ".join(["word"] * 100) + "."
    chunks = chunk_document(doc(long_sentence), words, max_tokens=30, overlap_tokens=0)
    assert len(chunks) >= 4
    assert all(len(c.text.split()) <= 30 for c in chunks)
    assert " ".join(c.text for c in chunks) == long_sentence


def test_chunk_ids_are_stable_and_distinct():
    a = chunk_document(doc(SENTENCES), words, max_tokens=40, overlap_tokens=10)
    b = chunk_document(doc(SENTENCES), words, max_tokens=40, overlap_tokens=10)
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)

"""eval/legalbench.py: chunks mapped back to their character spans, and upstream's scores."""

from eval.legalbench import char_scores, raw_span


def test_legalbench_span_mapping_and_scores():
    raw = "Title\n\nSection 1.  The term of this\nAgreement is five (5) years.\n\nSection 2. Governing law: Delaware."
    chunk = "Section 1. The term of this Agreement is five (5) years."
    start, end = raw_span(raw, chunk)
    assert raw[start:end] == "Section 1.  The term of this\nAgreement is five (5) years."
    assert raw_span(raw, "nothing like this") is None
    gold = [{"file_path": "a.txt", "span": [10, 20]}]
    assert char_scores(gold, [{"file_path": "a.txt", "span": [15, 25]}]) == (0.5, 0.5)
    assert char_scores(gold, [{"file_path": "b.txt", "span": [10, 20]}]) == (0.0, 0.0)

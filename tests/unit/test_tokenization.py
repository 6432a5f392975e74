from ingest.tokenization import tokenize


def test_section_symbol_and_usc_survive():
    assert tokenize("17 U.S.C. § 107") == ["17", "u.s.c.", "§", "107"]


def test_docket_numbers_stay_whole_and_yield_their_core():
    tokens = tokenize("Case 3:23-cv-03417-VC Document 598")
    assert "3:23-cv-03417-vc" in tokens
    assert "23-cv-03417" in tokens
    assert tokenize("No. 23-cv-03417") == ["no", "23-cv-03417"]


def test_stopwords_and_possessives():
    assert tokenize("What did the Court's order say?") == ["court", "order", "say"]


def test_words_are_stemmed_so_inflections_match():
    assert tokenize("accused") == tokenize("accuses") == tokenize("accuse")
    assert tokenize("training trained") == ["train", "train"]
    assert "the" in tokenize("the court", keep_stopwords=True)


def test_accents_are_folded_so_a_name_typed_without_them_matches():
    assert tokenize("ARACELI MARTÍNEZ-OLGUÍN") == tokenize("Araceli Martinez-Olguin") == ["arac", "martinez", "olguin"]
    assert tokenize("scènes à faire") == tokenize("scenes a faire")
    assert tokenize("§ 107") == ["§", "107"]  # what is not an accent stays


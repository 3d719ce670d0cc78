from relevance.query_rewrite import normalise, strip_stopwords, rewrite


def test_normalise_lowercases_and_collapses_spaces():
    assert normalise("  Red   SOFA ") == "red sofa"


def test_strip_stopwords_keeps_all_stopword_query():
    assert strip_stopwords("The A") == "the a"


def test_rewrite_shape():
    body = rewrite("a blue hoodie")
    assert body["multi_match"]["query"] == "blue hoodie"

"""Search ranking."""


def score(doc, query):
    return doc.count(query)

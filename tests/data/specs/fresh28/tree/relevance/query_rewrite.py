"""Light query normalisation before the query hits Elasticsearch."""
import re

STOPWORDS = {"the", "a", "an", "for", "with"}


def normalise(query: str) -> str:
    q = query.lower().strip()
    q = re.sub(r"[^\w\s\-]", " ", q)
    q = re.sub(r"\s+", " ", q)
    return q


def strip_stopwords(query: str) -> str:
    tokens = [t for t in normalise(query).split() if t not in STOPWORDS]
    return " ".join(tokens) if tokens else normalise(query)


def rewrite(query: str) -> dict:
    q = strip_stopwords(query)
    return {"multi_match": {"query": q, "fields": ["title^3", "brand^2", "description"]}}

from campaigns.utm_builder import build_utm


def test_basic():
    url = build_utm("https://acme.example/spring", "Google", "CPC", "spring26")
    assert url == "https://acme.example/spring?utm_source=google&utm_medium=cpc&utm_campaign=spring26"


def test_existing_query_kept():
    url = build_utm("https://acme.example/spring?ref=nav", "meta", "paid_social", "spring26")
    assert url.startswith("https://acme.example/spring?ref=nav&utm_source=meta")

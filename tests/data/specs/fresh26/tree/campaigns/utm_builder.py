"""Build UTM-tagged URLs for client campaign links."""
from urllib.parse import urlencode, urlparse, urlunparse


def build_utm(url: str, source: str, medium: str, campaign: str, content: str | None = None) -> str:
    params = {
        "utm_source": source.lower(),
        "utm_medium": medium.lower(),
        "utm_campaign": campaign,
    }
    if content:
        params["utm_content"] = content
    parts = urlparse(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunparse(parts._replace(query=query))

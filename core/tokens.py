"""How many tokens a prompt will be, estimated before it is sent, so a spec with its input files that cannot fit a
model's context is refused with the numbers instead of failing at the server.

No tokenizer library: tiktoken fetches its encodings from the internet on first use, Hugging Face `tokenizers`
needs each model's tokenizer.json from the hub, and an offline binding of OpenAI's encodings (bpe-openai, 0.1.x)
covers OpenAI's models only, while most endpoints dispatch talks to (Ollama, vLLM, OpenRouter, the built-in Qwen)
tokenize otherwise. A refusal needs a safe upper bound, not an exact count, so this divides the UTF-8 bytes by a
rate per model family: the fewest bytes per token measured on ordinary text with that family's own tokenizer
(Qwen2.5 through llama-server's /tokenize, cl100k_base and o200k_base through bpe-openai, on this repo's Python,
its README, TOML and Markdown, a run record's JSON, German and Japanese prose):

    bytes per token     Python  README  TOML+MD  JSON  German  Japanese  base64-ish
    Qwen2.5              4.13    3.78    3.61    2.50   3.79    4.31      1.54
    cl100k_base          4.15    3.87    3.66    2.92   3.79    2.94      1.61
    o200k_base           4.13    3.86    3.66    2.95   4.81    4.18      1.61

Bytes, not characters: Japanese runs 1.0 to 1.4 characters a token but 2.9 to 4.3 bytes. The family matters
little next to the content (code 4.1, JSON 2.5 to 2.9), so the rate is each family's JSON figure, rounded down,
and any other family gets the lowest. Dense data with no words (base64, minified blobs, 1.5 to 1.6) is the one
case under-estimated; there the server's own context error still stops the run, with the same advice.
"""

from __future__ import annotations

import re

from core.config import ModelConfig

BYTES_PER_TOKEN = {"openai": 2.9}
"""Per model family whose rate is above the default, from the table above."""
DEFAULT_BYTES_PER_TOKEN = 2.5
"""Qwen2.5's rate (the built-in local model), the lowest measured, and so the one for every family not measured
(Llama, Mistral, Claude or Gemini through a compatible endpoint, ...): the estimate errs towards refusing early."""
_OPENAI = re.compile(r"^(?:openai/)?(?:gpt-|chatgpt|o[1-9](?:\b|-))", re.IGNORECASE)


def family(model: ModelConfig | None) -> str:
    """The tokenizer family a model's name says it has: openai (GPT and o-series names), else other."""
    return "openai" if model is not None and _OPENAI.match(model.provider_model) else "other"


def estimate(text: str, model: ModelConfig | None = None) -> int:
    """Tokens `text` is likely to be for `model` (its family's rate; the most cautious one without a model),
    rounded up."""
    tenths = round(BYTES_PER_TOKEN.get(family(model), DEFAULT_BYTES_PER_TOKEN) * 10)  # whole numbers: 29 / 2.9 is 10
    return -(-len(text.encode("utf-8")) * 10 // tenths)

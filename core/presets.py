"""Starter configurations for the endpoints people already run, used by `dispatch config init`."""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "ollama": {
        "models": {
            "ollama": {"backend": "openai", "base_url": "http://127.0.0.1:11434/v1", "model": "qwen2.5-coder:7b"}
        }
    },
    "llamacpp": {
        "models": {"llamacpp": {"backend": "openai", "base_url": "http://127.0.0.1:8080/v1", "model": "default"}}
    },
    "vllm": {
        "models": {
            "vllm": {
                "backend": "openai",
                "base_url": "http://127.0.0.1:8000/v1",
                "api_key_env": "VLLM_API_KEY",
                "model": "Qwen/Qwen2.5-Coder-7B-Instruct",
            }
        }
    },
    "openrouter": {
        "models": {
            "qwen-coder": {
                "backend": "openai",
                "base_url": "https://openrouter.ai/api/v1",
                "api_key_env": "OPENROUTER_API_KEY",
                "model": "qwen/qwen-2.5-coder-32b-instruct",
                "price_in": 0.07,
                "price_out": 0.16,
            },
            "llama-general": {
                "backend": "openai",
                "base_url": "https://openrouter.ai/api/v1",
                "api_key_env": "OPENROUTER_API_KEY",
                "model": "meta-llama/llama-3.3-70b-instruct",
                "price_in": 0.13,
                "price_out": 0.4,
            },
        }
    },
    "openai": {
        "models": {
            "gpt-mini": {
                "backend": "openai",
                "base_url": "https://api.openai.com/v1",
                "api_key_env": "OPENAI_API_KEY",
                "model": "gpt-4o-mini",
                "price_in": 0.15,
                "price_out": 0.6,
            }
        }
    },
    "claude-code": {"models": {"claude-code": {"backend": "claude-code"}}},
    "codex": {"models": {"codex": {"backend": "codex"}}},
    "gemini": {"models": {"gemini": {"backend": "gemini"}}},
}
"""The agent presets find their CLI on PATH and report cost themselves (Claude) or not at all until price_in /
price_out are set (Codex, Gemini)."""


def preset_config(name: str) -> dict[str, Any]:
    """The preset's models, with every built-in tier routed to them in order."""
    models = PRESETS[name]["models"]
    names = list(models)
    coding = [n for n in names if "coder" in n or "coder" in str(models[n].get("model", ""))] or names
    tiers = {
        "agentic": {"models": coding, "task_types": ["agentic-coding"], "description": "agentic / terminal coding"},
        "coding": {"models": coding, "task_types": ["bulk-coding"], "description": "bulk or high-volume coding"},
        "general": {"models": names, "task_types": ["general"], "description": "drafts, classification, pre-screening"},
    }
    return {"models": models, "tiers": tiers}

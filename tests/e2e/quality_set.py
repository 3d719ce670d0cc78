"""A small labelled set of the cheapest tier's work, each item a spec as a user would write it plus a check.

Five kinds, four items each: one-word answers, arithmetic, classification into given labels, extraction to JSON,
and a tiny function that is checked by running it. The checks accept what a person would accept (case, a
trailing full stop, a code fence around code) and nothing else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Item:
    name: str
    kind: str
    goal: str
    inputs: str
    output: str
    check: Callable[[str], bool]

    def spec(self) -> str:
        return (
            f"Task type: general\n\n## Goal\n{self.goal}\n\n## Non-goals\nNo explanation, no extra text.\n\n"
            f"## Inputs\n{self.inputs}\n\n## Output\n{self.output}\n\n## Verification\nChecked automatically.\n\n"
            "## Escalation\nNothing to escalate: answer as asked.\n"
        )


def words(answer: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", answer.strip().lower()).strip()


def is_word(expected: str) -> Callable[[str], bool]:
    return lambda answer: words(answer) == expected


def is_number(expected: int) -> Callable[[str], bool]:
    return lambda answer: answer.strip().rstrip(".") == str(expected)


def is_json(expected: object) -> Callable[[str], bool]:
    def check(answer: str) -> bool:
        try:
            value = json.loads(answer)
        except json.JSONDecodeError:
            return False
        if isinstance(expected, dict) and isinstance(value, dict):
            value = {k: v.strip().lower() if isinstance(v, str) else v for k, v in value.items()}
            return value == {k: v.lower() if isinstance(v, str) else v for k, v in expected.items()}
        return value == expected

    return check


def labels(expected: list[str]) -> Callable[[str], bool]:
    """One label per line, in order (a list marker or number in front is allowed)."""

    def check(answer: str) -> bool:
        found = [words(re.sub(r"^\s*(?:[-*]|\d+[.):])\s*", "", line)) for line in answer.strip().splitlines()]
        return [f for f in found if f] == expected

    return check


def runs(tests: str) -> Callable[[str], bool]:
    """The answer's Python (fenced or not) defines the function and passes `tests` in a fresh interpreter."""

    def check(answer: str) -> bool:
        fenced = re.search(r"```(?:python|py)?\s*\n(.*?)```", answer, re.DOTALL)
        code = fenced.group(1) if fenced else answer
        try:
            done = subprocess.run(
                [sys.executable, "-I", "-c", f"{code}\n\n{tests}\n"],
                capture_output=True,
                timeout=20,
                stdin=subprocess.DEVNULL,
                cwd=Path("/tmp"),
            )
        except subprocess.TimeoutExpired:
            return False
        return done.returncode == 0

    return check


ONE_WORD = "Plain text: one word only."
NUMBER = "Plain text: only the number, in digits."
JSON = "Only a JSON object with exactly the keys named, nothing else."
CODE = "Only the Python code of the function."

ITEMS = [
    Item("capital", "one-word", "Name the capital city of France.", "None.", ONE_WORD, is_word("paris")),
    Item("opposite", "one-word", "Give the opposite of the word in the input.", "hot", ONE_WORD, is_word("cold")),
    Item(
        "colour",
        "one-word",
        "Name the colour you get by mixing blue and yellow paint.",
        "None.",
        ONE_WORD,
        is_word("green"),
    ),
    Item("planet", "one-word", "Name the planet known as the Red Planet.", "None.", ONE_WORD, is_word("mars")),
    Item("multiply", "arithmetic", "Compute 17 multiplied by 3 and give the result.", "None.", NUMBER, is_number(51)),
    Item("divide", "arithmetic", "Compute 144 divided by 12 and give the result.", "None.", NUMBER, is_number(12)),
    Item("add", "arithmetic", "Compute 25 plus 38 and give the result.", "None.", NUMBER, is_number(63)),
    Item("subtract", "arithmetic", "Compute 100 minus 58 and give the result.", "None.", NUMBER, is_number(42)),
    Item(
        "three-messages",
        "classification",
        "Classify each of the three customer messages below into exactly one of these labels: billing, bug, praise.",
        '1. "I was charged twice for my subscription this month."\n'
        '2. "The app crashes every time I open the settings page."\n'
        '3. "Your support team was wonderful, thank you!"',
        "Plain text: three lines, one label per line, in the order of the messages. Labels only.",
        labels(["billing", "bug", "praise"]),
    ),
    Item(
        "sentiment",
        "classification",
        "Classify the sentiment of the review below as exactly one of: positive, negative.",
        '"This is the worst purchase I have ever made; it broke after one day."',
        "Plain text: one label only.",
        is_word("negative"),
    ),
    Item(
        "ticket",
        "classification",
        "Classify the support ticket below into exactly one of these labels: billing, shipping, login.",
        '"My parcel was supposed to arrive last week and it is still not here."',
        "Plain text: one label only.",
        is_word("shipping"),
    ),
    Item(
        "language",
        "classification",
        "Say which language the sentence below is written in: english, french, german or spanish.",
        '"Bonjour, je voudrais un café, s\'il vous plaît."',
        "Plain text: one label only, in lower case.",
        is_word("french"),
    ),
    Item(
        "person",
        "extraction",
        "Extract the person's name and age from the sentence below.",
        '"Maria is 34 years old and lives in Lisbon."',
        f'{JSON} Keys: "name" (string), "age" (integer).',
        is_json({"name": "Maria", "age": 34}),
    ),
    Item(
        "email",
        "extraction",
        "Extract the email address from the text below.",
        '"For questions write to support@example.org before Friday."',
        f'{JSON} Key: "email".',
        is_json({"email": "support@example.org"}),
    ),
    Item(
        "place",
        "extraction",
        "Extract the city and the country from the sentence below.",
        '"Our new office is in Toronto, Canada."',
        f'{JSON} Keys: "city", "country".',
        is_json({"city": "Toronto", "country": "Canada"}),
    ),
    Item(
        "order",
        "extraction",
        "Extract the order number and the quantity from the message below.",
        '"Please send 3 more units for order 88412."',
        f'{JSON} Keys: "order" (integer), "quantity" (integer).',
        is_json({"order": 88412, "quantity": 3}),
    ),
    Item(
        "reverse",
        "function",
        "Write a Python function reverse(s) that returns the string s reversed.",
        "None.",
        CODE,
        runs("assert reverse('abc') == 'cba'\nassert reverse('') == ''"),
    ),
    Item(
        "is-even",
        "function",
        "Write a Python function is_even(n) that returns True when the integer n is even.",
        "None.",
        CODE,
        runs("assert is_even(4) is True\nassert is_even(7) is False\nassert is_even(0) is True"),
    ),
    Item(
        "vowels",
        "function",
        "Write a Python function count_vowels(s) that returns how many of the letters a, e, i, o, u "
        "(either case) the string s contains.",
        "None.",
        CODE,
        runs(
            "assert count_vowels('Hello World') == 3\nassert count_vowels('xyz') == 0\nassert count_vowels('AEIOU') == 5"
        ),
    ),
    Item(
        "largest",
        "function",
        "Write a Python function largest(numbers) that returns the largest number in a non-empty list.",
        "None.",
        CODE,
        runs("assert largest([3, 9, 2]) == 9\nassert largest([-5, -2]) == -2"),
    ),
]

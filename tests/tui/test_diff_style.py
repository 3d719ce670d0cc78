"""A diff's lines as the Changes tab draws them: each file's code in its own language's colours, added and
removed lines tinted with the theme's success and error colours, headers by what they are."""

from __future__ import annotations

from rich.style import Style
from textual.theme import BUILTIN_THEMES

from tui.widgets.diff_style import DiffStyle, files_of

DIFF = """\
diff --git a/src/invoices.py b/src/invoices.py
index 1111111..2222222 100644
--- a/src/invoices.py
+++ b/src/invoices.py
@@ -1,3 +1,3 @@
 def parse_invoice(text):
-    return text.split(",")
+    return [field.strip() for field in text.split(",")]
diff --git a/notes.zzz b/notes.zzz
+return is just a word here
""".splitlines()


def styles(style: DiffStyle, index: int) -> dict[str, Style]:
    return {
        segment.text: segment.style
        for segment in style.segments(DIFF[index], files_of(DIFF)[index])
        if segment.style is not None
    }


def test_each_line_knows_its_file() -> None:
    assert files_of(DIFF) == ["src/invoices.py"] * 8 + ["notes.zzz"] * 2


def test_python_code_is_highlighted_on_added_removed_and_context_lines() -> None:
    style = DiffStyle(BUILTIN_THEMES["textual-dark"])
    context, removed, added = styles(style, 5), styles(style, 6), styles(style, 7)
    assert added["return"].color != added["field"].color, "a keyword is coloured apart from a name"
    assert added['"'].color != added["text"].color, "so is a string"
    assert context["def"].color == added["return"].color and context["def"].bgcolor is None
    assert added["return"].bgcolor is not None and removed["return"].bgcolor is not None
    assert added["return"].bgcolor != removed["return"].bgcolor, "added and removed lines are told apart"
    assert added["+"].bold and added["+"].bgcolor == added["return"].bgcolor


def test_a_file_with_no_known_language_and_the_headers_keep_the_plain_diff_colours() -> None:
    style = DiffStyle(BUILTIN_THEMES["textual-dark"])
    sign, code = style.segments(DIFF[9], "notes.zzz")
    assert code.text == "return is just a word here" and code.style is not None and sign.style is not None
    assert code.style.color == sign.style.color, "the whole line in the sign's colour, no keyword picked out"
    assert [segment.text for segment in style.segments(DIFF[4], "src/invoices.py")] == [DIFF[4]]
    assert styles(style, 3)["+++ b/src/invoices.py"].bold, "a header is not taken for an added line"


def test_a_light_theme_tints_from_its_own_colours() -> None:
    dark, light = DiffStyle(BUILTIN_THEMES["textual-dark"]), DiffStyle(BUILTIN_THEMES["textual-light"])
    assert styles(dark, 7)["return"].bgcolor != styles(light, 7)["return"].bgcolor


def test_added_and_removed_lines_are_tinted_to_the_edge_and_nothing_else_is() -> None:
    style = DiffStyle(BUILTIN_THEMES["textual-dark"])
    assert style.tint(DIFF[7]) == Style(bgcolor=styles(style, 7)["return"].bgcolor)
    assert style.tint(DIFF[6]) == Style(bgcolor=styles(style, 6)["return"].bgcolor)
    assert [style.tint(DIFF[i]) for i in (0, 2, 3, 4, 5)] == [None] * 5

"""Textual's stylesheet, with each CSS source parsed once for as long as the theme's variables stay the same.

Textual parses every source again whenever its CSS is refreshed: setting the theme refreshes it, so does the
first screen of a mode, and a refresh also empties the cache of parsed sources even when the variables did not
change. Before the console's first frame that parsed app.tcss and the widgets' default CSS four times over
(~55 ms of a ~130 ms first frame, benchmarks/console_audit.py). Here a refresh with the same variables keeps
the parsed sources, and a re-parse parses only the sources not seen yet; a theme with other variables still
empties the cache, so everything is parsed again with the new values.
"""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet


class ParsedOnce(Stylesheet):
    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)

    def reparse(self) -> None:
        """The cache holds only sources parsed with the current variables (changing them empties it), so
        parsing from it is a full re-parse. A source with errors raises here and leaves the rules as they
        were, as Textual's re-parse in a fresh stylesheet does; once a source has failed, Textual's own re-parse
        runs, so the error is raised again rather than the source skipped."""
        if self._invalid_css:
            super().reparse()
        else:
            self.parse()

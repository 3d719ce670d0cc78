"""Minimal LaTeX -> JATS body converter."""
import re

def convert_emph(s):
    return re.sub(r"\\emph\{([^}]*)\}", r"<italic>\1</italic>", s)

def convert_cite(s):
    # \cite{a,b} -> <xref ref-type="bibr" rid="a"/>...; currently only handles a single key
    return re.sub(r"\\cite\{([^},]*)\}", r'<xref ref-type="bibr" rid="\1"/>', s)

def convert(s):
    return convert_cite(convert_emph(s))

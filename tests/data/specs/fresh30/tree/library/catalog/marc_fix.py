"""Helpers for cleaning mnemonic MARC (.mrk) records before re-import."""
import re

TRAILING_PUNCT = re.compile(r"[ /:;,]+$")

def strip_245_punct(line):
    """Remove ISBD trailing punctuation from a =245 line's last subfield."""
    if not line.startswith("=245"):
        return line
    return TRAILING_PUNCT.sub("", line.rstrip())

def fix_file(lines):
    return [strip_245_punct(l) for l in lines]

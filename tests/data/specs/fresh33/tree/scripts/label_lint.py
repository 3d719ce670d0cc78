"""Check wall label drafts for house-style problems."""
import re
import sys

MAX_WORDS = 80

def check_label(text):
    problems = []
    words = len(text.split())
    if words > MAX_WORDS:
        problems.append(f"too long: {words} words (max {MAX_WORDS})")
    if re.search(r"\b(c\.|circa)\s*\d{4}s\b", text):
        problems.append("use 'about' instead of circa")
    return problems

if __name__ == "__main__":
    for p in check_label(open(sys.argv[1]).read()):
        print(p)

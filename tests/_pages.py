"""Reading the documentation's pages: their code blocks, for the tests that
run them."""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def code_blocks(page):
    """``(language, code)`` of each code block of an rST page, in order."""
    pattern = r"\.\. code-block:: (\w+)\n\n((?:   .*\n|\n)+)"
    return [
        (language, "\n".join(line[3:] for line in body.splitlines()).strip() + "\n")
        for language, body in re.findall(pattern, page.read_text())
    ]

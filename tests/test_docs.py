"""The documentation's snippets run as written and print what the pages show.

The Dask page's snippets need a cluster; tests/test_dask.py runs them.
"""

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _blocks(page):
    """``(language, code)`` of each code block of an rST page, in order."""
    pattern = r"\.\. code-block:: (\w+)\n\n((?:   .*\n|\n)+)"
    return [
        (language, "\n".join(line[3:] for line in body.splitlines()).strip() + "\n")
        for language, body in re.findall(pattern, page.read_text())
    ]


def test_the_landing_pages_quick_start_prints_what_it_shows(capsys):
    blocks = _blocks(DOCS / "index.rst")
    code = [body for language, body in blocks if language == "python"]
    shown = [body for language, body in blocks if language == "text"]
    assert len(code) == 1 and len(shown) == 1
    exec(compile(code[0], "index.rst", "exec"), {})
    assert capsys.readouterr().out == shown[0]

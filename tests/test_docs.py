"""The documentation's snippets run as written and print what the pages show.

The Dask page's snippets need a cluster; tests/test_dask.py runs them.
"""

import re

import pytest

from ._pages import DOCS, code_blocks


def test_the_landing_pages_quick_start_prints_what_it_shows(capsys):
    blocks = code_blocks(DOCS / "index.rst")
    code = [body for language, body in blocks if language == "python"]
    shown = [body for language, body in blocks if language == "text"]
    assert len(code) == 1 and len(shown) == 1
    exec(compile(code[0], "index.rst", "exec"), {})
    assert capsys.readouterr().out == shown[0]


def _section(page, title):
    """The text of one section of an rST page, from its title to the next."""
    text = page.read_text()
    start = text.index(f"\n{title}\n") + 1
    underline = text[start:].splitlines()[1][0]
    rest = text[start + len(title) + 1 :]
    following = re.search(rf"\n[^\n]+\n{re.escape(underline)}{{3,}}\n", rest)
    return text[
        start : start + len(title) + 1 + (following.start() if following else len(rest))
    ]


def test_the_user_guides_callbacks_example_runs(tmp_path):
    pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
    pytest.importorskip("rich")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    section = DOCS / "user_guide.rst"
    page = tmp_path / "section.rst"
    page.write_text(_section(section, "Plots and callbacks"))
    (code,) = [body for language, body in code_blocks(page) if language == "python"]
    namespace = {}
    exec(compile(code, "user_guide.rst", "exec"), namespace)
    assert len(namespace["r2_per_epoch"]) == 20
    assert len(namespace["display"].line_.get_ydata()) == 20


@pytest.mark.parametrize("page", ["user_guide.rst", "index.rst", "install.rst"])
def test_every_python_snippet_of_the_page_runs(page):
    # Each snippet on its own, in a fresh namespace: none relies on another.
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    for language, code in code_blocks(DOCS / page):
        if language != "python":
            continue
        if "sklearn.callback" in code:
            pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")
        exec(compile(code, page, "exec"), {})

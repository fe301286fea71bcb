"""The README's Python examples run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_quick_start_runs(capsys):
    blocks = _python_blocks()
    quick_start, streaming = blocks[0], blocks[1]
    namespace = {}
    exec(compile(quick_start + streaming, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    r2 = float(re.search(r"held-out R²: (-?[\d.]+)", out).group(1))
    assert r2 > 0.3
    assert namespace["search"].best_params_["model__batch_size"] in (16, 64)
    assert namespace["model"].t_ > 0

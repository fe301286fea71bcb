"""The README's Python examples run as written."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def test_readme_python_examples_run(capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    blocks = _python_blocks()
    assert len(blocks) >= 4
    try:
        import sklearn.callback  # noqa: F401
    except ImportError:  # scikit-learn < 1.9: the callbacks example cannot run
        blocks = [block for block in blocks if "sklearn.callback" not in block]
    namespace = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)
    out = capsys.readouterr().out
    r2 = float(re.search(r"held-out R²: (-?[\d.]+)", out).group(1))
    assert r2 > 0.3
    accuracy = float(re.search(r"held-out accuracy: ([\d.]+)", out).group(1))
    assert accuracy > 0.9
    assert namespace["search"].best_params_["model__batch_size"] in (16, 64)
    assert namespace["model"].t_ > 0
    assert len(namespace["display"].line_.get_ydata()) > 0


def test_readme_starts_with_the_two_commands():
    text = README.read_text()
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.DOTALL).group(1)
    assert first_block.strip().splitlines() == [
        'python -m pip install ".[cli]" && sk-rmsprop demo',
        'python -m pip install ".[test]" && python -m pytest',
    ]
    ci = (README.parent / ".ci" / "run").read_text()
    assert 'python -m pip install ".[test]" && python -m pytest' in ci

"""The command's arguments (sk_rmsprop.cli._arguments)."""

import subprocess

import pytest

from sk_rmsprop import RMSpropRegressor
from sk_rmsprop.cli._arguments import CLI_DEFAULTS, estimator_parameters

from ._command import COMMAND, run


def test_every_estimator_parameter_is_an_option_with_its_default():
    parameters = {name: default for name, default, *_ in estimator_parameters()}
    assert parameters == RMSpropRegressor().get_params()


def test_fit_help_gives_each_option_its_docstring_line_and_default():
    code, out, err = run("fit", "--help")
    assert code == 0, err
    text = " ".join(out.split())  # argparse wraps the lines
    docstring = " ".join(RMSpropRegressor.__doc__.replace("``", "").split())
    for name, default, _, help_line in estimator_parameters():
        flag = "--" + name.replace("_", "-")
        assert flag in text
        assert help_line in docstring  # taken from the docstring
        shown = CLI_DEFAULTS.get(name, default)
        shown = "none" if shown is None else shown
        assert f"{help_line} (default: {shown}" in text, name


def test_every_predict_option_has_a_help_line():
    code, out, _ = run("predict", "--help")
    assert code == 0
    options = out.split("options:")[1]
    for flag in ("--model", "--output", "--chunksize"):
        line = next(line for line in options.splitlines() if flag in line)
        described = line.split(flag, 1)[1].split(maxsplit=1)
        assert len(described) == 2, line  # a metavar, then words


@pytest.mark.parametrize("args", [["--help"], ["fit", "--help"], ["fit"]])
def test_help_and_usage_errors_import_no_numerical_library(args):
    done = subprocess.run(
        [COMMAND[0], "-X", "importtime", *COMMAND[1:], *args],
        capture_output=True,
        text=True,
    )
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    heavy = {"numpy", "scipy", "sklearn", "numba", "pandas"} & imported
    assert done.returncode in (0, 2)
    assert "sk_rmsprop.cli" in imported and not heavy, sorted(heavy)

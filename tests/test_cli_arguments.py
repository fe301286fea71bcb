"""The command's arguments (sk_rmsprop.cli._arguments)."""

import subprocess

import pytest

from sk_rmsprop import RMSpropClassifier, RMSpropRegressor
from sk_rmsprop.cli._arguments import CLI_DEFAULTS, CLI_HELP, estimator_parameters

from ._command import COMMAND, run

ESTIMATORS = {"regressor": RMSpropRegressor, "classifier": RMSpropClassifier}


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_every_estimator_parameter_is_an_option_with_its_default(kind):
    parameters = {name: default for name, default, *_ in estimator_parameters(kind)}
    assert parameters == ESTIMATORS[kind]().get_params()


@pytest.mark.parametrize("kind", list(ESTIMATORS))
def test_fit_help_gives_each_option_its_docstring_line_and_default(kind):
    code, out, err = run("fit", "--help")
    assert code == 0, err
    text = " ".join(out.split())  # argparse wraps the lines
    docstring = " ".join(ESTIMATORS[kind].__doc__.replace("``", "").split())
    # The classifier's parameters that the regressor shares have its help.
    shared = set(RMSpropRegressor().get_params()) if kind == "classifier" else set()
    for name, default, _, help_line in estimator_parameters(kind):
        flag = "--" + name.replace("_", "-")
        assert flag in text
        if name in shared and name != "loss":
            continue
        if name == "loss":  # one option for both: each default is named
            assert f"(default: {RMSpropRegressor().loss}; " in text
            assert f"{RMSpropClassifier().loss} when classifying)" in text
            continue
        if name in CLI_HELP:  # what the command offers differs from the class
            help_line = CLI_HELP[name]
        else:
            assert help_line in docstring  # taken from the docstring
        shown = CLI_DEFAULTS.get(name, default)
        shown = "none" if shown is None else shown
        assert f"{help_line} (default: {shown}" in text, name


def test_every_predict_option_has_a_help_line():
    code, out, _ = run("predict", "--help")
    assert code == 0
    options = out.split("options:")[1]
    for flag in ("--model", "--output", "--chunksize", "--proba"):
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

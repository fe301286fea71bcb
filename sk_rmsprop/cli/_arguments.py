"""The command's arguments: the parser, and the estimators' options.

Each parameter of RMSpropRegressor and RMSpropClassifier is an option of
``fit``, with its type, its default and a one-line help taken from the
estimator itself: the signature of ``__init__`` and the numpydoc Parameters
section of the class docstring. They are read from the source files, not
imported: importing an estimator loads numba and scikit-learn, which takes
seconds that ``--help`` should not. The two share their optimizer's
parameters; ``--loss`` takes either's losses, and its default is the
estimator's.
"""

import argparse
import ast
import re
from pathlib import Path

PROG = "sk-rmsprop"

# What differs from the estimator's defaults on the command line.
CLI_DEFAULTS = {"random_state": 0}  # reproducible runs; 'none' for fresh randomness


def _estimator_class(tree, name="RMSpropRegressor"):
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise LookupError(name)


def _parameter_sections(docstring):
    """``{name: (type text, description lines)}`` of a numpydoc Parameters section."""
    lines = docstring.splitlines() + [""]
    start = lines.index("Parameters") + 2  # past the underline
    entries, name = {}, None
    for line, following in zip(lines[start:], lines[start + 1 :], strict=False):
        if following.startswith("---"):  # the next section's title
            break
        if line and not line.startswith(" "):
            name, _, kind = line.partition(" : ")
            entries[name] = (kind.strip(), [])
        elif name is not None and line.strip():
            entries[name][1].append(line.strip())
    return entries


def _first_sentence(description):
    text = " ".join(description).replace("``", "")
    match = re.match(r"(.+?\.)(\s|$)", text)
    return match[1] if match else text


# The estimators whose parameters are options: (module file, class name).
ESTIMATORS = {
    "regressor": ("_regressor.py", "RMSpropRegressor"),
    "classifier": ("_classifier.py", "RMSpropClassifier"),
}


def estimator_parameters(kind="regressor"):
    """``[(name, default, type text, one-line help)]`` of an estimator.

    Read from its source file (`ESTIMATORS`) with `ast`, in signature order.
    """
    filename, class_name = ESTIMATORS[kind]
    source = Path(__file__).resolve().parents[1] / filename
    tree = ast.parse(source.read_text(encoding="utf-8"))
    cls = _estimator_class(tree, class_name)
    init = next(
        node
        for node in cls.body
        if isinstance(node, ast.FunctionDef) and node.name == "__init__"
    )
    docs = _parameter_sections(ast.get_docstring(cls))
    parameters = []
    for argument, default in zip(
        init.args.kwonlyargs, init.args.kw_defaults, strict=True
    ):
        name = argument.arg
        kind, description = docs[name]
        parameters.append(
            (name, ast.literal_eval(default), kind, _first_sentence(description))
        )
    return parameters


def _optional(kind):
    """Parse ``kind`` or the word 'none'."""

    def parse(text):
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = f"{kind.__name__} or none"
    return parse


def _bool_or_int(text):
    """'true', 'false' or a non-negative integer (as for ``average``)."""
    words = {"true": True, "false": False}
    if text.lower() in words:
        return words[text.lower()]
    return int(text)


_bool_or_int.__name__ = "true, false or an int"


def _class_weight(text):
    """'balanced' or 'none' (per-class weights are counted in the first pass)."""
    if text.lower() not in ("balanced", "none"):
        raise argparse.ArgumentTypeError(f"must be balanced or none, got {text!r}")
    return None if text.lower() == "none" else "balanced"


_class_weight.__name__ = "balanced or none"


def _option_kind(kind, default):
    """``(add_argument keywords)`` for a numpydoc type text and default."""
    if kind.startswith("dict"):  # class_weight: the command offers 'balanced'
        return dict(type=_class_weight, metavar="{balanced,none}")
    if kind.startswith("{"):
        choices = re.findall(r'"([^"]+)"', kind.partition("}")[0])
        return dict(choices=choices, metavar="{" + ",".join(choices) + "}")
    base = kind.partition(",")[0]
    if base == "bool":
        return dict(action=argparse.BooleanOptionalAction)
    if base == "bool or int":
        return dict(type=_bool_or_int, metavar="BOOL|INT")
    for word, parse in (("int", int), ("float", float)):
        if base.startswith(word):
            if "None" in kind:
                return dict(type=_optional(parse), metavar=f"{word.upper()}|none")
            return dict(type=parse, metavar=word.upper())
    raise ValueError(f"no command-line type for {kind!r}")


def add_estimator_options(parser):
    regressor = estimator_parameters("regressor")
    classifier = estimator_parameters("classifier")
    shared = {name for name, *_ in regressor} & {name for name, *_ in classifier}
    groups = {
        "regressor": parser.add_argument_group(
            "estimator parameters",
            "The parameters of RMSpropRegressor and RMSpropClassifier; see "
            "their documentation for the details.",
        ),
        "classifier": parser.add_argument_group(
            "RMSpropClassifier parameters", "Only when classifying."
        ),
    }
    losses = {}
    for kind, parameters in (("regressor", regressor), ("classifier", classifier)):
        for name, default, text_kind, text in parameters:
            if name == "loss":
                losses[kind] = (default, _option_kind(text_kind, default)["choices"])
                continue
            if kind == "classifier" and name in shared:
                continue
            _add_option(groups[kind], name, default, text_kind, text)
    (regression, regression_losses), (classification, classification_losses) = (
        losses["regressor"],
        losses["classifier"],
    )
    choices = [*regression_losses, *classification_losses]
    groups["regressor"].add_argument(
        "--loss",
        choices=choices,
        metavar="{" + ",".join(choices) + "}",
        help=f"The loss: a regressor's or a classifier's (default: {regression}; "
        f"{classification} when classifying)",
    )


# Help that differs from the docstring's first sentence on the command line.
CLI_HELP = {
    "class_weight": "Weights of the classes, multiplying the sample weights: "
    "balanced weighs each class by n_samples / (n_classes * its count), counted "
    "in the first pass; none weighs them alike."
}


def _add_option(group, name, default, kind, text):
    text = CLI_HELP.get(name, text)
    default = CLI_DEFAULTS.get(name, default)
    shown = "none" if default is None else default
    note = " (here; none draws fresh randomness)" if name in CLI_DEFAULTS else ""
    group.add_argument(
        "--" + name.replace("_", "-"),
        dest=name,
        default=default,
        help=f"{text} (default: {shown}{note})".replace("%", "%%"),
        **_option_kind(kind, default),
    )


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Fit linear models by mini-batch RMSprop (RMSpropRegressor, "
        "RMSpropClassifier).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="fit the diabetes data and compare with other models (default)"
    )
    demo.add_argument(
        "--plot",
        default="rmsprop-demo.png",
        metavar="PATH",
        help="where to write the loss curves (PNG; default: %(default)s)",
    )
    demo.set_defaults(command="demo")

    fit = commands.add_parser(
        "fit",
        help="fit a scaler and RMSpropRegressor (or RMSpropClassifier) to a CSV "
        "or Parquet file",
    )
    fit.add_argument(
        "data",
        help="CSV file, Parquet file (.parquet, .pq) or Parquet directory; - reads "
        "CSV from standard input (streams are copied once to a temporary file)",
    )
    fit.add_argument("--target", required=True, help="name of the target column")
    fit.add_argument(
        "--classify",
        action="store_true",
        help="train RMSpropClassifier, the target holding class labels (chosen "
        "without this option when the target column is not numeric, or with a "
        "classifier's --loss)",
    )
    fit.add_argument(
        "--features",
        nargs="+",
        metavar="COLUMN",
        help="feature columns (default: every column but the target)",
    )
    fit.add_argument(
        "--model",
        default="model.skops",
        metavar="PATH",
        help="where to save the fitted model (default: %(default)s)",
    )
    _add_chunksize(fit)
    fit.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address: read a Parquet dataset as a Dask DataFrame "
        "and train on the cluster (needs the dask extra)",
    )
    add_estimator_options(fit)

    predict = commands.add_parser("predict", help="predict with a saved model")
    predict.add_argument(
        "data",
        help="CSV or Parquet file holding the features; - reads CSV from "
        "standard input",
    )
    predict.add_argument(
        "--model",
        required=True,
        metavar="PATH",
        help="a model file written by sk-rmsprop fit",
    )
    predict.add_argument(
        "--output",
        metavar="PATH",
        help="CSV file to write, with one column 'prediction': values, or a "
        "classifier's labels (default: stdout)",
    )
    predict.add_argument(
        "--proba",
        action="store_true",
        help="write a classifier's probability of each class instead, one column "
        "'proba_LABEL' per class (loss log_loss or modified_huber)",
    )
    _add_chunksize(predict)
    return parser


def _add_chunksize(parser):
    parser.add_argument(
        "--chunksize",
        type=_positive_int,
        default=50_000,
        metavar="ROWS",
        help="rows read at a time (default: %(default)s)",
    )


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse(argv):
    """The parsed arguments; ``demo`` when no command is given."""
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["demo", *argv]  # demo is the default command
    return build_parser().parse_args(argv)

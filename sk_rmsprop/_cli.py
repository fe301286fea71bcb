"""The sk-rmsprop command: a demo, and streaming fit / predict on CSV or Parquet."""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._rmsprop import RMSpropRegressor

PROG = "sk-rmsprop"
MODEL_STEP_NAMES = ("scale", "model")


class CommandError(Exception):
    """An error to report as one line on stderr, without a traceback."""


# ----------------------------------------------------------------------------
# Reading data in chunks


def _chunks(path, columns, chunksize):
    """Yield non-empty DataFrames of at most ``chunksize`` rows of ``columns``."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        reader = pq.ParquetFile(path)
        names = reader.schema_arrow.names
        _check_columns(columns, names, path)
        for batch in reader.iter_batches(batch_size=chunksize, columns=columns):
            if batch.num_rows:
                yield batch.to_pandas()
        return
    try:
        header = pd.read_csv(path, nrows=0).columns
    except pd.errors.EmptyDataError as exc:
        raise CommandError(f"{path} is empty") from exc
    _check_columns(columns, list(header), path)
    for frame in pd.read_csv(path, usecols=columns, chunksize=chunksize):
        if len(frame):
            yield frame


def _check_columns(columns, available, path):
    missing = [c for c in columns if c not in available]
    if missing:
        raise CommandError(
            f"{path} has no column {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(repr, available))}"
        )


def _columns_of(path):
    """Column names of a CSV or Parquet file."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(path).schema_arrow.names)
    try:
        return list(pd.read_csv(path, nrows=0).columns)
    except pd.errors.EmptyDataError as exc:
        raise CommandError(f"{path} is empty") from exc


def _numeric(frame, columns, path):
    """The columns of ``frame`` as float64, or a clear error if they are not numbers."""
    for column in columns:
        kind = frame[column].dtype.kind
        if kind not in "biuf":
            raise CommandError(f"column {column!r} of {path} is not numeric")
    values = frame[columns].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)):
        bad = [c for c in columns if not np.all(np.isfinite(frame[c].to_numpy(float)))]
        raise CommandError(
            f"column {bad[0]!r} of {path} holds a missing, NaN or infinite value"
        )
    return values


# ----------------------------------------------------------------------------
# Progress


class _Progress:
    """A progress bar on stderr: rows done, rows per second and the current loss.

    On a terminal the bar is redrawn in place; otherwise one line is written
    when each pass ends.
    """

    width = 30

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.live = stream.isatty()

    def update(self, label, rows, seconds, loss=None, total=None, done=False):
        rate = rows / seconds if seconds > 0 else float("inf")
        if total:
            filled = min(self.width, round(self.width * rows / total))
            bar = "#" * filled + "." * (self.width - filled)
            text = f"{label} [{bar}] {rows:,}/{total:,} rows, {rate:,.0f} rows/s"
        else:
            text = f"{label}: {rows:,} rows, {rate:,.0f} rows/s"
        if loss is not None:
            text += f", loss {loss:.6g}"
        if self.live:
            self.stream.write("\r" + text + ("\n" if done else ""))
        elif done:
            self.stream.write(text + "\n")
        self.stream.flush()


# ----------------------------------------------------------------------------
# Saving and loading models


def _save_model(pipeline, path):
    """Write ``pipeline`` with skops to a temporary file, then rename it."""
    import skops.io as sio

    path = Path(path)
    if not path.parent.is_dir():
        raise CommandError(f"no such directory for the model: {path.parent}")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
    )
    os.close(handle)
    try:
        sio.dump(pipeline, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _load_model(path):
    """Load a model file written by `_save_model`, trusting only our estimator."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise CommandError(f"no such model file: {path}")
    trusted = [f"{RMSpropRegressor.__module__}.{RMSpropRegressor.__name__}"]
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = sorted(set(untrusted) - set(trusted))
        if unexpected:
            raise CommandError(
                f"{path} asks to load types this command does not trust: "
                f"{', '.join(unexpected)}"
            )
        return sio.load(path, trusted=trusted)
    except CommandError:
        raise
    except Exception as exc:
        raise CommandError(f"{path} is not a readable model file ({exc})") from exc


# ----------------------------------------------------------------------------
# Commands


def _estimator_from_args(args):
    params = {
        name: getattr(args, name)
        for name in RMSpropRegressor().get_params()
        if hasattr(args, name)
    }
    return RMSpropRegressor(**params)


def command_fit(args, out=sys.stdout):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    available = _columns_of(args.data)
    if args.target not in available:
        raise CommandError(
            f"{args.data} has no column {args.target!r}; its columns are "
            f"{', '.join(map(repr, available))}"
        )
    features = args.features or [c for c in available if c != args.target]
    if not features:
        raise CommandError(f"{args.data} has no feature column besides the target")
    columns = [*features, args.target]
    model = _estimator_from_args(args)
    if model.early_stopping:
        raise CommandError("early_stopping is not available when streaming")
    progress = _Progress()

    scaler = StandardScaler()
    rows, start = 0, time.perf_counter()
    for frame in _chunks(args.data, columns, args.chunksize):
        scaler.partial_fit(_numeric(frame, features, args.data))
        rows += len(frame)
        progress.update("scaling", rows, time.perf_counter() - start)
    if rows == 0:
        raise CommandError(f"{args.data} has no rows")
    progress.update("scaling", rows, time.perf_counter() - start, done=True)

    total = rows  # known after the first pass: the epochs get a bar
    best, stale = np.inf, 0
    for epoch in range(1, model.n_iter + 1):
        rows, weighted_loss, start = 0, 0.0, time.perf_counter()
        for frame in _chunks(args.data, columns, args.chunksize):
            X = scaler.transform(_numeric(frame, features, args.data))
            y = _numeric(frame, [args.target], args.data)[:, 0]
            model.partial_fit(X, y)
            rows += len(frame)
            weighted_loss += model.loss_curve_[-1] * len(frame)
            elapsed = time.perf_counter() - start
            progress.update(
                f"epoch {epoch}", rows, elapsed, weighted_loss / rows, total
            )
        loss = weighted_loss / rows
        elapsed = time.perf_counter() - start
        progress.update(f"epoch {epoch}", rows, elapsed, loss, total, done=True)
        # The same stopping rule as RMSpropRegressor.fit, on each pass's loss.
        stale = stale + 1 if model.tol is not None and loss > best - model.tol else 0
        best = min(best, loss)
        if model.tol is not None and stale >= model.n_iter_no_change:
            break

    scaler.feature_names_in_ = np.asarray(features, dtype=object)
    pipeline = Pipeline(list(zip(MODEL_STEP_NAMES, (scaler, model), strict=True)))
    _save_model(pipeline, args.model)
    print(f"saved {args.model}: {len(features)} features, {epoch} epochs", file=out)


def command_predict(args, out=sys.stdout):
    import pandas as pd

    pipeline = _load_model(args.model)
    features = list(pipeline[0].feature_names_in_)
    destination = Path(args.output) if args.output else None
    if destination is not None and not destination.parent.is_dir():
        raise CommandError(f"no such directory for the output: {destination.parent}")
    if destination is None:
        handle, temporary = None, None
        sink = out
    else:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
        )
        sink = os.fdopen(handle, "w", newline="")
    try:
        header = True
        for frame in _chunks(args.data, features, args.chunksize):
            X = pd.DataFrame(_numeric(frame, features, args.data), columns=features)
            prediction = pipeline.predict(X)
            pd.DataFrame({"prediction": prediction}).to_csv(
                sink, index=False, header=header
            )
            header = False
        if header:
            raise CommandError(f"{args.data} has no rows")
        if destination is not None:
            sink.close()
            os.replace(temporary, destination)
    except BaseException:
        if destination is not None:
            sink.close()
            Path(temporary).unlink(missing_ok=True)
        raise


def command_demo(args, out=sys.stdout):
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import LinearRegression, SGDRegressor
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), RMSpropRegressor(random_state=0)),
        {
            "rmspropregressor__learning_rate": [0.003, 0.01, 0.03],
            "rmspropregressor__batch_size": [16, 64],
        },
        cv=3,
    )
    models = {
        "RMSpropRegressor (grid search)": search,
        "LinearRegression": make_pipeline(StandardScaler(), LinearRegression()),
        "SGDRegressor": make_pipeline(StandardScaler(), SGDRegressor(random_state=0)),
    }
    print("Diabetes data, 25% held out:", file=out)
    print(f"{'model':<32}{'R²':>8}{'RMSE':>10}", file=out)
    for name, model in models.items():
        with warnings.catch_warnings():
            # Some grid points reach n_iter before the tol rule stops them; the
            # demo compares held-out scores, which say more than the warning.
            warnings.simplefilter("ignore", ConvergenceWarning)
            prediction = model.fit(X_train, y_train).predict(X_test)
        r2 = r2_score(y_test, prediction)
        rmse = mean_squared_error(y_test, prediction) ** 0.5
        print(f"{name:<32}{r2:>8.3f}{rmse:>10.2f}", file=out)
    best = search.best_params_
    print(
        f"best: learning_rate={best['rmspropregressor__learning_rate']}, "
        f"batch_size={best['rmspropregressor__batch_size']}",
        file=out,
    )
    _plot_demo(search, X_train, y_train, args.plot, out)


def _plot_demo(search, X_train, y_train, path, out):
    """Loss curves of the grid's learning rates at the best batch size, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.base import clone

    from ._display import LossCurveDisplay

    best = search.best_params_
    fig, ax = plt.subplots(figsize=(7, 4))
    for learning_rate in search.param_grid["rmspropregressor__learning_rate"]:
        pipe = clone(search.best_estimator_).set_params(
            rmspropregressor__learning_rate=learning_rate
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe.fit(X_train, y_train)
        LossCurveDisplay.from_estimator(
            pipe, ax=ax, name=f"learning_rate={learning_rate}"
        )
    ax.set_yscale("log")
    batch_size = best["rmspropregressor__batch_size"]
    ax.set_title(f"RMSpropRegressor on diabetes, batch_size={batch_size}")
    fig.tight_layout()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{Path(path).name}.", suffix=".png", dir=Path(path).parent or "."
    )
    os.close(handle)
    try:
        fig.savefig(temporary, dpi=100)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        plt.close(fig)
    print(f"loss curves: {path}", file=out)


# ----------------------------------------------------------------------------
# Arguments


def _optional(kind):
    """Parse ``kind`` or the word 'none'."""

    def parse(text):
        return None if text.lower() == "none" else kind(text)

    parse.__name__ = f"{kind.__name__} or none"
    return parse


def _add_estimator_options(parser):
    group = parser.add_argument_group("RMSpropRegressor parameters")
    optional = {"batch_size": int, "tol": float, "random_state": int}
    for name, default in RMSpropRegressor().get_params().items():
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            group.add_argument(
                flag, dest=name, action=argparse.BooleanOptionalAction, default=default
            )
        elif name in optional:
            group.add_argument(
                flag,
                dest=name,
                type=_optional(optional[name]),
                default=default,
                metavar=optional[name].__name__.upper(),
            )
        else:
            group.add_argument(
                flag,
                dest=name,
                type=type(default),
                default=default,
                metavar=type(default).__name__.upper(),
            )


def build_parser():
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Fit linear models by mini-batch RMSprop (RMSpropRegressor).",
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
    demo.set_defaults(handler=command_demo)

    fit = commands.add_parser(
        "fit", help="fit a scaler and RMSpropRegressor to a CSV or Parquet file"
    )
    fit.add_argument("data", help="CSV or Parquet file (.parquet, .pq)")
    fit.add_argument("--target", required=True, help="name of the target column")
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
        help="where to save the fitted pipeline (default: %(default)s)",
    )
    fit.add_argument(
        "--chunksize",
        type=int,
        default=50_000,
        metavar="ROWS",
        help="rows read at a time (default: %(default)s)",
    )
    _add_estimator_options(fit)
    fit.set_defaults(handler=command_fit)

    predict = commands.add_parser("predict", help="predict with a saved model")
    predict.add_argument("data", help="CSV or Parquet file holding the features")
    predict.add_argument("--model", required=True, metavar="PATH")
    predict.add_argument(
        "--output", metavar="PATH", help="CSV file to write (default: stdout)"
    )
    predict.add_argument("--chunksize", type=int, default=50_000, metavar="ROWS")
    predict.set_defaults(handler=command_predict)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["demo", *argv]  # demo is the default command
    args = parser.parse_args(argv)
    if getattr(args, "chunksize", 1) < 1:
        parser.error("--chunksize must be at least 1")
    try:
        args.handler(args)
    except CommandError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except ImportError as exc:
        print(
            f"{PROG}: error: {exc.name or exc} is needed; install it with "
            "pip install 'sk-rmsprop[cli]'",
            file=sys.stderr,
        )
        return 1
    except (ValueError, OSError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    return 0


def main_entry():
    """Console-script entry point."""
    sys.exit(main())

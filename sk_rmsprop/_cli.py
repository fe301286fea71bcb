"""The sk-rmsprop command: a demo, and streaming fit / predict on CSV or Parquet."""

import argparse
import os
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager
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


def _is_parquet(path):
    return path.is_dir() or path.suffix.lower() in (".parquet", ".pq")


def _chunks(path, columns, chunksize):
    """Yield non-empty DataFrames of at most ``chunksize`` rows of ``columns``.

    ``path`` is a CSV file, a Parquet file, or a directory of Parquet files.
    """
    import pandas as pd

    path = Path(path)
    _check_columns(columns, _columns_of(path), path)
    if _is_parquet(path):
        import pyarrow.dataset as ds

        dataset = ds.dataset(path, format="parquet")
        for batch in dataset.to_batches(columns=columns, batch_size=chunksize):
            if batch.num_rows:
                yield batch.to_pandas()
        return
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
    """Column names of a CSV file, a Parquet file or a directory of them."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise CommandError(f"no such file: {path}")
    if _is_parquet(path):
        import pyarrow.dataset as ds

        schema = ds.dataset(path, format="parquet").schema
        # A stored pandas/Dask index is not data.
        index = (schema.pandas_metadata or {}).get("index_columns", [])
        return [name for name in schema.names if name not in index]
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


@contextmanager
def _written_atomically(path, suffix=".tmp"):
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    On any failure the temporary file is removed, so ``path`` is either the
    complete new file or untouched.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise CommandError(f"no such directory: {path.parent}")
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix, dir=path.parent
    )
    os.close(handle)
    try:
        yield temporary
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _save_model(pipeline, path):
    """Write ``pipeline`` with skops, atomically."""
    import skops.io as sio

    with _written_atomically(path) as temporary:
        sio.dump(pipeline, temporary)


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


class _LocalPasses:
    """Passes over a CSV or Parquet file, chunk by chunk, in this process."""

    def __init__(self, args, features):
        self.args, self.features = args, features
        self.columns = [*features, args.target]

    def _arrays(self, scaler=None):
        for frame in _chunks(self.args.data, self.columns, self.args.chunksize):
            X = _numeric(frame, self.features, self.args.data)
            y = _numeric(frame, [self.args.target], self.args.data)[:, 0]
            yield (X if scaler is None else scaler.transform(X)), y

    def scale(self, scaler, report):
        rows = 0
        for X, _ in self._arrays():
            scaler.partial_fit(X)
            rows += len(X)
            report(rows)
        return scaler, rows

    def epoch(self, scaler, model, report):
        rows, weighted_loss = 0, 0.0
        for X, y in self._arrays(scaler):
            model.partial_fit(X, y)
            rows += len(X)
            weighted_loss += model.loss_curve_[-1] * len(X)
            report(rows, weighted_loss / rows)
        return model, rows, weighted_loss / max(rows, 1)


class _ClusterPasses:
    """Passes over a Parquet dataset read as a Dask DataFrame on a cluster.

    Each pass is `sk_rmsprop.dask.partial_fit_blocks` over its partitions: the
    model moves to the data.
    """

    def __init__(self, args, features):
        import dask.dataframe as dd
        import pandas as pd

        frame = dd.read_parquet(args.data, columns=[*features, args.target])
        # X and y come from the same partitions through map_partitions: a plain
        # column selection lets Dask plan each one with its own partitioning.
        self.meta_X = pd.DataFrame(
            {i: pd.Series(dtype="f8") for i in range(len(features))}
        )
        self.X = frame.map_partitions(
            lambda part: pd.DataFrame(part[features].to_numpy(np.float64)),
            meta=self.meta_X,
        )
        self.y = frame.map_partitions(
            lambda part: part[args.target].astype(np.float64),
            meta=pd.Series(dtype="f8", name=args.target),
        )
        sizes = frame.map_partitions(len).compute()
        self.sizes = [int(size) for size in sizes if size]

    def scale(self, scaler, report):
        from .dask import partial_fit_blocks

        scaler = partial_fit_blocks(scaler, self.X, self.y)
        report(sum(self.sizes))
        return scaler, sum(self.sizes)

    def epoch(self, scaler, model, report):
        import pandas as pd

        from .dask import partial_fit_blocks

        X = self.X.map_partitions(
            lambda part: pd.DataFrame(scaler.transform(part.to_numpy())),
            meta=self.meta_X,
        )
        model = partial_fit_blocks(model, X, self.y)
        losses = model.loss_curve_[-len(self.sizes) :]
        loss = float(np.average(losses, weights=self.sizes))
        report(sum(self.sizes), loss)
        return model, sum(self.sizes), loss


def command_fit(args, out=sys.stdout):
    available = _columns_of(args.data)
    if args.target not in available:
        raise CommandError(
            f"{args.data} has no column {args.target!r}; its columns are "
            f"{', '.join(map(repr, available))}"
        )
    features = args.features or [c for c in available if c != args.target]
    if not features:
        raise CommandError(f"{args.data} has no feature column besides the target")
    model = _estimator_from_args(args)
    if model.early_stopping:
        raise CommandError("early_stopping is not available when streaming")
    if args.scheduler is None:
        _train(args, features, model, _LocalPasses(args, features), out)
        return
    if not _is_parquet(Path(args.data)):
        raise CommandError(
            "--scheduler reads Parquet data: a .parquet or .pq file or a directory"
        )
    from distributed import Client

    with Client(args.scheduler, timeout="10s"):
        _train(args, features, model, _ClusterPasses(args, features), out)


def _train(args, features, model, passes, out):
    """Fit the scaler in a first pass, then one epoch per pass; save both."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    progress = _Progress()
    start = time.perf_counter()
    scaler, rows = passes.scale(
        StandardScaler(),
        lambda rows: progress.update("scaling", rows, time.perf_counter() - start),
    )
    if rows == 0:
        raise CommandError(f"{args.data} has no rows")
    progress.update("scaling", rows, time.perf_counter() - start, done=True)

    total = rows  # known after the first pass: the epochs get a bar
    best, stale = np.inf, 0
    for epoch in range(1, model.n_iter + 1):
        label, start = f"epoch {epoch}", time.perf_counter()
        model, rows, loss = passes.epoch(
            scaler,
            model,
            lambda rows, loss, label=label, start=start: progress.update(
                label, rows, time.perf_counter() - start, loss, total
            ),
        )
        progress.update(label, rows, time.perf_counter() - start, loss, total, True)
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
    pipeline = _load_model(args.model)
    if args.output is None:
        _write_predictions(pipeline, args, out)
        return
    with (
        _written_atomically(args.output) as temporary,
        open(temporary, "w", newline="") as sink,
    ):
        _write_predictions(pipeline, args, sink)


def _write_predictions(pipeline, args, sink):
    """Predict chunk by chunk and write CSV with a 'prediction' column."""
    import pandas as pd

    features = list(pipeline[0].feature_names_in_)
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
    try:
        # The suffix lets matplotlib infer the format of the temporary file.
        with _written_atomically(path, suffix=".png") as temporary:
            fig.savefig(temporary, dpi=100)
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
                metavar=f"{optional[name].__name__.upper()}|none",
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
    fit.add_argument(
        "data", help="CSV file, Parquet file (.parquet, .pq) or Parquet directory"
    )
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
    fit.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler address: read a Parquet dataset as a Dask DataFrame "
        "and train on the cluster (needs the dask extra)",
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
    except Exception as exc:  # any failure: one line, no traceback
        text = str(exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    return 0


def main_entry():
    """Console-script entry point."""
    sys.exit(main())

"""The commands: demo, fit and predict.

``fit`` streams: a first pass fits a StandardScaler to the features and the
target together, then each pass is one epoch of ``partial_fit`` on the scaled
chunks. The saved model is a TransformedTargetRegressor around the pipeline
of the feature scaler and the estimator, its fitted parts set from those
passes, so it predicts in the target's own units.
"""

import sys
import warnings
from pathlib import Path

import numpy as np

from ._errors import CommandError, raise_if_signalled
from ._progress import Progress
from ._read import check_columns, chunks, columns_of, is_parquet, numeric, rereadable
from ._write import written_safely

MODEL_STEP_NAMES = ("scale", "model")


# ----------------------------------------------------------------------------
# Saving and loading models


def _trusted():
    from .._regressor import RMSpropRegressor

    return [f"{RMSpropRegressor.__module__}.{RMSpropRegressor.__name__}"]


def save_model(model, path, inputs):
    """Write ``model`` with skops, safely (`_write.written_safely`)."""
    import skops.io as sio

    with written_safely(path, inputs) as temporary:
        sio.dump(model, temporary)


def load_model(path):
    """A model file written by ``fit``, trusting only our estimator's type.

    Returns the model and the pipeline inside it (the model itself when the
    file holds a bare pipeline, as earlier versions wrote).
    """
    import skops.io as sio
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline

    if not Path(path).is_file():
        raise CommandError(f"no such model file: {path}")
    trusted = _trusted()
    try:
        untrusted = sio.get_untrusted_types(file=path)
        unexpected = sorted(set(untrusted) - set(trusted))
        if unexpected:
            raise CommandError(
                f"{path} asks to load types this command does not trust: "
                f"{', '.join(unexpected)}"
            )
        model = sio.load(path, trusted=trusted)
    except CommandError:
        raise
    except Exception as exc:
        raise CommandError(f"{path} is not a readable model file ({exc})") from exc
    pipeline = getattr(model, "regressor_", model)
    wrapped = isinstance(model, TransformedTargetRegressor)
    if not (
        isinstance(pipeline, Pipeline)
        and (wrapped or isinstance(model, Pipeline))
        and hasattr(pipeline[0], "feature_names_in_")
    ):
        raise CommandError(
            f"{path} holds a {type(model).__name__}, not a model written by "
            "sk-rmsprop fit (a fitted TransformedTargetRegressor around a "
            "Pipeline of StandardScaler and RMSpropRegressor)"
        )
    return model, pipeline


# ----------------------------------------------------------------------------
# fit


def _estimator_from_args(args):
    from .._regressor import RMSpropRegressor

    params = {
        name: getattr(args, name)
        for name in RMSpropRegressor().get_params()
        if hasattr(args, name)
    }
    model = RMSpropRegressor(**params)
    # Every value checked before the first pass over the data.
    model._validate_params()
    model._check_integer_parameters()
    return model


def _split_scaler(scaler, n_features):
    """Two fitted StandardScalers from one fitted to [features, target]."""
    from sklearn.base import clone

    parts = []
    for columns in (slice(0, n_features), slice(n_features, None)):
        part = clone(scaler)
        for name in ("mean_", "var_", "scale_"):
            setattr(part, name, getattr(scaler, name)[columns])
        part.n_samples_seen_ = scaler.n_samples_seen_
        part.n_features_in_ = len(part.mean_)
        parts.append(part)
    return parts


class _LocalPasses:
    """Passes over a CSV or Parquet file, chunk by chunk, in this process."""

    def __init__(self, data, target, features, chunksize):
        self.data, self.target, self.features = data, target, features
        self.columns = [*features, target]
        self.chunksize = chunksize

    def _arrays(self):
        for frame in chunks(self.data, self.columns, self.chunksize):
            yield numeric(frame, self.columns, self.data)

    def scale(self, scaler, report):
        rows = 0
        for values in self._arrays():
            scaler.partial_fit(values)
            rows += len(values)
            report(rows)
        return scaler, rows

    def epoch(self, scaler, model, report):
        rows, weighted_loss = 0, 0.0
        for values in self._arrays():
            scaled = scaler.transform(values)
            model.partial_fit(scaled[:, :-1], scaled[:, -1])
            rows += len(values)
            weighted_loss += model.loss_curve_[-1] * len(values)
            report(rows, weighted_loss / rows)
        return model, rows, weighted_loss / max(rows, 1)


class _ClusterPasses:
    """Passes over a Parquet dataset read as a Dask DataFrame on a cluster.

    Each pass is `sk_rmsprop.dask.partial_fit_blocks` over its partitions: the
    model moves to the data. Empty partitions (an empty file of the dataset)
    are left out before any estimator sees them.
    """

    def __init__(self, data, target, features):
        import dask.dataframe as dd

        self.columns = [*features, target]
        frame = dd.read_parquet(data, columns=self.columns)
        sizes = [int(size) for size in frame.map_partitions(len).compute()]
        self.frame = frame.partitions[[i for i, size in enumerate(sizes) if size]]
        self.sizes = [size for size in sizes if size]

    def _blocks(self, transform, n_columns):
        """``(X, y)``: the first ``n_columns`` and the last column of
        ``transform`` of each partition's values, as Dask collections.

        Both come from the same partitions through map_partitions: a plain
        column selection lets Dask plan each one with its own partitioning.
        """
        import pandas as pd

        columns = self.columns

        def values(part):
            return transform(part[columns].to_numpy(np.float64))

        X = self.frame.map_partitions(
            lambda part: pd.DataFrame(values(part)[:, :n_columns]),
            meta=pd.DataFrame({i: pd.Series(dtype="f8") for i in range(n_columns)}),
        )
        y = self.frame.map_partitions(
            lambda part: pd.Series(values(part)[:, -1]), meta=pd.Series(dtype="f8")
        )
        return X, y

    def scale(self, scaler, report):
        from ..dask import partial_fit_blocks

        X, y = self._blocks(lambda values: values, len(self.columns))
        scaler = partial_fit_blocks(scaler, X, y)
        report(sum(self.sizes))
        return scaler, sum(self.sizes)

    def epoch(self, scaler, model, report):
        from ..dask import partial_fit_blocks

        X, y = self._blocks(scaler.transform, len(self.columns) - 1)
        model = partial_fit_blocks(model, X, y)
        losses = model.loss_curve_[-len(self.sizes) :]
        loss = float(np.average(losses, weights=self.sizes))
        report(sum(self.sizes), loss)
        return model, sum(self.sizes), loss


def command_fit(args, out=sys.stdout):
    model = _estimator_from_args(args)
    if model.early_stopping:
        raise CommandError("early_stopping is not available when streaming")
    with rereadable(args.data) as data:
        available = columns_of(data)
        check_columns([args.target], available, args.data)
        features = args.features or [c for c in available if c != args.target]
        if not features:
            raise CommandError(f"{args.data} has no feature column besides the target")
        check_columns(features, available, args.data)
        if args.scheduler is None:
            passes = _LocalPasses(data, args.target, features, args.chunksize)
            _train(args, features, model, passes, out)
            return
        if not is_parquet(data):
            raise CommandError(
                "--scheduler reads Parquet data: a .parquet or .pq file or a directory"
            )
        from distributed import Client

        with Client(args.scheduler, timeout="10s"):
            passes = _ClusterPasses(data, args.target, features)
            _train(args, features, model, passes, out)


def _train(args, features, model, passes, out):
    """Fit the scalers in a first pass, then one epoch per pass; save the model."""
    from sklearn.preprocessing import StandardScaler

    progress = Progress()
    try:
        progress.start("scaling")
        scaler, rows = passes.scale(StandardScaler(), progress.advance)
        if rows == 0:
            raise CommandError(f"{args.data} has no rows")
        progress.finish(rows)
        best, stale, stopped = np.inf, 0, False
        for epoch in range(1, model.n_iter + 1):
            raise_if_signalled()
            progress.start(f"epoch {epoch}", total=rows)
            model, rows, loss = passes.epoch(scaler, model, progress.advance)
            progress.finish(rows, loss)
            # The same stopping rule as RMSpropRegressor.fit, on each pass's loss.
            if model.tol is not None:
                stale = stale + 1 if loss > best - model.tol else 0
            best = min(best, loss)
            if model.tol is not None and stale >= model.n_iter_no_change:
                stopped = True
                break
    finally:
        progress.stop()
    model.n_iter_ = epoch  # the passes of this run, as fit counts its epochs
    saved = _fitted_model(model, scaler, features, args)
    save_model(saved, args.model, inputs=[args.data])
    progress.summarize(f"fit: {epoch} epochs")
    if not stopped and model.tol is not None:
        print(
            f"sk-rmsprop: warning: --n-iter {model.n_iter} epochs were run and "
            f"the loss was still improving by more than --tol {model.tol}; "
            "consider increasing --n-iter",
            file=sys.stderr,
        )
    seed = "none" if model.random_state is None else model.random_state
    print(
        f"saved {args.model}: {len(features)} features, {epoch} epochs, "
        f"random_state={seed}",
        file=out,
    )


def _fitted_model(model, scaler, features, args):
    """The TransformedTargetRegressor that ``fit`` saves, fitted from the passes."""
    from sklearn.base import clone
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    x_scaler, y_scaler = _split_scaler(scaler, len(features))
    x_scaler.feature_names_in_ = np.asarray(features, dtype=object)
    steps = list(zip(MODEL_STEP_NAMES, (x_scaler, model), strict=True))
    pipeline = Pipeline(steps)
    wrapped = TransformedTargetRegressor(
        regressor=Pipeline(
            list(zip(MODEL_STEP_NAMES, (StandardScaler(), clone(model)), strict=True))
        ),
        transformer=StandardScaler(),
    )
    # What TransformedTargetRegressor.fit would have set.
    wrapped.regressor_ = pipeline
    wrapped.transformer_ = y_scaler
    wrapped._training_dim = 1
    return wrapped


# ----------------------------------------------------------------------------
# predict


def command_predict(args, out=sys.stdout):
    model, pipeline = load_model(args.model)
    with rereadable(args.data) as data:
        if args.output is None:
            _write_predictions(model, pipeline, data, args, out)
            return
        inputs = [args.data, args.model]
        with (
            written_safely(args.output, inputs) as temporary,
            open(temporary, "w", newline="") as sink,
        ):
            _write_predictions(model, pipeline, data, args, sink)


def _write_predictions(model, pipeline, data, args, sink):
    """Predict chunk by chunk and write CSV with a 'prediction' column."""
    import pandas as pd

    features = list(pipeline[0].feature_names_in_)
    header = True
    for frame in chunks(data, features, args.chunksize):
        X = pd.DataFrame(numeric(frame, features, args.data), columns=features)
        prediction = np.asarray(model.predict(X)).reshape(len(X), -1)[:, 0]
        pd.DataFrame({"prediction": prediction}).to_csv(
            sink, index=False, header=header
        )
        header = False
    if header:
        raise CommandError(f"{args.data} has no rows")


# ----------------------------------------------------------------------------
# demo


def command_demo(args, out=sys.stdout):
    from sklearn.datasets import load_diabetes
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LinearRegression, SGDRegressor
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import GridSearchCV, train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from .._regressor import RMSpropRegressor

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
    from sklearn.exceptions import ConvergenceWarning

    from .._display import LossCurveDisplay

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
        with written_safely(path, suffix=".png") as temporary:
            fig.savefig(temporary, dpi=100, format="png")
    finally:
        plt.close(fig)
    print(f"loss curves: {path}", file=out)

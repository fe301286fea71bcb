"""The commands: demo, fit and predict.

``fit`` streams: a first pass fits a StandardScaler to the features and the
target together, then each pass is one epoch of ``partial_fit`` on the scaled
chunks. The saved model is a TransformedTargetRegressor around the pipeline
of the feature scaler and the estimator, its fitted parts set from those
passes, so it predicts in the target's own units.

A classifier (``--classify``, a classifier's loss, or a target column that is
not numeric) is trained the same way, with the scaler fitted to the features
only and the classes counted in the first pass; the saved model is the
pipeline itself, and ``predict`` writes labels or, with ``--proba``, the
probability of each class.
"""

import sys
import warnings
from pathlib import Path

import numpy as np

from ._errors import CommandError, raise_if_signalled
from ._progress import Progress
from ._read import (
    check_columns,
    chunks,
    columns_of,
    is_numeric,
    is_parquet,
    labels,
    numeric,
    rereadable,
)
from ._write import written_safely

MODEL_STEP_NAMES = ("scale", "model")


# ----------------------------------------------------------------------------
# Saving and loading models


def _trusted():
    from .._classifier import RMSpropClassifier
    from .._regressor import RMSpropRegressor

    return [
        f"{cls.__module__}.{cls.__name__}"
        for cls in (RMSpropRegressor, RMSpropClassifier)
    ]


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
            "Pipeline of StandardScaler and RMSpropRegressor, or a Pipeline of "
            "StandardScaler and RMSpropClassifier)"
        )
    return model, pipeline


# ----------------------------------------------------------------------------
# fit


def _classifying(args):
    """Whether the options ask for a classifier (the data may, too)."""
    from .._losses import CLASSIFICATION_LOSSES

    return args.classify or args.loss in CLASSIFICATION_LOSSES


def _estimator_from_args(args, classify):
    """The estimator the options describe, every value checked.

    Called before the first pass over the data, and again once the data has
    shown a target of labels.
    """
    from .._classifier import RMSpropClassifier
    from .._losses import CLASSIFICATION_LOSSES, LOSSES
    from .._regressor import RMSpropRegressor

    cls = RMSpropClassifier if classify else RMSpropRegressor
    if classify and args.loss in LOSSES:
        raise CommandError(
            f"--loss {args.loss} is a regressor's, and the target is "
            f"classified; choose one of {', '.join(CLASSIFICATION_LOSSES)}"
        )
    if not classify and args.class_weight is not None:
        raise CommandError("--class-weight is for classifiers: add --classify")
    params = {
        name: getattr(args, name) for name in cls().get_params() if hasattr(args, name)
    }
    if params.get("loss") is None:  # the estimator's own default
        params.pop("loss", None)
    model = cls(**params)
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


class _Classes:
    """The classes of a target of labels and their counts, from the first pass."""

    def __init__(self):
        self.counts = {}

    def add(self, labels):
        found, counts = np.unique(labels, return_counts=True)
        for label, count in zip(found, counts, strict=True):
            self.counts[label] = self.counts.get(label, 0) + int(count)

    @property
    def classes(self):
        return np.array(sorted(self.counts), dtype=object)

    def balanced(self):
        """The weights of class_weight="balanced", as a dict."""
        n_samples, n_classes = sum(self.counts.values()), len(self.counts)
        return {
            label: n_samples / (n_classes * count)
            for label, count in self.counts.items()
        }


class _LocalPasses:
    """Passes over a CSV or Parquet file, chunk by chunk, in this process.

    A regression target is scaled with the features; a classification
    target holds labels, counted in the first pass.
    """

    def __init__(self, data, target, features, chunksize, classify):
        self.data, self.target, self.features = data, target, features
        self.columns = [*features, target]
        self.chunksize = chunksize
        self.labels = _Classes() if classify else None

    def _arrays(self):
        """``(values, y)`` of each chunk: the features and the regression
        target as float64, and the labels (None when regressing)."""
        for frame in chunks(self.data, self.columns, self.chunksize):
            if self.labels is None:
                yield numeric(frame, self.columns, self.data), None
            else:
                X = numeric(frame, self.features, self.data)
                yield X, labels(frame, self.target, self.data)

    def scale(self, scaler, report):
        rows = 0
        for values, y in self._arrays():
            scaler.partial_fit(values)
            if y is not None:
                self.labels.add(y)
            rows += len(values)
            report(rows)
        return scaler, rows

    def epoch(self, scaler, model, report):
        rows, weighted_loss = 0, 0.0
        for values, y in self._arrays():
            scaled = scaler.transform(values)
            if y is None:
                model.partial_fit(scaled[:, :-1], scaled[:, -1])
            else:
                model.partial_fit(scaled, y, classes=self.labels.classes)
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

    def __init__(self, data, target, features, classify):
        import dask.dataframe as dd

        self.data, self.target, self.features = data, target, features
        self.columns = [*features, target]
        frame = dd.read_parquet(data, columns=self.columns)
        sizes = [int(size) for size in frame.map_partitions(len).compute()]
        self.frame = frame.partitions[[i for i, size in enumerate(sizes) if size]]
        self.sizes = [size for size in sizes if size]
        self.labels = _Classes() if classify else None

    def _blocks(self, transform, n_columns):
        """``(X, y)`` as Dask collections, from the same partitions.

        ``X`` is the first ``n_columns`` of ``transform`` of each partition's
        values (the features, and the target when regressing); ``y`` their
        last column, or the labels when classifying. Both come through
        map_partitions: a plain column selection lets Dask plan each one with
        its own partitioning.
        """
        import pandas as pd

        columns = self.columns if self.labels is None else self.features
        target = self.target

        def values(part):
            return transform(part[columns].to_numpy(np.float64))

        X = self.frame.map_partitions(
            lambda part: pd.DataFrame(values(part)[:, :n_columns]),
            meta=pd.DataFrame({i: pd.Series(dtype="f8") for i in range(n_columns)}),
        )
        if self.labels is None:
            y = self.frame.map_partitions(
                lambda part: pd.Series(values(part)[:, -1]), meta=pd.Series(dtype="f8")
            )
        else:
            y = self.frame.map_partitions(
                lambda part: part[target].astype(str), meta=pd.Series(dtype=object)
            )
        return X, y

    def _n_features(self, scaling):
        if self.labels is not None:
            return len(self.features)
        return len(self.columns) if scaling else len(self.features)

    def scale(self, scaler, report):
        from ..dask import partial_fit_blocks

        if self.labels is not None:
            target = self.frame[self.target]
            if int(target.isna().sum().compute()):
                raise CommandError(
                    f"column {self.target!r} of {self.data} holds a missing label"
                )
            counts = target.astype(str).value_counts().compute()
            self.labels.counts = {label: int(n) for label, n in counts.items()}
        X, y = self._blocks(lambda values: values, self._n_features(True))
        scaler = partial_fit_blocks(scaler, X, y)
        report(sum(self.sizes))
        return scaler, sum(self.sizes)

    def epoch(self, scaler, model, report):
        from ..dask import partial_fit_blocks

        X, y = self._blocks(scaler.transform, self._n_features(False))
        classes = None if self.labels is None else self.labels.classes
        model = partial_fit_blocks(model, X, y, classes=classes)
        losses = model.loss_curve_[-len(self.sizes) :]
        loss = float(np.average(losses, weights=self.sizes))
        report(sum(self.sizes), loss)
        return model, sum(self.sizes), loss


def command_fit(args, out=sys.stdout):
    classify = _classifying(args)
    model = _estimator_from_args(args, classify)
    if model.early_stopping:
        raise CommandError("early_stopping is not available when streaming")
    with rereadable(args.data) as data:
        available = columns_of(data)
        check_columns([args.target], available, args.data)
        features = args.features or [c for c in available if c != args.target]
        if not features:
            raise CommandError(f"{args.data} has no feature column besides the target")
        check_columns(features, available, args.data)
        if not classify:
            first = next(chunks(data, [args.target], args.chunksize), None)
            if first is not None and not is_numeric(first, args.target):
                classify = True  # a target of labels
                model = _estimator_from_args(args, classify)
        if args.scheduler is None:
            passes = _LocalPasses(data, args.target, features, args.chunksize, classify)
            _train(args, features, model, passes, out)
            return
        if not is_parquet(data):
            raise CommandError(
                "--scheduler reads Parquet data: a .parquet or .pq file or a directory"
            )
        from distributed import Client

        with Client(args.scheduler, timeout="10s"):
            passes = _ClusterPasses(data, args.target, features, classify)
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
        if passes.labels is not None:
            _check_classes(passes.labels, model, args)
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
    kind = "" if passes.labels is None else f"{len(passes.labels.counts)} classes, "
    print(
        f"saved {args.model}: {len(features)} features, {kind}{epoch} epochs, "
        f"random_state={seed}",
        file=out,
    )


def _check_classes(labels, model, args):
    """Refuse a single class; turn class_weight="balanced" into the counted weights.

    ``partial_fit`` sees one chunk at a time, so the weights of "balanced"
    come from the first pass's counts, as a dict.
    """
    if len(labels.counts) < 2:
        (label,) = labels.counts
        raise CommandError(
            f"column {args.target!r} of {args.data} holds one class ({label!r}); "
            "a classifier needs at least two"
        )
    if model.class_weight == "balanced":
        model.set_params(class_weight=labels.balanced())


def _fitted_model(model, scaler, features, args):
    """The model that ``fit`` saves, fitted from the passes.

    A TransformedTargetRegressor for a regressor; the Pipeline of the feature
    scaler and the estimator for a classifier.
    """
    from sklearn.base import clone, is_classifier
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if is_classifier(model):
        scaler.feature_names_in_ = np.asarray(features, dtype=object)
        return Pipeline(list(zip(MODEL_STEP_NAMES, (scaler, model), strict=True)))
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
    """Predict chunk by chunk and write CSV: a 'prediction' column, or with
    ``--proba`` one 'proba_LABEL' column per class."""
    import pandas as pd

    predict = _probabilities(pipeline, args) if args.proba else model.predict
    features = list(pipeline[0].feature_names_in_)
    header = True
    for frame in chunks(data, features, args.chunksize):
        X = pd.DataFrame(numeric(frame, features, args.data), columns=features)
        output = np.asarray(predict(X))
        if args.proba:
            names = [f"proba_{label}" for label in pipeline[-1].classes_]
            written = pd.DataFrame(output, columns=names)
        else:
            written = pd.DataFrame({"prediction": output.reshape(len(X), -1)[:, 0]})
        written.to_csv(sink, index=False, header=header)
        header = False
    if header:
        raise CommandError(f"{args.data} has no rows")


def _probabilities(pipeline, args):
    """The pipeline's predict_proba, or a clear error if it has none."""
    from sklearn.base import is_classifier

    estimator = pipeline[-1]
    if not is_classifier(estimator):
        raise CommandError(
            f"--proba needs a classifier; {args.model} holds a regressor"
        )
    if not hasattr(estimator, "predict_proba"):
        raise CommandError(
            f"the classifier in {args.model} has loss {estimator.loss!r}, which gives "
            "no probabilities; fit with --loss log_loss or modified_huber"
        )
    return pipeline.predict_proba


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

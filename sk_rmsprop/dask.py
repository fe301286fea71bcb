"""Training and prediction on data that lives on a Dask cluster.

Needs the ``dask`` extra: ``pip install 'sk-rmsprop[dask]'``.

- `partial_fit_blocks` streams ``partial_fit`` over the blocks of Dask arrays
  or DataFrame columns. Each step is a task that runs where its block lives,
  so the model travels from block to block and the data never goes to the
  client.
- `predict_blocks` predicts block by block and returns a Dask array.

Hyperparameter searches need nothing from this module: under
``joblib.parallel_config(backend="dask")``, scikit-learn's searches run their
fits on the cluster.
"""

import copy

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import validate_data

__all__ = ["partial_fit_blocks", "predict_blocks"]


def _import_dask():
    try:
        import dask
        import dask.array as da
    except ImportError as exc:
        raise ImportError(
            "sk_rmsprop.dask requires dask, which is not installed. Install it "
            "with: pip install 'sk-rmsprop[dask]'"
        ) from exc
    return dask, da


def _is_frame(obj):
    """A Dask DataFrame or Series (Dask arrays have no divisions)."""
    return hasattr(obj, "divisions") and hasattr(obj, "to_delayed")


def _row_blocks(name, data, dask, da):
    """The delayed row blocks of ``data`` and their sizes (None if unknown)."""
    if _is_frame(data):
        return list(data.to_delayed()), None
    if not isinstance(data, da.Array):
        raise TypeError(
            f"{name} must be a Dask array or a Dask DataFrame or Series; got "
            f"{type(data).__name__}."
        )
    if any(np.isnan(size) for size in data.chunks[0]):
        raise ValueError(
            f"{name} has unknown chunk sizes. Compute them first, with "
            f"{name}.compute_chunk_sizes(), or to_dask_array(lengths=True) for "
            "a DataFrame."
        )
    if data.ndim == 2 and len(data.chunks[1]) > 1:
        data = data.rechunk({1: -1})  # whole rows in every block
    return list(data.to_delayed().ravel()), data.chunks[0]


def _aligned_blocks(X, y, sample_weight):
    """Zip the row blocks of X, y and sample_weight, checking they line up."""
    dask, da = _import_dask()
    blocks, sizes = {}, {}
    inputs = {"X": X, "y": y}
    if sample_weight is not None:
        inputs["sample_weight"] = sample_weight
    for name, data in inputs.items():
        blocks[name], sizes[name] = _row_blocks(name, data, dask, da)
    counts = {name: len(b) for name, b in blocks.items()}
    if len(set(counts.values())) > 1:
        raise ValueError(
            "X, y and sample_weight must be split into the same row blocks; "
            f"they have {counts} blocks. Rechunk (or repartition) them alike."
        )
    known = {name: s for name, s in sizes.items() if s is not None}
    if len({tuple(s) for s in known.values()}) > 1:
        raise ValueError(
            "X, y and sample_weight must be split into the same row blocks; "
            f"their row chunks are {known}. Rechunk them alike."
        )
    divisions = {
        name: data.divisions
        for name, data in inputs.items()
        if _is_frame(data) and data.known_divisions
    }
    if len(set(divisions.values())) > 1:
        raise ValueError(
            "X, y and sample_weight must be split into the same partitions; "
            f"their divisions differ: {divisions}."
        )
    names = list(inputs)
    return names, list(zip(*(blocks[n] for n in names), strict=True))


def _check_columns(estimator, X):
    """Check a Dask DataFrame's columns against a fitted estimator, on the client.

    Local ``predict`` and ``partial_fit`` refuse columns that are not the ones
    seen in fit, in the same order; blocks must too, before any task runs.
    """
    if _is_frame(X) and hasattr(estimator, "n_features_in_"):
        validate_data(estimator, X._meta, reset=False, skip_check_array=True)


def _partial_fit_block(estimator, X, y, sample_weight=None, classes=None):
    if len(X) == 0:  # an empty partition holds nothing to learn from
        return estimator
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight)
    # A DataFrame block stays one, so that partial_fit sees its column names.
    X = X if hasattr(X, "columns") else np.asarray(X)
    # Only a classifier takes classes (and needs them on its first call).
    options = {} if classes is None else {"classes": classes}
    estimator.partial_fit(X, np.asarray(y), sample_weight=sample_weight, **options)
    return estimator


def partial_fit_blocks(estimator, X, y, sample_weight=None, epochs=1, classes=None):
    """Stream ``partial_fit`` over the blocks of Dask collections.

    Read more in the :ref:`Dask guide <dask>`.

    Parameters
    ----------
    estimator : estimator with ``partial_fit``
        Typically a `~sk_rmsprop.RMSpropRegressor` or
        `~sk_rmsprop.RMSpropClassifier`, fitted or not. It is not modified:
        training continues on a copy.

    X : dask.array.Array of shape (n_samples, n_features) or dask DataFrame
        The data; a block is a set of whole rows.

    y : dask.array.Array or dask Series of shape (n_samples,)
        The targets (a classifier's labels), split into the same row blocks
        as ``X``.

    sample_weight : dask.array.Array or dask Series, default=None
        Weights, split into the same row blocks as ``X``.

    epochs : int, default=1
        Number of passes over the blocks, in order.

    classes : array-like of shape (n_classes,), default=None
        For a classifier: every class of the data, passed to each
        ``partial_fit``. Required unless the classifier has been fitted
        before, since a block need not hold every class.

    Returns
    -------
    estimator : estimator
        The trained copy. It is bit-identical to calling ``partial_fit``
        locally on the same blocks in the same order. Empty blocks are
        skipped.

    Raises
    ------
    ValueError
        If the collections are split into different row blocks, if a Dask
        array has unknown chunk sizes, or if the columns of a DataFrame ``X``
        are not those the estimator was fitted with, in the same order.
    """
    dask, _ = _import_dask()
    if int(epochs) != epochs or epochs < 1:
        raise ValueError(f"epochs must be a positive integer; got {epochs!r}.")
    _check_columns(estimator, X)
    names, blocks = _aligned_blocks(X, y, sample_weight)
    model = dask.delayed(copy.deepcopy)(estimator)
    for _ in range(int(epochs)):
        for block in blocks:
            arguments = dict(zip(names, block, strict=True))
            model = dask.delayed(_partial_fit_block)(
                model,
                arguments["X"],
                arguments["y"],
                arguments.get("sample_weight"),
                classes,
            )
    return model.compute()


def predict_blocks(estimator, X):
    """Predict block by block on a Dask array; return a Dask array.

    Read more in the :ref:`Dask guide <dask>`.

    Parameters
    ----------
    estimator : fitted estimator
        Its ``predict`` runs on each block.

    X : dask.array.Array of shape (n_samples, n_features) or dask DataFrame
        Data, with known chunk sizes. A DataFrame's columns must be those the
        estimator was fitted with, in the same order.

    Returns
    -------
    y_pred : dask.array.Array of shape (n_samples,) or (n_samples, n_targets)
        Lazy predictions with the row chunks of ``X``: a classifier's labels,
        or a regressor's values.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, has unknown chunk sizes, or has other columns
        than the estimator was fitted with.
    """
    dask, da = _import_dask()
    _check_columns(estimator, X)
    if _is_frame(X):
        X = X.to_dask_array(lengths=True)
    _row_blocks("X", X, dask, da)  # checks the type and the chunk sizes
    if X.ndim != 2:
        raise ValueError(
            f"X must be 2-D, of shape (n_samples, n_features); got a {X.ndim}-D "
            f"Dask array of shape {X.shape}. For a single feature, pass "
            "X.reshape(-1, 1)."
        )
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    if is_classifier(estimator):  # one label per row
        dtype = estimator.classes_.dtype
        return X.map_blocks(
            estimator.predict, drop_axis=1, dtype=dtype, meta=np.empty(0, dtype)
        )
    n_targets = np.ndim(getattr(estimator, "coef_", np.zeros(1)))
    dtype = np.result_type(X.dtype, getattr(estimator, "coef_", np.float64))
    if n_targets == 1:
        return X.map_blocks(
            estimator.predict, drop_axis=1, dtype=dtype, meta=np.empty(0, dtype)
        )
    n_out = estimator.coef_.shape[0]
    return X.map_blocks(
        estimator.predict,
        chunks=(X.chunks[0], (n_out,)),
        dtype=dtype,
        meta=np.empty((0, 0), dtype),
    )

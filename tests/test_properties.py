"""Properties of RMSpropRegressor that must hold for any data and settings.

Hypothesis draws the data (shapes down to one sample, float32 or float64,
dense or any sparse format, sample weights with zeros, one or two targets)
and the parameters that change the arithmetic (momentum, centered, alpha,
batch size, averaging, early stopping), and checks:

- a fit or partial_fit that raises leaves the estimator exactly as it was;
- inputs are never mutated;
- sparse input equals dense input for a few epochs;
- partial_fit over chunks equals the epoch of fit over the same order;
- pickling mid-stream and resuming is bit-identical;
- a fit that returns predicts finite values on its training data;
- y and [y, y] give the same model.
"""

import copy
import os
import pickle
import warnings
from unittest import mock

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

import sk_rmsprop._base as base_module
from sk_rmsprop import RMSpropRegressor

# Bounded so that the whole suite stays within a few minutes on 2 cores. On CI
# (CI set) the examples are drawn the same way every run, so that a red CI
# always reproduces; elsewhere each run explores new ones.
SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SPARSE_FORMATS = [
    sp.csr_array,
    sp.csr_matrix,
    sp.csc_array,
    sp.coo_array,
    sp.lil_array,
    sp.dok_array,
    sp.bsr_array,
    sp.dia_array,
]


def _dense(X):
    return X


CONTAINERS = [_dense, *SPARSE_FORMATS]


@st.composite
def problems(draw, min_samples=1, dtypes=(np.float32, np.float64), containers=None):
    """Data for one fit: X (in some container), y, sample weights, and a seed."""
    n_features = draw(st.integers(1, 5))
    n_samples = draw(st.integers(max(min_samples, 1), 40))
    dtype = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    density = draw(st.sampled_from([0.2, 0.6, 1.0]))
    X = rng.normal(size=(n_samples, n_features)) * (
        rng.uniform(size=(n_samples, n_features)) < density
    )
    n_targets = draw(st.sampled_from([1, 2]))
    y = X @ rng.normal(size=(n_features, n_targets)) + rng.normal(size=n_targets)
    y += 0.3 * rng.normal(size=y.shape)
    y = y[:, 0] if n_targets == 1 and draw(st.booleans()) else y
    if draw(st.booleans()):
        sample_weight = rng.randint(0, 4, size=n_samples).astype(float)
        sample_weight[rng.randint(n_samples)] = 1.0  # at least one non-zero
    else:
        sample_weight = None
    container = draw(st.sampled_from(containers or CONTAINERS))
    return container(X.astype(dtype)), y.astype(dtype), sample_weight


@st.composite
def parameters(draw, early_stopping=True):
    """The parameters that change the arithmetic, and a seed."""
    params = dict(
        momentum=draw(st.sampled_from([0.0, 0.5])),
        centered=draw(st.booleans()),
        alpha=draw(st.sampled_from([0.0, 0.1])),
        batch_size=draw(st.sampled_from([1, 3, 8, None])),
        fit_intercept=draw(st.booleans()),
        random_state=draw(st.integers(0, 1000)),
        learning_rate=draw(st.sampled_from([0.01, 0.1])),
        average=draw(st.sampled_from([False, True, 5])),
    )
    if early_stopping:
        params["early_stopping"] = draw(st.booleans())
    return params


def _n_samples(X):
    return X.shape[0]


def _snapshot(value):
    """A deep copy that compares by content, sparse matrices included."""
    if sp.issparse(value):
        return ("sparse", type(value), value.toarray(), value.dtype)
    return copy.deepcopy(value)


def _assert_same(a, b):
    """Assert two snapshots (or attribute dictionaries) are equal in content."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype
        assert_array_equal(a, b)
    else:
        assert a == b or (a != a and b != b), (a, b)  # NaN equals NaN here


def _fit_quietly(model, *args, **kwargs):
    """Fit without convergence warnings; reject the example if fit refuses
    sample weights that leave the training or validation rows weightless
    (a refusal tested on its own in test_regressor.py)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        try:
            return model.fit(*args, **kwargs)
        except ValueError as error:
            if "zero sample_weight" in str(error):
                reject()
            raise


def _enough_for_early_stopping(params, X):
    return not params.get("early_stopping") or _n_samples(X) >= 25


# ----------------------------------------------------------------------------
# Nothing is lost


FAILURES = ["nan in X", "wrong feature count", "kernel raises", "interrupt"]


@SETTINGS
@given(
    problem=problems(),
    params=parameters(),
    failure=st.sampled_from(FAILURES),
    method=st.sampled_from(["fit", "partial_fit"]),
    fail_at=st.integers(1, 3),
    fused=st.booleans(),
)
def test_a_failed_call_leaves_the_estimator_as_it_was(
    problem, params, failure, method, fail_at, fused
):
    X, y, sample_weight = problem
    assume(_enough_for_early_stopping(params, X))
    model = _fit_quietly(
        RMSpropRegressor(n_iter=2, tol=None, **params), X, y, sample_weight
    )
    if method == "partial_fit":
        model.set_params(early_stopping=False).partial_fit(X, y, sample_weight)
    before = _snapshot(model.__dict__)

    X_call = X
    X_dense = X.toarray() if sp.issparse(X) else X
    if failure == "nan in X":
        X_call = X_dense.copy()
        X_call[0, 0] = np.nan
    elif failure == "wrong feature count":
        X_call = np.hstack([X_dense, X_dense[:, :1]])
    # A fit runs up to 3 epochs and fails in epoch fail_at; a partial_fit
    # runs one.
    fail_at = fail_at if method == "fit" else 1
    calls = []
    error = KeyboardInterrupt if failure == "interrupt" else RuntimeError

    def failing_epoch(*args):
        calls.append(1)
        if len(calls) == fail_at:
            raise error("injected")
        return original_epoch(*args)

    def failing_fused(run):
        # What reaches Python as the compiled loop returns, state trained.
        original_fused(run)
        raise error("injected")

    original_epoch = base_module._run_epochs
    original_fused = base_module._EpochRun.fused
    patches = [mock.patch.object(base_module, "_run_epochs", failing_epoch)]
    if fused:
        patches.append(mock.patch.object(base_module._EpochRun, "fused", failing_fused))
    else:
        patches.append(mock.patch.object(base_module, "_FUSED_MAX_ROWS", 0))
    with patches[0], patches[1], pytest.raises((ValueError, RuntimeError, error)):
        model.set_params(n_iter=3)
        if method == "fit":
            _fit_quietly(model, X_call, y, sample_weight)
        else:
            model.partial_fit(X_call, y, sample_weight)
    model.set_params(n_iter=2)
    _assert_same(before, _snapshot(model.__dict__))


@SETTINGS
@given(problem=problems(), params=parameters())
def test_inputs_are_never_mutated(problem, params):
    X, y, sample_weight = problem
    assume(_enough_for_early_stopping(params, X))
    before = [_snapshot(v) for v in (X, y, sample_weight)]
    model = _fit_quietly(
        RMSpropRegressor(n_iter=2, tol=None, **params), X, y, sample_weight
    )
    model.predict(X)
    model.set_params(early_stopping=False).partial_fit(X, y, sample_weight)
    _assert_same(before, [_snapshot(v) for v in (X, y, sample_weight)])


# ----------------------------------------------------------------------------
# Equal paths give equal models


@SETTINGS
@given(
    problem=problems(min_samples=12, dtypes=(np.float64,), containers=[_dense]),
    params=parameters(),
    sparse_format=st.sampled_from(SPARSE_FORMATS),
)
def test_sparse_equals_dense_for_a_few_epochs(problem, params, sparse_format):
    X, y, sample_weight = problem
    assume(_enough_for_early_stopping(params, X))
    # At least a few more rows than parameters carry weight, so that the few
    # epochs cannot reach an exact fit, where gradients are rounding noise and
    # RMSprop amplifies last-bit differences (see the class Notes).
    weighted_rows = X.shape[0] if sample_weight is None else np.sum(sample_weight > 0)
    assume(weighted_rows >= X.shape[1] + 4)
    model = RMSpropRegressor(n_iter=3, tol=None, **params)
    dense = _fit_quietly(model, X, y, sample_weight)
    sparse = _fit_quietly(
        RMSpropRegressor(**model.get_params()), sparse_format(X), y, sample_weight
    )
    # Same sums but for the order and the closed-form catch-up; the atol is
    # for a coefficient that passes through zero, where no relative precision
    # exists.
    assert_allclose(sparse.coef_, dense.coef_, rtol=1e-10, atol=1e-13)
    assert_allclose(sparse.intercept_, dense.intercept_, rtol=1e-10, atol=1e-13)
    assert_allclose(sparse.loss_curve_, dense.loss_curve_, rtol=1e-10)
    assert sparse.t_ == dense.t_


@SETTINGS
@given(problem=problems(), params=parameters(early_stopping=False), data=st.data())
def test_partial_fit_chunks_equal_one_epoch_of_fit(problem, params, data):
    X, y, sample_weight = problem
    X = X.tocsr() if sp.issparse(X) else X  # chunks are row slices
    n = _n_samples(X)
    batch = n if params["batch_size"] is None else params["batch_size"]
    n_batches = -(-n // batch)
    # Chunk edges on batch edges: then the chunks' batches are fit's batches.
    edges = sorted(
        data.draw(st.sets(st.integers(1, max(n_batches - 1, 1)), max_size=3))
    )
    bounds = [0] + [min(e * batch, n) for e in edges if e * batch < n] + [n]
    pairs = zip(bounds[:-1], bounds[1:], strict=True)
    chunks = [slice(a, b) for a, b in pairs if b > a]
    weights = np.ones(n) if sample_weight is None else sample_weight
    for chunk in chunks:
        assume(np.any(weights[chunk] > 0))  # partial_fit refuses a weightless chunk
    params.update(shuffle=False, batch_size=batch)
    streamed = RMSpropRegressor(**params)
    for chunk in chunks:
        streamed.partial_fit(
            X[chunk], y[chunk], None if sample_weight is None else weights[chunk]
        )
    # The first partial_fit starts the intercept at its chunk's weighted
    # mean, computed as the estimator does: per target, in X's dtype.
    first = chunks[0]
    Y_first = y[first].reshape(first.stop - first.start, -1)
    w_first = weights[first].astype(X.dtype)
    start = np.array(
        [
            np.average(np.ascontiguousarray(Y_first[:, k]), weights=w_first)
            for k in range(Y_first.shape[1])
        ]
    )
    start = start[0] if y.ndim == 1 else start
    whole = RMSpropRegressor(n_iter=1, tol=None, **params)
    whole.fit(
        X,
        y,
        sample_weight=sample_weight,
        intercept_init=start if params["fit_intercept"] else None,
    )
    assert streamed.t_ == whole.t_
    if not sp.issparse(X):
        assert_array_equal(streamed.coef_, whole.coef_)
        assert_array_equal(streamed.intercept_, whole.intercept_)
        assert_array_equal(streamed.square_avg_, whole.square_avg_)
        return
    # Sparse input: every call catches up its deferred updates at its end, so
    # a column idle across a chunk edge decays by rho * (rho * v) instead of
    # rho**2 * v. Equal to rounding, as sparse and dense are (class Notes).
    tolerance = (
        dict(rtol=1e-10, atol=1e-13)
        if X.dtype == np.float64
        else dict(rtol=1e-5, atol=1e-7)
    )
    assert_allclose(streamed.coef_, whole.coef_, **tolerance)
    assert_allclose(streamed.intercept_, whole.intercept_, **tolerance)
    assert_allclose(streamed.square_avg_, whole.square_avg_, **tolerance)


@SETTINGS
@given(
    problem=problems(),
    params=parameters(early_stopping=False),
    n_chunks=st.integers(2, 5),
    pause=st.integers(0, 4),
)
def test_pickling_mid_stream_resumes_bit_identically(problem, params, n_chunks, pause):
    X, y, sample_weight = problem
    X = X.tocsr() if sp.issparse(X) else X
    rows = np.array_split(np.arange(_n_samples(X)), n_chunks)
    weights = np.ones(_n_samples(X)) if sample_weight is None else sample_weight
    chunks = [r for r in rows if len(r) and np.any(weights[r] > 0)]
    assume(chunks)
    straight = RMSpropRegressor(**params)
    paused = RMSpropRegressor(**params)
    for i, r in enumerate(chunks):
        sw = None if sample_weight is None else weights[r]
        straight.partial_fit(X[r], y[r], sw)
        paused.partial_fit(X[r], y[r], sw)
        if i == pause % len(chunks):
            paused = pickle.loads(pickle.dumps(paused))
    _assert_same(straight.__dict__, paused.__dict__)


@SETTINGS
@given(
    problem=problems(),
    params=parameters(early_stopping=False),
    epochs=st.integers(1, 3),
)
def test_warm_start_after_pickling_resumes_bit_identically(problem, params, epochs):
    # (With early stopping each fit restores its own best epoch, so a split
    # fit is not one long fit.)
    X, y, sample_weight = problem
    params.update(tol=None, n_iter=epochs)
    straight = _fit_quietly(
        RMSpropRegressor(**{**params, "n_iter": 2 * epochs}), X, y, sample_weight
    )
    resumed = _fit_quietly(
        RMSpropRegressor(warm_start=True, **params), X, y, sample_weight
    )
    resumed = _fit_quietly(pickle.loads(pickle.dumps(resumed)), X, y, sample_weight)
    assert_array_equal(resumed.coef_, straight.coef_)
    assert_array_equal(resumed.intercept_, straight.intercept_)
    assert_array_equal(resumed.loss_curve_, straight.loss_curve_)


# ----------------------------------------------------------------------------
# What a returned fit promises


@SETTINGS
@given(
    problem=problems(),
    params=parameters(),
    learning_rate=st.sampled_from([0.01, 1.0, 1e10, 1e300]),
    scale=st.sampled_from([1.0, 1e100, 1e200]),
)
def test_a_returned_fit_predicts_finite_values(problem, params, learning_rate, scale):
    X, y, sample_weight = problem
    assume(_enough_for_early_stopping(params, X))
    params["learning_rate"] = learning_rate
    X = X * X.dtype.type(scale) if X.dtype == np.float64 else X
    model = RMSpropRegressor(n_iter=3, tol=None, **params)
    try:
        _fit_quietly(model, X, y, sample_weight)
    except ValueError as error:
        # The only acceptable refusals name their cause.
        assert "diverged" in str(error) or "float32" in str(error), str(error)
        return
    assert np.all(np.isfinite(model.predict(X)))


@SETTINGS
@given(problem=problems(), params=parameters(), tol=st.sampled_from([None, 1e-3]))
def test_y_and_two_copies_of_y_give_the_same_model(problem, params, tol):
    X, y, sample_weight = problem
    assume(_enough_for_early_stopping(params, X))
    y = y if y.ndim == 1 else y[:, 0]
    model = RMSpropRegressor(n_iter=30, tol=tol, **params)
    single = _fit_quietly(model, X, y, sample_weight)
    double = _fit_quietly(
        RMSpropRegressor(**model.get_params()),
        X,
        np.column_stack([y, y]),
        sample_weight,
    )
    assert double.n_iter_ == single.n_iter_
    assert_array_equal(double.loss_curve_, single.loss_curve_)
    for k in range(2):
        assert_array_equal(double.coef_[k], single.coef_)
        assert double.intercept_[k] == single.intercept_

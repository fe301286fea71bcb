"""RMSpropRegressor: the tutorial's numbers, the oracle, and user-facing behaviour."""

import io
import itertools
import pickle
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sk_rmsprop import RMSpropRegressor

from ._reference import rmsprop_reference

# ----------------------------------------------------------------------------
# The tutorial


def test_reproduces_tutorial_full_batch_example(tutorial_data):
    x, y = tutorial_data
    model = RMSpropRegressor(
        learning_rate=0.001,
        decay_rate=0.9,
        epsilon=1e-8,
        n_iter=5000,
        batch_size=None,
        shuffle=False,
        tol=None,
    )
    model.fit(x, y, coef_init=[3.0], intercept_init=5.0)
    # Published: "Optimized parameters (m, b): [0.54935276 5.24240429]",
    # printed to 8 decimals, so agreement within half a unit of the last digit.
    assert_allclose(model.coef_, [0.54935276], rtol=0, atol=5e-9)
    assert_allclose(model.intercept_, 5.24240429, rtol=0, atol=5e-9)
    rmse = np.mean((y - model.predict(x)) ** 2) ** 0.5
    assert_allclose(rmse, 5.813195776655382, rtol=1e-13)
    assert model.n_iter_ == 5000 and model.t_ == 5000


def test_defaults_are_the_tutorials():
    params = RMSpropRegressor().get_params()
    assert params["learning_rate"] == 0.01
    assert params["decay_rate"] == 0.9
    assert params["epsilon"] == 1e-8
    assert params["n_iter"] == 1000
    assert params["batch_size"] == 32


# ----------------------------------------------------------------------------
# The oracle: the estimator against the plain-NumPy loop on replayed orders

N_EPOCHS = 3

# Every combination of the settings that change the arithmetic.
SETTINGS = "fit_intercept, momentum, centered, alpha, weighted, multi_output"
SETTING_VALUES = list(
    itertools.product(
        [True, False],
        [0.0, 0.9],
        [False, True],
        [0.0, 0.1],
        [False, True],
        [False, True],
    )
)


@pytest.mark.parametrize(SETTINGS, SETTING_VALUES)
@pytest.mark.parametrize("batch_size", [7, None])
@pytest.mark.parametrize("average", [False, 4])
def test_matches_reference_on_replayed_permutations(
    regression_data,
    multi_target_data,
    recorded_permutations,
    average,
    batch_size,
    fit_intercept,
    momentum,
    centered,
    alpha,
    weighted,
    multi_output,
):
    X, y = multi_target_data if multi_output else regression_data
    rng = np.random.RandomState(3)
    sample_weight = (
        rng.randint(0, 4, size=X.shape[0]).astype(float) if weighted else None
    )
    params = dict(
        learning_rate=0.05,
        decay_rate=0.8,
        epsilon=1e-7,
        batch_size=batch_size,
        momentum=momentum,
        centered=centered,
        alpha=alpha,
        fit_intercept=fit_intercept,
    )
    model = RMSpropRegressor(
        n_iter=N_EPOCHS, tol=None, random_state=0, average=average, **params
    )
    # Start the intercept at 0, not at the default weighted mean of y: from the
    # mean the first intercept gradient is sum(w * r) = 0 up to rounding, and
    # dividing that noise by ~epsilon leaves ~1e-10 differences that depend
    # only on summation order. The default start is tested on its own below.
    intercept_init = (
        (0.0 if not multi_output else np.zeros(3)) if fit_intercept else None
    )
    model.fit(X, y, sample_weight=sample_weight, intercept_init=intercept_init)
    assert len(recorded_permutations) == N_EPOCHS

    Y = y.reshape(X.shape[0], -1)
    n_targets = Y.shape[1]
    params["batch_size"] = batch_size or X.shape[0]
    start = (np.zeros((n_targets, X.shape[1])), np.zeros(n_targets))
    data = (X, Y, recorded_permutations, *start)
    reference = rmsprop_reference(
        *data, sample_weight=sample_weight, average=average, **params
    )
    iterate = rmsprop_reference(*data, sample_weight=sample_weight, **params)
    if average:
        # Mini-batches average from update 4 on; the 3 full-batch updates
        # never reach it, and publish the iterate.
        assert (model.t_ >= average) == bool(batch_size)
        assert np.array_equal(model.coef_, model.iterate_coef_) == (not batch_size)
    for fitted, expected in [
        ((model.coef_, model.intercept_), reference),
        ((model.iterate_coef_, model.iterate_intercept_), iterate),
    ]:
        coef, intercept = expected
        if not multi_output:
            coef, intercept = coef[0], intercept[0]
        # Same operations in float64; only the order of the sums differs (and,
        # for the average, a running mean in place of a sum).
        assert_allclose(fitted[0], coef, rtol=1e-10, atol=1e-14)
        assert_allclose(fitted[1], intercept, rtol=1e-10, atol=1e-14)


def _setting_data(sparse_regression_data, weighted, multi_output):
    """The sparse-looking data of the settings grid, as (X, y, sample_weight)."""
    X, y = sparse_regression_data
    if multi_output:
        y = np.column_stack([y, 2 * y - 1])
    rng = np.random.RandomState(3)
    sample_weight = rng.randint(0, 4, size=X.shape[0]) if weighted else None
    return X, y, sample_weight


def _setting_params(fit_intercept, momentum, centered, alpha):
    """Estimator parameters for one point of the settings grid."""
    return dict(
        batch_size=8,
        random_state=0,
        learning_rate=0.05,
        fit_intercept=fit_intercept,
        momentum=momentum,
        centered=centered,
        alpha=alpha,
    )


STOPPING = {
    "n_iter": dict(tol=None),
    "tol": dict(tol=1e-2, n_iter_no_change=2),
    "early stopping": dict(early_stopping=True, tol=1e-3, n_iter_no_change=2),
    "adaptive step": dict(
        tol=1e-2, n_iter_no_change=2, learning_rate_schedule="adaptive"
    ),
    "average from update 20": dict(tol=1e-2, n_iter_no_change=2, average=20),
    "average, early stopping": dict(
        early_stopping=True, tol=1e-3, n_iter_no_change=2, average=True
    ),
}


@pytest.mark.parametrize(SETTINGS, SETTING_VALUES)
@pytest.mark.parametrize("container", [np.asarray, sp.csr_array])
@pytest.mark.parametrize("stopping", list(STOPPING))
def test_fused_fit_equals_the_epoch_by_epoch_fit(
    sparse_regression_data,
    monkeypatch,
    container,
    stopping,
    fit_intercept,
    momentum,
    centered,
    alpha,
    weighted,
    multi_output,
):
    import sk_rmsprop._base as module

    X, y, sample_weight = _setting_data(sparse_regression_data, weighted, multi_output)
    params = dict(
        n_iter=25,
        **_setting_params(fit_intercept, momentum, centered, alpha),
        **STOPPING[stopping],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fused = RMSpropRegressor(**params).fit(container(X), y, sample_weight)
        monkeypatch.setattr(module, "_FUSED_MAX_ROWS", 0)  # one epoch per call
        stepped = RMSpropRegressor(**params).fit(container(X), y, sample_weight)
    for name in (
        "coef_",
        "intercept_",
        "iterate_coef_",
        "iterate_intercept_",
        "square_avg_",
        "grad_avg_",
        "momentum_buffer_",
        "loss_curve_",
        "n_iter_",
        "t_",
        "validation_scores_",
        "best_validation_score_",
        "learning_rate_",
    ):
        assert_array_equal(getattr(stepped, name), getattr(fused, name), name)


def test_shuffle_false_visits_rows_in_order(regression_data, recorded_permutations):
    X, y = regression_data
    RMSpropRegressor(shuffle=False, n_iter=2, tol=None).fit(X, y)
    for perm in recorded_permutations:
        assert_array_equal(perm, np.arange(X.shape[0]))


def test_shuffle_draws_a_new_order_every_epoch(regression_data, recorded_permutations):
    X, y = regression_data
    RMSpropRegressor(n_iter=2, tol=None, random_state=0).fit(X, y)
    first, second = recorded_permutations
    assert_array_equal(np.sort(first), np.arange(X.shape[0]))
    assert not np.array_equal(first, second)


# ----------------------------------------------------------------------------
# Sparse input: the same coefficients as the same data given densely


@pytest.mark.parametrize(SETTINGS, SETTING_VALUES)
@pytest.mark.parametrize("average", [False, 5])
def test_sparse_matches_dense(
    sparse_regression_data,
    average,
    fit_intercept,
    momentum,
    centered,
    alpha,
    weighted,
    multi_output,
):
    X, y, sample_weight = _setting_data(sparse_regression_data, weighted, multi_output)
    params = dict(
        n_iter=5,
        tol=None,
        average=average,
        **_setting_params(fit_intercept, momentum, centered, alpha),
    )
    dense = RMSpropRegressor(**params).fit(X, y, sample_weight=sample_weight)
    csr = RMSpropRegressor(**params).fit(
        sp.csr_array(X), y, sample_weight=sample_weight
    )
    # Same sums (zeros add nothing); deferred steps (and their part of the
    # average) use a power and geometric sums in place of repeated products.
    for name in ("coef_", "intercept_", "iterate_coef_", "iterate_intercept_"):
        assert_allclose(getattr(csr, name), getattr(dense, name), rtol=1e-10)
    for name in ("square_avg_", "grad_avg_", "momentum_buffer_"):
        assert_allclose(getattr(csr, name), getattr(dense, name), rtol=1e-10)
    assert csr.t_ == dense.t_
    assert_allclose(csr.loss_curve_, dense.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sparse_is_bit_identical_when_no_column_is_idle(
    sparse_regression_data, momentum
):
    # Full batches touch every column, so no update is deferred and the sums
    # are the dense ones with the zeros left out: equal to the last bit, over
    # any number of epochs.
    X, y = sparse_regression_data
    params = dict(
        batch_size=None, n_iter=300, tol=None, momentum=momentum, random_state=0
    )
    dense = RMSpropRegressor(**params).fit(X, y)
    csr = RMSpropRegressor(**params).fit(sp.csr_array(X), y)
    assert_array_equal(csr.coef_, dense.coef_)
    assert csr.intercept_ == dense.intercept_


@pytest.mark.parametrize(
    "container", [sp.csr_matrix, sp.csc_array, sp.coo_matrix, sp.lil_array]
)
def test_any_sparse_format_fits_and_predicts_like_csr(
    sparse_regression_data, container
):
    X, y = sparse_regression_data
    params = dict(n_iter=3, tol=None, random_state=0, momentum=0.5)
    reference = RMSpropRegressor(**params).fit(sp.csr_array(X), y)
    model = RMSpropRegressor(**params).fit(container(X), y)
    assert_array_equal(model.coef_, reference.coef_)
    prediction = model.predict(container(X))
    assert isinstance(prediction, np.ndarray) and prediction.shape == (X.shape[0],)
    assert_allclose(prediction, reference.predict(X), rtol=1e-12)


def test_sparse_partial_fit_and_float32(sparse_regression_data):
    X, y = sparse_regression_data
    X32 = sp.csr_array(X.astype(np.float32))
    model = RMSpropRegressor(random_state=0)
    for rows in np.array_split(np.arange(X.shape[0]), 3):
        model.partial_fit(X32[rows], y[rows])
    assert model.coef_.dtype == np.float32
    assert model.predict(X32).dtype == np.float32
    dense = RMSpropRegressor(random_state=0)
    for rows in np.array_split(np.arange(X.shape[0]), 3):
        dense.partial_fit(X[rows].astype(np.float32), y[rows])
    assert_allclose(model.coef_, dense.coef_, rtol=1e-5, atol=1e-6)


def test_sparse_early_stopping(sparse_regression_data):
    X, y = sparse_regression_data
    params = dict(
        early_stopping=True, random_state=0, n_iter=20, validation_fraction=0.2
    )
    dense = RMSpropRegressor(**params).fit(X, y)
    csr = RMSpropRegressor(**params).fit(sp.csr_array(X), y)
    assert_allclose(csr.validation_scores_, dense.validation_scores_, rtol=1e-10)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-10)


# ----------------------------------------------------------------------------
# Fitted attributes and shapes


def test_shapes_follow_linear_regression(regression_data, multi_target_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=3, tol=None).fit(X, y)
    assert model.coef_.shape == (4,)
    assert np.ndim(model.intercept_) == 0
    assert model.predict(X).shape == (50,)

    column = RMSpropRegressor(n_iter=3, tol=None).fit(X, y.reshape(-1, 1))
    assert column.coef_.shape == (1, 4)
    assert column.intercept_.shape == (1,)
    assert column.predict(X).shape == (50, 1)

    X, Y = multi_target_data
    model = RMSpropRegressor(n_iter=3, tol=None).fit(X, Y)
    assert model.coef_.shape == (3, 4)
    assert model.intercept_.shape == (3,)
    assert model.predict(X).shape == (50, 3)
    for name in ("square_avg_", "grad_avg_", "momentum_buffer_"):
        assert getattr(model, name).shape == (3, 5)


def test_multi_output_equals_one_fit_per_target(multi_target_data):
    # Targets share the data order but not their parameters, so fitting them
    # together must give what fitting each one alone gives.
    X, Y = multi_target_data
    params = dict(n_iter=5, tol=None, random_state=0, momentum=0.5, alpha=0.01)
    joint = RMSpropRegressor(**params).fit(X, Y)
    for k in range(Y.shape[1]):
        single = RMSpropRegressor(**params).fit(X, Y[:, k])
        assert_allclose(joint.coef_[k], single.coef_, rtol=1e-12)
        assert_allclose(joint.intercept_[k], single.intercept_, rtol=1e-12)


def test_fitted_attributes(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=4, tol=None, batch_size=16).fit(X, y)
    assert model.n_features_in_ == 4
    assert model.n_iter_ == 4
    assert model.t_ == 4 * 4  # ceil(50 / 16) updates per epoch
    assert len(model.loss_curve_) == 4
    assert model.best_loss_ == min(model.loss_curve_)
    assert model.validation_scores_ is None
    assert model.best_validation_score_ is None
    assert np.all(model.square_avg_ > 0)
    assert np.all(model.grad_avg_ == 0) and np.all(model.momentum_buffer_ == 0)


def test_fit_intercept_false_keeps_zero_intercept(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(fit_intercept=False, n_iter=3, tol=None).fit(X, y)
    assert model.intercept_ == 0
    assert np.all(model.square_avg_[:, -1] == 0)


def test_fresh_fit_starts_intercept_at_weighted_mean(
    regression_data, recorded_permutations
):
    X, y = regression_data
    rng = np.random.RandomState(0)
    sample_weight = rng.uniform(0.5, 2.0, size=X.shape[0])
    # A tiny learning rate leaves the starting intercept visible after one epoch.
    model = RMSpropRegressor(learning_rate=1e-12, n_iter=1, tol=None)
    model.fit(X, y, sample_weight=sample_weight)
    assert_allclose(model.intercept_, np.average(y, weights=sample_weight), rtol=1e-9)
    assert_allclose(model.coef_, 0, atol=1e-9)


def test_feature_names_from_dataframe(regression_data):
    pd = pytest.importorskip("pandas")
    X, y = regression_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = RMSpropRegressor(n_iter=2, tol=None).fit(frame, y)
    assert_array_equal(model.feature_names_in_, ["a", "b", "c", "d"])


def test_verbose_prints_one_line_per_epoch(regression_data, capsys):
    X, y = regression_data
    RMSpropRegressor(n_iter=3, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1, objective: ")
    assert "elapsed:" in lines[2]


# ----------------------------------------------------------------------------
# Stopping, warnings, divergence


def test_tol_stops_before_n_iter(regression_data):
    X, y = regression_data
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = RMSpropRegressor(n_iter=1000, tol=1e-3, random_state=0).fit(X, y)
    assert 5 < model.n_iter_ < 1000
    # Each of the last n_iter_no_change epochs failed to beat the best
    # objective seen before it by tol; the epoch before them did beat it.
    curve = model.loss_curve_
    running_best = np.minimum.accumulate(curve)
    for epoch in range(len(curve) - 5, len(curve)):
        assert curve[epoch] > running_best[epoch - 1] - 1e-3
    assert curve[-6] <= running_best[-7] - 1e-3


def test_convergence_warning_when_n_iter_reached(regression_data):
    X, y = regression_data
    with pytest.warns(ConvergenceWarning, match="n_iter=2"):
        RMSpropRegressor(n_iter=2, tol=1e-3).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        RMSpropRegressor(n_iter=2, tol=None).fit(X, y)


def test_partial_fit_never_warns(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(tol=1e-3, n_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            model.partial_fit(X, y)


def test_divergence_raises_naming_epoch_and_remedy():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    # Steps of about 1e200 make the residuals overflow on the next batch.
    with pytest.raises(
        ValueError, match=r"diverged at epoch 1.*StandardScaler.*learning_rate"
    ):
        RMSpropRegressor(learning_rate=1e200, batch_size=5, tol=None).fit(X, y)


def test_overflowing_gradients_raise_instead_of_freezing():
    # With features near 1e300 the squared gradients overflow; every step would
    # then be g / inf = 0 and the model would silently never move.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 2)) * 1e300
    y = rng.normal(size=20)
    with pytest.raises(ValueError, match="diverged at epoch 1"):
        RMSpropRegressor(n_iter=5, tol=None).fit(X, y)


def test_early_stopping_restores_best_validation_coefficients(
    diabetes_data, recorded_permutations
):
    X, y = diabetes_data
    X = StandardScaler().fit_transform(X)
    model = RMSpropRegressor(
        early_stopping=True,
        learning_rate=1.0,
        n_iter=200,
        random_state=0,
        validation_fraction=0.2,
    ).fit(X, y)
    scores = model.validation_scores_
    assert len(scores) == model.n_iter_ < 200
    assert model.best_validation_score_ == max(scores)
    # A large learning rate makes the last epoch worse than the best one.
    assert scores[-1] < max(scores)
    train_rows = set(recorded_permutations[0])
    val_rows = np.array(sorted(set(range(X.shape[0])) - train_rows))
    assert len(val_rows) == np.ceil(0.2 * X.shape[0])
    assert_allclose(
        r2_score(y[val_rows], model.predict(X[val_rows])),
        model.best_validation_score_,
        rtol=1e-12,
    )


def test_early_stopping_too_few_validation_samples():
    X = np.arange(6, dtype=float).reshape(-1, 1)
    with pytest.raises(ValueError, match="validation"):
        RMSpropRegressor(early_stopping=True, validation_fraction=0.1).fit(X, X[:, 0])


# ----------------------------------------------------------------------------
# Determinism, warm start, streaming, pickling


def test_same_random_state_is_bit_identical(regression_data):
    X, y = regression_data
    a = RMSpropRegressor(random_state=42, n_iter=20, tol=None).fit(X, y)
    b = RMSpropRegressor(random_state=42, n_iter=20, tol=None).fit(X, y)
    c = RMSpropRegressor(random_state=43, n_iter=20, tol=None).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    assert a.intercept_ == b.intercept_
    assert not np.array_equal(a.coef_, c.coef_)


@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.9, True)])
@pytest.mark.parametrize("average", [False, True, 5])
def test_warm_start_resumes_exactly(regression_data, momentum, centered, average):
    X, y = regression_data
    params = dict(
        random_state=0, tol=None, momentum=momentum, centered=centered,
        average=average,
    )  # fmt: skip
    straight = RMSpropRegressor(n_iter=6, **params).fit(X, y)
    resumed = RMSpropRegressor(n_iter=3, warm_start=True, **params).fit(X, y)
    resumed.fit(X, y)
    for name in ("coef_", "intercept_", "iterate_coef_", "iterate_intercept_"):
        assert_array_equal(getattr(resumed, name), getattr(straight, name))
    if average:
        assert not np.array_equal(straight.coef_, straight.iterate_coef_)
    assert resumed.t_ == straight.t_
    assert_array_equal(resumed.loss_curve_, straight.loss_curve_)
    assert resumed.n_iter_ == 3


def test_warm_start_with_other_feature_count_raises(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=2, tol=None, warm_start=True).fit(X, y)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match="features"):
        model.fit(X[:, :3], y)
    assert pickle.dumps(model) == before


def test_partial_fit_chunks_equal_one_fit_epoch(diabetes_data):
    X, y = diabetes_data
    X = StandardScaler().fit_transform(X)[:320]
    y = y[:320]
    chunks = [slice(0, 64), slice(64, 192), slice(192, 320)]  # multiples of 32
    params = dict(shuffle=False, momentum=0.5, centered=True, alpha=0.01)
    streamed = RMSpropRegressor(**params)
    for chunk in chunks:
        streamed.partial_fit(X[chunk], y[chunk])
    whole = RMSpropRegressor(n_iter=1, tol=None, **params)
    whole.fit(X, y, intercept_init=y[chunks[0]].mean())
    assert_array_equal(streamed.coef_, whole.coef_)
    assert streamed.intercept_ == whole.intercept_
    assert streamed.t_ == whole.t_ == 10
    assert_array_equal(streamed.square_avg_, whole.square_avg_)
    assert len(streamed.loss_curve_) == 3 and streamed.n_iter_ == 1


@pytest.mark.parametrize("average", [False, 7])
def test_pickling_mid_stream_continues_identically(regression_data, average):
    X, y = regression_data
    chunks = np.array_split(np.arange(X.shape[0]), 5)
    params = dict(random_state=0, batch_size=4, momentum=0.9, average=average)
    straight = RMSpropRegressor(**params)
    paused = RMSpropRegressor(**params)
    for i, rows in enumerate(chunks):
        straight.partial_fit(X[rows], y[rows])
        paused.partial_fit(X[rows], y[rows])
        if i == 1:
            paused = pickle.loads(pickle.dumps(paused))
    assert_array_equal(paused.coef_, straight.coef_)
    assert paused.intercept_ == straight.intercept_
    assert_array_equal(paused.iterate_coef_, straight.iterate_coef_)
    assert_array_equal(paused.momentum_buffer_, straight.momentum_buffer_)


def test_partial_fit_rejects_early_stopping(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="early_stopping"):
        RMSpropRegressor(early_stopping=True).partial_fit(X, y)


def test_partial_fit_checks_target_count(multi_target_data):
    X, Y = multi_target_data
    model = RMSpropRegressor().partial_fit(X, Y)
    with pytest.raises(ValueError, match="targets"):
        model.partial_fit(X, Y[:, :2])


# ----------------------------------------------------------------------------
# Sample weights


def test_integer_weights_equal_repeated_rows_in_one_batch(regression_data):
    X, y = regression_data
    sample_weight = np.random.RandomState(0).randint(0, 4, size=X.shape[0])
    params = dict(batch_size=None, shuffle=False, tol=None, n_iter=30, momentum=0.5)
    weighted = RMSpropRegressor(**params).fit(X, y, sample_weight=sample_weight)
    repeated = RMSpropRegressor(**params).fit(
        np.repeat(X, sample_weight, axis=0), np.repeat(y, sample_weight)
    )
    # Summation order differs between the two, and the first intercept
    # gradient is rounding noise (see the oracle test): scikit-learn's own
    # sample-weight equivalence check uses this tolerance.
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-7)
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-7)


def test_all_zero_weights_raise(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="at least one non-zero"):
        RMSpropRegressor().fit(X, y, sample_weight=np.zeros(X.shape[0]))


def test_negative_weights_raise(regression_data):
    X, y = regression_data
    sample_weight = np.ones(X.shape[0])
    sample_weight[3] = -1
    with pytest.raises(ValueError, match="[Nn]egative"):
        RMSpropRegressor().fit(X, y, sample_weight=sample_weight)


# ----------------------------------------------------------------------------
# float32


@pytest.mark.parametrize("multi_output", [False, True])
def test_float32_preserved(regression_data, multi_target_data, multi_output):
    X, y = multi_target_data if multi_output else regression_data
    m32 = RMSpropRegressor(random_state=0, n_iter=5, tol=None)
    m32.fit(X.astype(np.float32), y.astype(np.float32))
    assert m32.coef_.dtype == np.float32
    assert np.asarray(m32.intercept_).dtype == np.float32
    assert m32.square_avg_.dtype == np.float32
    assert m32.predict(X.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("multi_output", [False, True])
@pytest.mark.parametrize("batch_size", [None, 32])
@pytest.mark.parametrize("n_iter", [1, 50, 1000])
def test_float32_stays_within_a_few_steps_of_float64(
    regression_data, multi_target_data, multi_output, batch_size, n_iter
):
    # What the docstring promises: not the same trajectory step for step (a
    # gradient that is rounding noise becomes a step of up to
    # learning_rate / sqrt(1 - decay_rate) = 3.16 learning rates in float32
    # but not in float64), but never more than 4 learning rates apart.
    X, y = multi_target_data if multi_output else regression_data
    params = dict(random_state=0, n_iter=n_iter, tol=None, batch_size=batch_size)
    m64 = RMSpropRegressor(**params).fit(X, y)
    m32 = RMSpropRegressor(**params).fit(X.astype(np.float32), y.astype(np.float32))
    learning_rate = m64.learning_rate
    assert_allclose(m32.coef_, m64.coef_, rtol=0, atol=4 * learning_rate)
    assert_allclose(m32.intercept_, m64.intercept_, rtol=0, atol=4 * learning_rate)
    if n_iter == 1000:
        # Both at the least-squares optimum, to within its jitter.
        ols = LinearRegression().fit(X, y)
        for model in (m32, m64):
            assert_allclose(model.coef_, ols.coef_, rtol=0, atol=2 * learning_rate)


def test_float32_full_batch_first_step_is_rounding_noise(regression_data):
    # The reason float32 and float64 part ways on full batches: from the mean
    # start the first intercept gradient is zero but for rounding, which
    # float32 turns into a whole step and float64 into almost none.
    X, y = regression_data
    params = dict(n_iter=1, tol=None, batch_size=None, shuffle=False)
    m64 = RMSpropRegressor(**params).fit(X, y)
    m32 = RMSpropRegressor(**params).fit(X.astype(np.float32), y.astype(np.float32))
    step = 0.01 / np.sqrt(1 - 0.9)
    assert abs(m64.intercept_ - y.mean()) < 1e-3 * step
    assert abs(m32.intercept_ - y.mean()) > 0.5 * step


def test_float32_runs_float32_kernel_scalars(regression_data):
    import inspect

    from numba import float32

    from sk_rmsprop._kernels import dense_epochs

    X, y = regression_data
    RMSpropRegressor(n_iter=1, tol=None).fit(X.astype(np.float32), y)
    # X, the state and every float of the rule in float32.
    names = list(inspect.signature(dense_epochs.py_func).parameters)
    x, state, rule = names.index("X"), names.index("S"), names.index("rule")
    assert any(
        sig[x].dtype == float32
        and sig[state].dtype == float32
        and all(t == float32 for t in tuple(sig[rule])[:5])
        for sig in dense_epochs.signatures
    )


def test_float32_fit_makes_no_copy_of_X():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100_000, 20)).astype(np.float32)
    y = (X[:, 0] + 0.1 * rng.normal(size=100_000)).astype(np.float32)
    model = RMSpropRegressor(n_iter=2, tol=None, random_state=0)
    model.fit(X[:100], y[:100])  # compile outside the measurement
    tracemalloc.start()
    model.fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Per sample, fit keeps at most 44 bytes: the row indices, this and the
    # next epoch's order (8 bytes each) and their targets and weights (4 bytes
    # each; equal weights are not gathered), and the weights. A row of X is 80
    # bytes, so any copy of X, float32 (8 MB) or float64 (16 MB), takes the
    # peak past X.nbytes.
    assert peak < X.nbytes, f"peak {peak} bytes for X of {X.nbytes} bytes"


# ----------------------------------------------------------------------------
# scikit-learn composition on the diabetes data


def test_pipeline_matches_linear_regression_on_diabetes(diabetes_data):
    X, y = diabetes_data
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = Pipeline(
        [("scale", StandardScaler()), ("model", RMSpropRegressor(random_state=0))]
    )
    pipe.fit(X_train, y_train)
    reference = LinearRegression().fit(X_train, y_train).score(X_test, y_test)
    assert abs(pipe.score(X_test, y_test) - reference) < 0.01


def test_grid_search_in_parallel(diabetes_data):
    X, y = diabetes_data
    pipe = Pipeline(
        [("scale", StandardScaler()), ("model", RMSpropRegressor(random_state=0))]
    )
    grid = {
        "model__learning_rate": [0.01, 0.1],
        "model__batch_size": [16, 64],
        "model__decay_rate": [0.9, 0.99],
    }
    search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_score_ > 0.4


def test_cross_val_score_and_clone(diabetes_data):
    X, y = diabetes_data
    model = RMSpropRegressor(learning_rate=0.1, random_state=0)
    pipe = Pipeline([("scale", StandardScaler()), ("model", model)])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,) and np.all(scores > 0.3)
    assert not hasattr(clone(model), "coef_")
    assert clone(model).get_params() == model.get_params()


# ----------------------------------------------------------------------------
# Bad input

BAD_INPUTS = {
    "nan": (lambda X, y: (np.where(np.eye(*X.shape) > 0, np.nan, X), y), "NaN"),
    "inf": (lambda X, y: (np.where(np.eye(*X.shape) > 0, np.inf, X), y), "infinity"),
    "nan in y": (lambda X, y: (X, np.where(np.arange(len(y)) == 2, np.nan, y)), "NaN"),
    "strings": (
        lambda X, y: (X.astype(str).astype(object) + "x", y),
        "could not convert",
    ),
    "empty": (lambda X, y: (X[:0], y[:0]), "0 sample"),
    "3-D X": (lambda X, y: (X.reshape(len(X), 2, 2), y), "dim 3"),
    "y wrong length": (lambda X, y: (X, y[:-1]), "inconsistent numbers of samples"),
    "y None": (lambda X, y: (X, None), "requires y"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_bad_input_raises_and_keeps_state(regression_data, case, method):
    X, y = regression_data
    make_bad, message = BAD_INPUTS[case]
    model = RMSpropRegressor(n_iter=2, tol=None, random_state=0).fit(X, y)
    model.partial_fit(X, y)
    before = pickle.dumps(model)
    X_bad, y_bad = make_bad(X, y)
    with pytest.raises(ValueError, match=message):
        getattr(model, method)(X_bad, y_bad)
    assert pickle.dumps(model) == before


def test_wrong_feature_count(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=2, tol=None).fit(X, y)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match="X has 3 features"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(X[:, :3], y)
    assert pickle.dumps(model) == before


def test_failed_fit_keeps_fitted_model(regression_data):
    # A divergence half-way through a fit must not touch the fitted model.
    X, y = regression_data
    model = RMSpropRegressor(n_iter=2, tol=None, random_state=0).fit(X, y)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X * 1e300, y)
    assert pickle.dumps(model) == before


@pytest.mark.parametrize("path", ["fused", "one by one"])
def test_interrupted_fit_keeps_fitted_model(regression_data, monkeypatch, path):
    import sk_rmsprop._base as module

    X, y = regression_data
    model = RMSpropRegressor(n_iter=5, tol=None, random_state=0).fit(X, y)
    before = pickle.dumps(model)
    if path == "fused":
        # An interrupt that arrives while the compiled loop runs is raised as
        # it returns, with the state already trained.
        fused = module._EpochRun.fused

        def interrupt(run):
            fused(run)
            raise KeyboardInterrupt

        monkeypatch.setattr(module._EpochRun, "fused", interrupt)
    else:
        calls = []
        original = module._run_epochs

        def interrupt(*args):
            calls.append(1)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return original(*args)

        monkeypatch.setattr(module, "_FUSED_MAX_ROWS", 0)
        monkeypatch.setattr(module, "_run_epochs", interrupt)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X[:30], y[:30])
    assert pickle.dumps(model) == before


def test_predict_before_fit_raises(regression_data):
    with pytest.raises(NotFittedError):
        RMSpropRegressor().predict(regression_data[0])


@pytest.mark.parametrize(
    "param, value",
    [
        ("learning_rate", 0),
        ("decay_rate", 1.0),
        ("epsilon", -1),
        ("n_iter", 0),
        ("batch_size", 0),
        ("tol", -1),
        ("momentum", 1.0),
        ("alpha", -0.1),
        ("validation_fraction", 1.0),
        ("n_iter_no_change", 0),
        ("average", -1),
        ("average", 1.5),
    ],
)
def test_invalid_parameters_raise(regression_data, param, value):
    X, y = regression_data
    with pytest.raises(InvalidParameterError, match=param):
        RMSpropRegressor(**{param: value}).fit(X, y)


def test_coef_init_shape_is_checked(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="coef_init has shape"):
        RMSpropRegressor().fit(X, y, coef_init=np.zeros(3))
    with pytest.raises(ValueError, match="fit_intercept=False"):
        RMSpropRegressor(fit_intercept=False).fit(X, y, intercept_init=1.0)


def test_pickle_round_trip_predicts_the_same(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=3, tol=None).fit(X, y)
    buffer = io.BytesIO()
    pickle.dump(model, buffer)
    buffer.seek(0)
    assert_array_equal(pickle.load(buffer).predict(X), model.predict(X))


def test_batch_size_larger_than_data_means_full_batch(regression_data):
    X, y = regression_data
    params = dict(n_iter=5, tol=None, random_state=0)
    big = RMSpropRegressor(batch_size=10_000, **params).fit(X, y)
    full = RMSpropRegressor(batch_size=None, **params).fit(X, y)
    assert_array_equal(big.coef_, full.coef_)
    assert big.t_ == full.t_ == 5


# ----------------------------------------------------------------------------
# Learning only from the training rows, and one objective for any target count


def test_early_stopping_learns_nothing_from_validation_targets(
    regression_data, recorded_permutations
):
    X, y = regression_data
    params = dict(
        early_stopping=True, validation_fraction=0.2, random_state=0, n_iter=4
    )
    # tol=None: no decision uses the validation score until fit restores the
    # best epoch, so the whole training trajectory must be the same.
    first = RMSpropRegressor(tol=None, **params).fit(X, y)
    val_rows = np.setdiff1d(np.arange(X.shape[0]), recorded_permutations[0])
    y_shifted = y.copy()
    y_shifted[val_rows] += 100
    second = RMSpropRegressor(tol=None, **params).fit(X, y_shifted)
    assert_array_equal(second.loss_curve_, first.loss_curve_)
    assert second.t_ == first.t_


def test_early_stopping_default_intercept_is_the_training_mean(
    regression_data, recorded_permutations
):
    X, y = regression_data
    model = RMSpropRegressor(
        early_stopping=True,
        validation_fraction=0.2,
        random_state=0,
        learning_rate=1e-12,
        n_iter=1,
        tol=None,
    ).fit(X, y)
    train_rows = recorded_permutations[0]
    assert_allclose(model.intercept_, y[train_rows].mean(), rtol=1e-9)


def test_one_target_and_two_equal_targets_give_the_same_model(diabetes_data):
    X, y = diabetes_data
    X = StandardScaler().fit_transform(X)
    single = RMSpropRegressor(random_state=0).fit(X, y)
    double = RMSpropRegressor(random_state=0).fit(X, np.column_stack([y, y]))
    assert double.n_iter_ == single.n_iter_
    assert_array_equal(double.loss_curve_, single.loss_curve_)
    for k in range(2):
        assert_array_equal(double.coef_[k], single.coef_)
        assert double.intercept_[k] == single.intercept_


def test_objective_is_the_mean_over_targets(regression_data):
    X, y = regression_data
    params = dict(random_state=0, n_iter=3, tol=None, alpha=0.1)
    one = RMSpropRegressor(**params).fit(X, y)
    # The second target is fitted independently; its objective is averaged in.
    two = RMSpropRegressor(**params).fit(X, np.column_stack([y, 3 * y]))
    other = RMSpropRegressor(**params).fit(X, 3 * y)
    assert_allclose(
        two.loss_curve_,
        (np.array(one.loss_curve_) + np.array(other.loss_curve_)) / 2,
        rtol=1e-12,
    )


def test_zero_weight_on_every_validation_row_raises_before_training(
    regression_data, recorded_permutations, monkeypatch
):
    X, y = regression_data
    params = dict(early_stopping=True, validation_fraction=0.2, random_state=0)
    RMSpropRegressor(n_iter=1, tol=None, **params).fit(X, y)
    sample_weight = np.zeros(X.shape[0])
    sample_weight[recorded_permutations[0]] = 1.0  # the training rows only
    import sk_rmsprop._base as module

    runs = []
    original = module._EpochRun.__init__
    monkeypatch.setattr(
        module._EpochRun, "__init__", lambda *a: runs.append(1) or original(*a)
    )
    with pytest.raises(ValueError, match="validation.*zero sample_weight"):
        RMSpropRegressor(**params).fit(X, y, sample_weight=sample_weight)
    assert runs == []


# ----------------------------------------------------------------------------
# A returned fit predicts finite values, and errors name their cause


def test_divergence_in_the_last_update_raises():
    rng = np.random.RandomState(0)
    X = rng.uniform(5, 10, size=(20, 2))
    y = rng.normal(size=20)
    # One step of about 3e307 per coefficient: finite coefficients, finite
    # objective and moving averages, but predictions beyond float64's range.
    model = RMSpropRegressor(learning_rate=1e307, n_iter=1, batch_size=None)
    with pytest.raises(ValueError, match="diverged"):
        model.fit(X, y)
    with pytest.raises(ValueError, match="diverged"):
        RMSpropRegressor(learning_rate=1e307, batch_size=None).partial_fit(X, y)


@pytest.mark.parametrize("param", ["batch_size", "n_iter", "n_iter_no_change"])
def test_bool_is_not_an_integer_parameter(regression_data, param):
    X, y = regression_data
    with pytest.raises(InvalidParameterError, match=f"'{param}'.*bool"):
        RMSpropRegressor(**{param: True}).fit(X, y)


@pytest.mark.parametrize("param", ["epsilon", "learning_rate"])
def test_hyperparameter_that_rounds_to_zero_in_float32_raises(regression_data, param):
    X, y = regression_data
    model = RMSpropRegressor(**{param: 1e-50})
    with pytest.raises(ValueError, match=f"{param}=1e-50 .*float32"):
        model.fit(X.astype(np.float32), y)
    model.fit(X, y)  # representable in float64


def test_sparse_y_raises_naming_it(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="y is a sparse"):
        RMSpropRegressor().fit(X, sp.csr_array(y.reshape(-1, 1)))


def test_target_beyond_float32_range_names_the_target(regression_data):
    X, y = regression_data
    with pytest.raises(ValueError, match="y .*float32"):
        RMSpropRegressor().fit(X.astype(np.float32), y * 1e38)


@pytest.mark.parametrize("init", ["coef_init", "intercept_init"])
def test_non_finite_init_names_the_init(regression_data, init):
    X, y = regression_data
    value = np.full(4, np.nan) if init == "coef_init" else np.inf
    with pytest.raises(ValueError, match=f"{init} .*(NaN|infinity)"):
        RMSpropRegressor().fit(X, y, **{init: value})


@pytest.mark.parametrize("bad_index", [4, 10**9, -1])
@pytest.mark.parametrize("method", ["fit", "partial_fit", "predict"])
def test_malformed_csr_indices_raise(regression_data, bad_index, method):
    X, y = regression_data
    X_csr = sp.csr_array(X)
    model = RMSpropRegressor(n_iter=2, tol=None).fit(X, y)
    before = pickle.dumps(model)
    X_csr.indices[5] = bad_index  # scipy does not check indices
    with pytest.raises(ValueError, match="column ind"):
        if method == "predict":
            model.predict(X_csr)
        else:
            getattr(model, method)(X_csr, y)
    assert pickle.dumps(model) == before


# ----------------------------------------------------------------------------
# Predicting while another thread trains


def _stream_while_predicting(model, train, X_pred, seconds=3.0):
    """Run ``train(model)`` in a thread; predict on ``X_pred`` until it ends.

    Returns the predictions made, and whatever ``train`` returned.
    """
    import threading

    result = {}
    thread = threading.Thread(target=lambda: result.update(value=train(model)))
    predictions = []
    # Switch threads as often as the interpreter can, so that a window between
    # two bytecodes of the trainer is seen by the predicting thread.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    thread.start()
    try:
        while thread.is_alive() and len(predictions) < 2000:
            predictions.append(model.predict(X_pred))
    finally:
        thread.join(timeout=seconds * 20)
        sys.setswitchinterval(interval)
    return predictions, result["value"]


def test_predict_during_partial_fit_sees_only_published_states():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20_000, 50))
    y = X @ rng.normal(size=50) + 3.0
    X_pred = rng.normal(size=(5_000, 50))
    model = RMSpropRegressor(random_state=0, learning_rate=0.05).partial_fit(
        X[:64], y[:64]
    )
    states = [(model.coef_.copy(), model.intercept_)]

    def train(model):
        for start in range(64, len(X), 64):
            model.partial_fit(X[start : start + 64], y[start : start + 64])
            states.append((model.coef_.copy(), model.intercept_))
        return len(states)

    predictions, _ = _stream_while_predicting(model, train, X_pred)
    assert len(predictions) > 0
    # Every prediction must be exactly the one of a state the model was in.
    published = {(X_pred @ coef + intercept).tobytes() for coef, intercept in states}
    mixed = [p for p in predictions if p.tobytes() not in published]
    assert len(mixed) == 0, f"{len(mixed)} of {len(predictions)} predictions mix states"


def test_failed_partial_fit_never_shows_an_unfitted_model(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(random_state=0).fit(X, y)
    X_bad = X.copy()
    X_bad[0, 0] = np.inf

    def fail_repeatedly(model):
        failures = 0
        for _ in range(300):
            try:
                model.partial_fit(X_bad, y)
            except ValueError:
                failures += 1
        return failures

    # NotFittedError or an AttributeError from predict would end the loop.
    predictions, failures = _stream_while_predicting(model, fail_repeatedly, X)
    assert failures == 300
    assert len(predictions) > 0


def test_divergence_seen_by_the_validation_score_is_named(regression_data):
    # Found by the property tests: predictions on the validation rows can
    # overflow before anything else does, and r2_score then refused them
    # with its own message about the input.
    X, y = regression_data
    # One full batch: its objective is taken before the step, and the step of
    # about 3e300 leaves finite coefficients, whose products with features of
    # 1e100 overflow. (With momentum the step is lr * (g / d), which does not
    # overflow on the way; without, lr * g would.)
    model = RMSpropRegressor(
        early_stopping=True,
        learning_rate=1e300,
        batch_size=None,
        momentum=0.5,
        random_state=0,
    )
    with pytest.raises(ValueError, match="diverged at epoch 1.*validation"):
        model.fit(X * 1e100, y)


# ----------------------------------------------------------------------------
# A fit limited by its step size says so, and its advice works


def test_step_limited_fit_names_cause_figures_and_remedies(diabetes_data):
    import re

    from sklearn.compose import TransformedTargetRegressor

    X, y = diabetes_data
    X = StandardScaler().fit_transform(X)
    y = 1000 * y  # a target in the hundreds of thousands
    with pytest.warns(ConvergenceWarning) as record:
        fitted = RMSpropRegressor(random_state=0, n_iter=50).fit(X, y)
    message = str(record[0].message)
    assert "n_iter=50" in message and "limited by its step size" in message
    number = r"([0-9.]+(?:e[+-]?[0-9]+)?)"
    spread = float(re.search(rf"standard deviation is {number}", message)[1])
    assert_allclose(spread, y.std(), rtol=1e-2)
    distance = float(re.search(rf"still about {number} from", message)[1])
    # The objective is quadratic: the distance named is the exact one, to
    # the message's three digits.
    exact = LinearRegression().fit(X, y)
    travel = np.r_[exact.coef_ - fitted.coef_, exact.intercept_ - fitted.intercept_]
    assert_allclose(distance, np.max(np.abs(travel)), rtol=5e-3)
    suggested = float(re.search(rf"of the order of {number}", message)[1])
    assert "TransformedTargetRegressor" in message

    # Both remedies, followed literally, reach least squares in those epochs.
    best = LinearRegression().fit(X, y).score(X, y)
    standardised = TransformedTargetRegressor(
        regressor=RMSpropRegressor(random_state=0, n_iter=50),
        transformer=StandardScaler(),
    ).fit(X, y)
    assert standardised.score(X, y) > best - 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        larger = RMSpropRegressor(random_state=0, n_iter=50, learning_rate=suggested)
        assert larger.fit(X, y).score(X, y) > best - 0.01


def test_fit_near_its_optimum_gets_the_plain_advice(regression_data):
    # Out of epochs but jittering around the optimum (a stopping rule that
    # cannot fire): the step size is not the cause.
    X, y = regression_data
    model = RMSpropRegressor(
        learning_rate=0.1, n_iter=200, tol=1e-12, n_iter_no_change=200, random_state=0
    )
    with pytest.warns(ConvergenceWarning) as record:
        model.fit(X, y)
    message = str(record[0].message)
    assert "Consider increasing n_iter" in message
    assert "step size" not in message


# ----------------------------------------------------------------------------
# The adaptive schedule


def _adaptive_steps(loss_curve, learning_rate, tol, n_iter_no_change):
    """The step of each epoch under the adaptive schedule, from the objectives.

    The stopping rule written out anew: an epoch that does not beat the best
    objective so far by tol counts; n_iter_no_change of them in a row divide
    the step by 5, or end the fit once the step is at most 1e-6. Returns the
    steps, the step after the last epoch, and whether the rule ended the fit.
    """
    steps, step, best, count = [], learning_rate, np.inf, 0
    for objective in loss_curve:
        steps.append(step)
        count = count + 1 if objective > best - tol else 0
        best = min(best, objective)
        if count >= n_iter_no_change:
            if step <= 1e-6:
                return steps, step, True
            step, count = step / 5, 0
    return steps, step, False


@pytest.mark.parametrize("momentum, centered", [(0.0, False), (0.9, True)])
def test_adaptive_schedule_matches_reference(
    regression_data, recorded_permutations, momentum, centered
):
    X, y = regression_data
    params = dict(
        learning_rate=0.05, batch_size=7, momentum=momentum, centered=centered
    )
    rule = dict(tol=1e-2, n_iter_no_change=2)
    model = RMSpropRegressor(
        n_iter=30, random_state=0, learning_rate_schedule="adaptive", **rule, **params
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, intercept_init=0.0)
    steps, final, stopped = _adaptive_steps(model.loss_curve_, 0.05, **rule)
    assert steps[-1] < 0.05  # the schedule did divide the step
    assert_allclose(model.learning_rate_, final, rtol=1e-12)
    assert stopped == (model.n_iter_ < 30)
    coef, intercept = rmsprop_reference(
        X,
        y.reshape(-1, 1),
        recorded_permutations,
        np.zeros((1, X.shape[1])),
        np.zeros(1),
        **{**params, "learning_rate": steps},
    )
    assert_allclose(model.coef_, coef[0], rtol=1e-10)
    assert_allclose(model.intercept_, intercept[0], rtol=1e-10)


def test_adaptive_schedule_sparse_equals_dense(sparse_regression_data):
    X, y = sparse_regression_data
    params = dict(
        learning_rate_schedule="adaptive", tol=1e-2, n_iter_no_change=2,
        batch_size=8, n_iter=40, random_state=0, momentum=0.5,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = RMSpropRegressor(**params).fit(X, y)
        csr = RMSpropRegressor(**params).fit(sp.csr_array(X), y)
    assert dense.learning_rate_ < 0.01
    assert csr.learning_rate_ == dense.learning_rate_
    assert csr.n_iter_ == dense.n_iter_
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-10)


def test_partial_fit_continues_with_the_step_the_fit_reached(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(
        learning_rate_schedule="adaptive", tol=1e-2, n_iter_no_change=2,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert model.learning_rate_ < model.learning_rate
    reached = model.learning_rate_
    constant = pickle.loads(pickle.dumps(model)).set_params(
        learning_rate=reached, learning_rate_schedule="constant"
    )
    model.partial_fit(X[:20], y[:20])
    constant.partial_fit(X[:20], y[:20])
    assert_array_equal(model.coef_, constant.coef_)
    assert model.learning_rate_ == reached  # partial_fit never divides it


# ----------------------------------------------------------------------------
# Iterate averaging: the averaged model is the one published and judged


def _objective(X, y, coef, intercept):
    """Half the mean squared error of a single-target linear model."""
    return 0.5 * np.mean((X @ coef + intercept - y) ** 2)


def test_averaging_publishes_and_judges_the_averaged_model(regression_data):
    X, y = regression_data
    params = dict(learning_rate=0.05, batch_size=5, random_state=0, n_iter=30)
    # From update 100, after 10 epochs: the average leaves out the approach.
    model = RMSpropRegressor(average=100, tol=None, **params).fit(X, y)
    averaged = _objective(X, y, model.coef_, model.intercept_)
    iterate = _objective(X, y, model.iterate_coef_, model.iterate_intercept_)
    # The epoch's objective is the averaged model's, at the epoch's end.
    assert_allclose(model.loss_curve_[-1], averaged, rtol=1e-12)
    # The average smooths the constant step's jitter around the optimum.
    assert averaged < iterate
    assert_allclose(model.predict(X), X @ model.coef_ + model.intercept_)
    # The same iterates as without averaging: only what is published differs.
    plain = RMSpropRegressor(tol=None, **params).fit(X, y)
    assert_array_equal(plain.coef_, model.iterate_coef_)


def test_early_stopping_scores_and_keeps_the_averaged_model(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(
        average=True, early_stopping=True, validation_fraction=0.2,
        learning_rate=0.05, batch_size=5, random_state=0, n_iter_no_change=3,
    ).fit(X, y)  # fmt: skip
    _, val_rows = train_test_split(
        np.arange(X.shape[0]), test_size=0.2, random_state=model._seed
    )
    score = r2_score(y[val_rows], model.predict(X[val_rows]))
    assert_allclose(score, model.best_validation_score_, rtol=1e-12)
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert not np.array_equal(model.coef_, model.iterate_coef_)


def test_averaging_from_a_later_update_publishes_the_iterate_until_then(
    regression_data,
):
    X, y = regression_data
    model = RMSpropRegressor(average=30, batch_size=10, random_state=0)
    model.partial_fit(X, y)  # updates 1 to 5
    assert_array_equal(model.coef_, model.iterate_coef_)
    for _ in range(6):  # to update 35
        model.partial_fit(X, y)
    assert model.t_ == 35
    assert not np.array_equal(model.coef_, model.iterate_coef_)


# ----------------------------------------------------------------------------
# The losses: the oracle, sparse input, resuming, the start and robustness

LOSS_NAMES = ["squared_error", "huber", "epsilon_insensitive",
              "squared_epsilon_insensitive", "quantile"]  # fmt: skip
LOSS_PARAMS = dict(huber_delta=0.5, insensitivity=0.2, quantile=0.3)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("weighted, multi_output", [(False, False), (True, True)])
@pytest.mark.parametrize("momentum, average", [(0.0, False), (0.9, 4)])
def test_each_loss_matches_reference_on_replayed_permutations(
    regression_data, multi_target_data, recorded_permutations, loss, weighted,
    multi_output, momentum, average,
):  # fmt: skip
    X, y = multi_target_data if multi_output else regression_data
    rng = np.random.RandomState(3)
    sample_weight = rng.randint(0, 4, size=len(X)).astype(float) if weighted else None
    params = dict(learning_rate=0.05, batch_size=7, momentum=momentum, alpha=0.1,
                  loss=loss, **LOSS_PARAMS)  # fmt: skip
    model = RMSpropRegressor(
        n_iter=N_EPOCHS, tol=None, random_state=0, average=average, **params
    )
    Y = y.reshape(len(X), -1)
    start = np.zeros(Y.shape[1])
    model.fit(X, y, sample_weight=sample_weight, intercept_init=start if
              multi_output else 0.0)  # fmt: skip
    coef, intercept = rmsprop_reference(
        X, Y, recorded_permutations, np.zeros((Y.shape[1], X.shape[1])), start,
        sample_weight=sample_weight, average=average, **params,
    )  # fmt: skip
    if not multi_output:
        coef, intercept = coef[0], intercept[0]
    assert_allclose(model.coef_, coef, rtol=1e-10, atol=1e-14)
    assert_allclose(model.intercept_, intercept, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("loss", LOSS_NAMES)
@pytest.mark.parametrize("alpha", [0.0, 0.1])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_each_loss_sparse_matches_dense(sparse_regression_data, loss, alpha, momentum):
    X, y = sparse_regression_data
    params = dict(n_iter=5, tol=None, batch_size=8, random_state=0, alpha=alpha,
                  momentum=momentum, loss=loss, **LOSS_PARAMS)  # fmt: skip
    dense = RMSpropRegressor(**params).fit(X, y)
    csr = RMSpropRegressor(**params).fit(sp.csr_array(X), y)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-10)
    assert_allclose(csr.intercept_, dense.intercept_, rtol=1e-10)
    assert_allclose(csr.loss_curve_, dense.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("loss", LOSS_NAMES)
def test_each_loss_resumes_exactly(regression_data, loss):
    X, y = regression_data
    params = dict(random_state=0, tol=None, momentum=0.5, loss=loss, **LOSS_PARAMS)
    straight = RMSpropRegressor(n_iter=6, **params).fit(X, y)
    resumed = RMSpropRegressor(n_iter=3, warm_start=True, **params).fit(X, y)
    resumed = pickle.loads(pickle.dumps(resumed)).fit(X, y)
    assert_array_equal(resumed.coef_, straight.coef_)
    assert_array_equal(resumed.loss_curve_, straight.loss_curve_)


@pytest.mark.parametrize(
    "loss, start",
    [("squared_error", "mean"), ("squared_epsilon_insensitive", "mean"),
     ("huber", 0.5), ("epsilon_insensitive", 0.5), ("quantile", 0.3)],
)  # fmt: skip
def test_default_intercept_is_the_losss_best_constant(regression_data, loss, start):
    X, y = regression_data
    weights = np.arange(len(y)) % 3 + 1.0
    model = RMSpropRegressor(loss=loss, quantile=0.3, n_iter=1, tol=None,
                             learning_rate=1e-12)  # fmt: skip
    model.fit(X, y, sample_weight=weights)  # one negligible step from the start
    if start == "mean":
        expected = np.average(y, weights=weights)
    else:
        # The smallest y with at least that fraction of the weight at or below.
        order = np.argsort(y)
        share = np.cumsum(weights[order]) / weights.sum()
        expected = y[order][np.argmax(share >= start)]
    assert_allclose(model.intercept_, expected, atol=1e-9)


def test_the_objective_is_the_weighted_mean_loss(regression_data):
    X, y = regression_data
    from ._reference import loss_value

    for loss in LOSS_NAMES:
        model = RMSpropRegressor(
            loss=loss, batch_size=None, n_iter=1, tol=None, alpha=0.1, **LOSS_PARAMS
        ).fit(X, y, coef_init=np.ones(4), intercept_init=0.5)
        # Full batch: the first epoch's objective is at the starting point.
        residual = X @ np.ones(4) + 0.5 - y
        expected = loss_value(residual, loss, **LOSS_PARAMS).mean() + 0.1 / 2 * 4
        assert_allclose(model.loss_curve_[0], expected, rtol=1e-12)


def test_huber_is_closer_to_the_truth_under_heavy_tailed_noise():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2_000, 5))
    truth = np.array([1.0, -2.0, 0.5, 3.0, 0.0])
    y = X @ truth + rng.standard_t(1.5, size=len(X))  # infinite variance
    recipe = dict(learning_rate=0.001, momentum=0.9, average=True, tol=1e-5,
                  random_state=0)  # fmt: skip
    error = {
        loss: np.abs(RMSpropRegressor(loss=loss, **recipe).fit(X, y).coef_ - truth)
        for loss in ("squared_error", "huber")
    }
    # Measured: 0.065 against 0.135 (seed 0).
    assert error["huber"].max() < 0.75 * error["squared_error"].max()

"""scikit-learn's own linear-model tests, ported to RMSpropRegressor.

Each test cites the one it ports, from ``sklearn/linear_model/tests/``:
``test_sgd.py`` (SGDRegressor and the parts of its SGDClassifier tests that
apply to any mini-batch linear regressor), and the generic linear-model tests
of ``test_base.py`` and ``test_ridge.py``. Each keeps its original's intent
and the strength of its assertions. Where an exact number belongs to SGD's
learning-rate schedule, the equivalent property is checked instead; where
RMSprop differs by design, the test says so.
"""

import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV, cross_val_score
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sk_rmsprop import RMSpropRegressor


def _dense(X):
    return X


# The two input kinds every test of test_sgd.py runs over (SGDRegressor and
# SparseSGDRegressor).
CONTAINERS = [_dense, sp.csr_array]

# test_sgd.py's defaults for its estimators: a fixed seed, no stopping, 5 epochs.
DEFAULTS = dict(random_state=42, tol=None, n_iter=5)


def Regressor(**params):
    return RMSpropRegressor(**{**DEFAULTS, **params})


# test_sgd.py's test sample 1, with its labels as regression targets.
X = np.array([[-2, -1], [-1, -1], [-1, -2], [1, 1], [1, 2], [2, 1]], dtype=float)
Y = np.array([1, 1, 1, 2, 2, 2], dtype=float)
T = np.array([[-1, -1], [2, 2], [3, 2]], dtype=float)

# test_sgd.py's test sample 3.
X3 = np.array(
    [
        [1, 1, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0],
        [0, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 0, 0],
        [0, 0, 0, 0, 1, 1],
        [0, 0, 0, 0, 1, 1],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 1, 0, 0],
    ],
    dtype=float,
)
Y3 = np.array([1, 1, 1, 1, 2, 2, 2, 2], dtype=float)


@pytest.fixture(scope="module")
def iris():
    data = load_iris()
    return data.data, data.target.astype(float)


@pytest.fixture(scope="module")
def scaled_diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# ----------------------------------------------------------------------------
# test_sgd.py


@pytest.mark.parametrize("container", CONTAINERS)
def test_warm_start(container):
    # test_sgd.py::test_warm_start. SGD compares an implicit warm restart with
    # an explicit one (coef_init, intercept_init). RMSprop differs by design:
    # a warm start also keeps the moving averages and momentum buffers, which
    # no init argument passes, so the warm restart is compared with one
    # uninterrupted fit instead, and the explicit restart with a fresh state.
    Xc = container(X)
    clf = Regressor(alpha=0.01, shuffle=False).fit(Xc, Y)
    clf3 = Regressor(alpha=0.01, shuffle=False, warm_start=True).fit(Xc, Y)
    assert clf3.t_ == clf.t_
    assert_array_equal(clf3.coef_, clf.coef_)

    clf3.fit(Xc, Y)
    straight = Regressor(alpha=0.01, shuffle=False, n_iter=10).fit(Xc, Y)
    assert clf3.t_ == straight.t_ == 2 * clf.t_
    assert_array_equal(clf3.coef_, straight.coef_)

    clf3.set_params(alpha=0.001)
    clf3.fit(Xc, Y)
    assert clf3.t_ == 3 * clf.t_
    explicit = Regressor(alpha=0.001, shuffle=False).fit(
        Xc, Y, coef_init=straight.coef_, intercept_init=straight.intercept_
    )
    assert explicit.t_ == clf.t_
    assert not np.array_equal(explicit.coef_, clf3.coef_)  # the state differs


def test_input_format():
    # test_sgd.py::test_input_format. SGDRegressor rejects a 2-D y; this
    # estimator fits several targets by design, each with its own parameters,
    # so two equal columns must give two equal copies of the 1-D model.
    clf = Regressor(alpha=0.01, shuffle=False).fit(X, Y)
    both = Regressor(alpha=0.01, shuffle=False).fit(X, np.c_[Y, Y])
    assert both.coef_.shape == (2, 2)
    for k in range(2):
        assert_array_equal(both.coef_[k], clf.coef_)
        assert both.intercept_[k] == clf.intercept_


@pytest.mark.parametrize("container", CONTAINERS)
def test_clone(container):
    # test_sgd.py::test_clone
    clf = clone(Regressor(alpha=0.01, momentum=0.5))
    clf.set_params(momentum=0.0)
    clf.fit(container(X), Y)
    clf2 = Regressor(alpha=0.01, momentum=0.0).fit(container(X), Y)
    assert_array_equal(clf.coef_, clf2.coef_)


@pytest.mark.parametrize("container", CONTAINERS)
def test_early_stopping(iris, container):
    # test_sgd.py::test_early_stopping
    X_iris, y_iris = iris
    keep = y_iris > 0
    for early_stopping in [True, False]:
        clf = RMSpropRegressor(early_stopping=early_stopping, tol=1e-3, n_iter=1000)
        clf.fit(container(X_iris[keep]), y_iris[keep])
        assert clf.n_iter_ < 1000


@pytest.mark.parametrize("container", CONTAINERS)
def test_adaptive_longer_than_constant(iris, container):
    # test_sgd.py::test_adaptive_longer_than_constant
    X_iris, y_iris = iris
    params = dict(learning_rate=0.01, tol=1e-3, n_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf1 = RMSpropRegressor(learning_rate_schedule="adaptive", **params)
        clf1.fit(container(X_iris), y_iris)
        clf2 = RMSpropRegressor(learning_rate_schedule="constant", **params)
        clf2.fit(container(X_iris), y_iris)
    assert clf1.n_iter_ > clf2.n_iter_


@pytest.mark.parametrize("container", CONTAINERS)
def test_validation_set_not_used_for_training(iris, container, recorded_permutations):
    # test_sgd.py::test_validation_set_not_used_for_training. With shuffle off,
    # the recorded order of an epoch is the sorted training rows. RMSprop's
    # early stopping also restores the best epoch's coefficients, so the
    # held-out fit is compared with a plain fit of that many epochs.
    X_iris, y_iris = iris
    params = dict(random_state=42, learning_rate=0.01, tol=None, shuffle=False)
    clf1 = RMSpropRegressor(
        early_stopping=True, validation_fraction=0.4, n_iter=10, **params
    ).fit(container(X_iris), y_iris)
    assert clf1.n_iter_ == 10
    idx_train = recorded_permutations[0]
    assert len(idx_train) == 90
    best = int(np.argmax(clf1.validation_scores_)) + 1
    clf2 = RMSpropRegressor(early_stopping=False, n_iter=10, **params)
    clf2.fit(container(X_iris[idx_train]), y_iris[idx_train])
    assert_array_equal(clf2.loss_curve_, clf1.loss_curve_)
    at_best = RMSpropRegressor(early_stopping=False, n_iter=best, **params)
    at_best.fit(container(X_iris[idx_train]), y_iris[idx_train])
    assert_array_equal(clf1.coef_, at_best.coef_)
    assert clf1.intercept_ == at_best.intercept_


@pytest.mark.parametrize("container", CONTAINERS)
def test_n_iter_no_change(iris, container):
    # test_sgd.py::test_n_iter_no_change: n_iter_ grows with n_iter_no_change.
    X_iris, y_iris = iris
    for early_stopping in [True, False]:
        n_iter_list = [
            RMSpropRegressor(
                early_stopping=early_stopping,
                n_iter_no_change=n_iter_no_change,
                tol=1e-4,
                n_iter=1000,
                random_state=0,
            )
            .fit(container(X_iris), y_iris)
            .n_iter_
            for n_iter_no_change in [2, 3, 10]
        ]
        assert_array_equal(n_iter_list, sorted(n_iter_list))
        assert n_iter_list[0] < n_iter_list[-1]


@pytest.mark.parametrize("container", CONTAINERS)
def test_not_enough_sample_for_early_stopping(container):
    # test_sgd.py::test_not_enough_sample_for_early_stopping
    clf = RMSpropRegressor(early_stopping=True, validation_fraction=0.99)
    with pytest.raises(ValueError, match="training sample"):
        clf.fit(container(X3), Y3)


def test_sgd_early_stopping_with_partial_fit():
    # test_sgd.py::test_sgd_early_stopping_with_partial_fit
    with pytest.raises(ValueError, match="early_stopping"):
        RMSpropRegressor(early_stopping=True).partial_fit(X, Y)


@pytest.mark.parametrize("container", CONTAINERS)
def test_sgd_reg(container):
    # test_sgd.py::test_sgd_reg: two equal features get equal coefficients.
    clf = Regressor(alpha=0.1, n_iter=2, fit_intercept=False)
    clf.fit(container(np.array([[0, 0], [1, 1], [2, 2]], dtype=float)), [0, 1, 2])
    assert clf.coef_[0] == clf.coef_[1]


@pytest.mark.parametrize("container", CONTAINERS)
def test_sgd_least_squares_fit(container):
    # test_sgd.py::test_sgd_least_squares_fit
    n_samples = 100
    rng = np.random.RandomState(0)
    X_line = np.linspace(-5, 5, n_samples).reshape(n_samples, 1)
    y = 0.5 * X_line.ravel()
    clf = Regressor(alpha=0.1, n_iter=20, fit_intercept=False)
    clf.fit(container(X_line), y)
    assert clf.score(X_line, y) > 0.99

    y = 0.5 * X_line.ravel() + rng.randn(n_samples, 1).ravel()
    clf = Regressor(alpha=0.1, n_iter=20, fit_intercept=False)
    clf.fit(container(X_line), y)
    assert clf.score(X_line, y) > 0.5


@pytest.mark.parametrize("container", CONTAINERS)
def test_partial_fit(container):
    # test_sgd.py::test_partial_fit. The intercept of a 1-D fit is a scalar
    # here, as in LinearRegression (SGDRegressor's has shape (1,)).
    third = X.shape[0] // 3
    clf = Regressor(alpha=0.01)
    clf.partial_fit(container(X[:third]), Y[:third])
    assert clf.coef_.shape == (X.shape[1],)
    assert np.ndim(clf.intercept_) == 0
    assert clf.predict([[0, 0]]).shape == (1,)
    clf.partial_fit(container(X[third:]), Y[third:])
    assert clf.coef_.shape == (X.shape[1],)
    assert clf.t_ == 2


@pytest.mark.parametrize("container", CONTAINERS)
def test_partial_fit_equal_fit(container):
    # test_sgd.py::test_partial_fit_equal_fit: SGD checks 2 decimals; with a
    # constant step the two paths make the same updates, so equality holds.
    clf = Regressor(alpha=0.01, n_iter=2, shuffle=False).fit(container(X), Y)
    y_pred = clf.predict(T)
    t = clf.t_
    clf = Regressor(alpha=0.01, shuffle=False)
    for _ in range(2):
        clf.partial_fit(container(X), Y)
    assert clf.t_ == t
    assert_array_equal(clf.predict(T), y_pred)


@pytest.mark.parametrize("container", CONTAINERS)
def test_sgd_random_state(container):
    # test_sgd.py::test_sgd_random_state. SGD asserts a difference above 1.0
    # after one epoch, a figure of its own schedule; here the property is that
    # another seed gives another order, and so other coefficients.
    X_reg, y_reg = make_regression(random_state=0)
    X_reg = container(X_reg)
    params = dict(n_iter=1, tol=1e-3)
    with pytest.warns(ConvergenceWarning):
        a = RMSpropRegressor(random_state=0, **params).fit(X_reg, y_reg)
    assert a.n_iter_ == 1
    with pytest.warns(ConvergenceWarning):
        b = RMSpropRegressor(random_state=0, **params).fit(X_reg, y_reg)
    assert_array_equal(a.coef_, b.coef_)
    with pytest.warns(ConvergenceWarning):
        c = RMSpropRegressor(random_state=1, **params).fit(X_reg, y_reg)
    assert np.abs(a.coef_ - c.coef_).max() > 0


def test_sgd_error_on_zero_validation_weight(iris, recorded_permutations):
    # test_sgd.py::test_sgd_error_on_zero_validation_weight. SGD gives every
    # sample zero weight; that is refused here before any split, so only the
    # validation rows get zero weight.
    X_iris, y_iris = iris
    params = dict(early_stopping=True, validation_fraction=0.4, random_state=0)
    RMSpropRegressor(n_iter=1, tol=None, **params).fit(X_iris, y_iris)
    sample_weight = np.zeros_like(y_iris)
    sample_weight[recorded_permutations[0]] = 1
    with pytest.raises(ValueError, match="validation sample.*zero sample_weight"):
        RMSpropRegressor(**params).fit(X_iris, y_iris, sample_weight=sample_weight)


def test_sgd_verbose(capsys):
    # test_sgd.py::test_sgd_verbose (a smoke test there; the lines are checked).
    Regressor(verbose=1).fit(X, Y)
    assert capsys.readouterr().out.count("Epoch ") == 5


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_dtype_match(container, dtype):
    # test_sgd.py::test_sgd_dtype_match
    clf = Regressor().fit(container(X.astype(dtype)), Y.astype(dtype))
    assert clf.coef_.dtype == dtype


@pytest.mark.parametrize("container", CONTAINERS)
def test_sgd_numerical_consistency(container):
    # test_sgd.py::test_sgd_numerical_consistency. SGD asserts rtol 1e-7. This
    # data is one batch, and RMSprop's normalisation turns the rounding noise
    # of the intercept's first gradient into a step of up to
    # learning_rate / sqrt(1 - decay_rate) in float32 (see the class Notes),
    # so the documented agreement, within 4 learning rates, is checked.
    sgd_64 = Regressor(n_iter=22, shuffle=False).fit(container(X), Y)
    sgd_32 = Regressor(n_iter=22, shuffle=False).fit(
        container(X.astype(np.float32)), Y.astype(np.float32)
    )
    assert_allclose(sgd_64.coef_, sgd_32.coef_, rtol=0, atol=4 * 0.01)


def test_underflow_or_overflow():
    # test_sgd.py::test_underflow_or_overflow
    with np.errstate(all="raise"):
        rng = np.random.RandomState(0)
        X_big = rng.normal(size=(100, 10))
        X_big[:, :2] *= 1e300
        assert np.isfinite(X_big).all()
        X_scaled = MinMaxScaler().fit_transform(X_big)
        assert np.isfinite(X_scaled).all()
        y = np.dot(X_scaled, rng.normal(size=10))
        model = RMSpropRegressor(alpha=0.1, n_iter=500, tol=None)
        model.fit(X_scaled, y)
        assert np.isfinite(model.coef_).all()
        with pytest.raises(ValueError, match="diverged.*StandardScaler"):
            model.fit(X_big, y)


def test_tol_parameter(iris):
    # test_sgd.py::test_tol_parameter
    X_iris = StandardScaler().fit_transform(iris[0])
    y = (iris[1] == 1).astype(float)
    model_0 = RMSpropRegressor(tol=None, random_state=0, n_iter=42).fit(X_iris, y)
    assert model_0.n_iter_ == 42

    model_1 = RMSpropRegressor(tol=0, random_state=0, n_iter=2000).fit(X_iris, y)
    assert 5 < model_1.n_iter_ < 2000

    model_2 = RMSpropRegressor(tol=0.1, random_state=0, n_iter=2000).fit(X_iris, y)
    assert model_1.n_iter_ > model_2.n_iter_ > 3

    model_3 = RMSpropRegressor(n_iter=3, tol=1e-3, random_state=0)
    with pytest.warns(ConvergenceWarning, match="n_iter=3"):
        model_3.fit(X_iris, y)
    assert model_3.n_iter_ == 3


def test_multi_core_gridsearch_and_early_stopping(scaled_diabetes):
    # test_sgd.py::test_multi_core_gridsearch_and_early_stopping
    param_grid = {"alpha": np.logspace(-4, 4, 9), "n_iter_no_change": [5, 10, 50]}
    clf = RMSpropRegressor(
        tol=1e-2, n_iter=1000, early_stopping=True, random_state=0, learning_rate=0.1
    )
    search = RandomizedSearchCV(clf, param_grid, n_iter=5, n_jobs=2, random_state=0)
    search.fit(*scaled_diabetes)
    assert search.best_score_ > 0.4


@pytest.mark.parametrize("backend", ["loky", "multiprocessing", "threading"])
def test_fit_for_all_backends(backend, scaled_diabetes):
    # test_sgd.py::test_SGDClassifier_fit_for_all_backends: fits run by any
    # joblib backend (processes, memory-mapped data, threads sharing it) give
    # what sequential fits give.
    X_diab, y_diab = scaled_diabetes
    X_sparse = sp.csr_array(np.where(np.abs(X_diab) > 1, X_diab, 0))
    model = RMSpropRegressor(n_iter=20, tol=None, random_state=42, momentum=0.5)
    for data in (X_diab, X_sparse):
        sequential = cross_val_score(model, data, y_diab, cv=4, n_jobs=1)
        with joblib.parallel_backend(backend=backend):
            parallel = cross_val_score(model, data, y_diab, cv=4, n_jobs=2)
        assert_array_equal(parallel, sequential)


def test_provide_coef():
    # test_sgd.py::test_provide_coef
    with pytest.raises(ValueError, match="coef_init has shape"):
        RMSpropRegressor().fit(X, Y, coef_init=np.zeros((3,)))


def test_set_intercept_offset():
    # test_sgd.py::test_set_intercept_offset
    with pytest.raises(ValueError, match="intercept_init has shape"):
        RMSpropRegressor().fit(X, Y, intercept_init=np.zeros((3,)))


@pytest.mark.parametrize("targets", [1, 3])
def test_set_intercept_to_intercept(targets):
    # test_sgd.py::test_set_intercept_to_intercept: fitted intercept_ and coef_
    # are accepted back as starting values.
    y = Y if targets == 1 else np.column_stack([Y, -Y, 2 * Y])
    clf = Regressor().fit(X, y)
    again = Regressor(n_iter=1).fit(
        X, y, coef_init=clf.coef_, intercept_init=clf.intercept_
    )
    assert np.shape(again.intercept_) == np.shape(clf.intercept_)


# ----------------------------------------------------------------------------
# test_base.py


@pytest.mark.parametrize("container", [_dense, sp.coo_array])
def test_linear_regression_multiple_outcome(container):
    # test_base.py::test_linear_regression_multiple_outcome and
    # ::test_linear_regression_sparse_multiple_outcome (there decimal=3; here
    # the targets are fitted independently, so the coefficients are equal).
    X_reg, y = make_regression(random_state=0, n_features=20)
    if container is not _dense:
        X_reg[np.abs(X_reg) < 1] = 0
    X_reg = container(X_reg)
    reg = Regressor().fit(X_reg, np.vstack((y, y)).T)
    assert reg.coef_.shape == (2, X_reg.shape[1])
    single = Regressor().fit(X_reg, y)
    assert_array_equal(reg.coef_, np.vstack((single.coef_, single.coef_)))
    # A matrix product and a matrix-vector product may sum in other orders.
    y_pred = single.predict(X_reg)
    assert_allclose(reg.predict(X_reg), np.vstack((y_pred, y_pred)).T, rtol=1e-12)


def test_fit_intercept():
    # test_base.py::test_fit_intercept: coef_ shapes with and without intercept.
    X2 = np.array([[0.38349978, 0.61650022], [0.58853682, 0.41146318]])
    X3 = np.array(
        [[0.27677969, 0.70693172, 0.01628859], [0.08385139, 0.20692515, 0.70922346]]
    )
    y = np.array([1.0, 1.0])
    for data in (X2, X3):
        without = Regressor(fit_intercept=False).fit(data, y)
        with_ = Regressor().fit(data, y)
        assert with_.coef_.shape == without.coef_.shape == (data.shape[1],)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_sparse_equal_dense(fit_intercept):
    # test_base.py::test_linear_regression_sparse_equal_dense
    rng = np.random.RandomState(0)
    X_sp = rng.rand(40, 10)
    X_sp[X_sp < 0.8] = 0
    y = rng.rand(40)
    params = dict(fit_intercept=fit_intercept, batch_size=8)
    dense = Regressor(**params).fit(X_sp, y)
    csr = Regressor(**params).fit(sp.csr_array(X_sp), y)
    assert_allclose(dense.intercept_, csr.intercept_, rtol=1e-10)
    assert_allclose(dense.coef_, csr.coef_, rtol=1e-10)


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_regression_sample_weight_consistency(container, fit_intercept):
    # test_base.py::test_linear_regression_sample_weight_consistency (and
    # test_ridge.py::test_ridge_sample_weight_consistency). The objective is a
    # weighted mean per batch, so weights matter only through their ratios
    # within a batch. That makes "zero weight equals removing the row" and
    # "weight 2 equals repeating the row" hold for full batches only: with
    # mini-batches, a row's position decides its batch, by design.
    rng = np.random.RandomState(0)
    n_samples, n_features = 50, 10
    X_w = rng.rand(n_samples, n_features)
    y = rng.rand(n_samples)
    params = dict(
        fit_intercept=fit_intercept, batch_size=None, shuffle=False, n_iter=30
    )
    reg = Regressor(**params).fit(container(X_w), y)
    coef, intercept = reg.coef_.copy(), reg.intercept_

    # 1) ones are no weights
    reg.fit(container(X_w), y, sample_weight=np.ones_like(y))
    assert_array_equal(reg.coef_, coef)
    assert reg.intercept_ == intercept

    # 2) a scalar weight is no weights
    reg.fit(container(X_w), y, sample_weight=123.0)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    assert_allclose(reg.intercept_, intercept, rtol=1e-6)

    # 3) scaling the weights changes nothing (Ridge must also scale alpha;
    # a weighted mean needs no such change)
    sample_weight = rng.uniform(low=0.01, high=2, size=n_samples)
    reg.fit(container(X_w), y, sample_weight=sample_weight)
    coef, intercept = reg.coef_.copy(), reg.intercept_
    reg.fit(container(X_w), y, sample_weight=np.pi * sample_weight)
    assert_allclose(reg.coef_, coef, rtol=1e-6)
    assert_allclose(reg.intercept_, intercept, rtol=1e-6)

    # 4) zero weight is removing the sample
    sample_weight_0 = sample_weight.copy()
    sample_weight_0[-5:] = 0
    y[-5:] *= 1000  # to make excluding those samples important
    reg.fit(container(X_w), y, sample_weight=sample_weight_0)
    coef_0, intercept_0 = reg.coef_.copy(), reg.intercept_
    reg.fit(container(X_w[:-5]), y[:-5], sample_weight=sample_weight[:-5])
    assert_allclose(reg.coef_, coef_0, rtol=1e-5)
    assert_allclose(reg.intercept_, intercept_0, rtol=1e-5)

    # 5) weight 2 is repeating the sample
    X2 = np.concatenate([X_w, X_w[: n_samples // 2]], axis=0)
    y2 = np.concatenate([y, y[: n_samples // 2]])
    sample_weight_1 = sample_weight.copy()
    sample_weight_1[: n_samples // 2] *= 2
    sample_weight_2 = np.concatenate(
        [sample_weight, sample_weight[: n_samples // 2]], axis=0
    )
    reg1 = Regressor(**params).fit(container(X_w), y, sample_weight=sample_weight_1)
    reg2 = Regressor(**params).fit(container(X2), y2, sample_weight=sample_weight_2)
    assert_allclose(reg1.coef_, reg2.coef_, rtol=1e-6)
    assert_allclose(reg1.intercept_, reg2.intercept_, rtol=1e-6)


# ----------------------------------------------------------------------------
# test_ridge.py


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("container", [_dense, sp.csr_array, sp.csc_array])
@pytest.mark.parametrize("sample_weight", [None, 1.0, "array"])
def test_ridge_regression_check_arguments_validity(dtype, container, sample_weight):
    # test_ridge.py::test_ridge_regression_check_arguments_validity: any input
    # format, dtype and form of sample_weight gives the same model.
    rng = np.random.RandomState(0)
    X_r = rng.rand(100, 4).astype(dtype)
    y = (X_r @ np.array([1.0, 2.0, 0.1, -1.0]) + 3).astype(dtype)
    weights = np.ones(100) if sample_weight == "array" else sample_weight
    reference = Regressor(n_iter=20).fit(X_r, y)
    model = Regressor(n_iter=20).fit(container(X_r), y, sample_weight=weights)
    assert model.coef_.dtype == dtype
    # Dense and sparse sum in another order; see the class Notes.
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    assert_allclose(model.coef_, reference.coef_, rtol=rtol)


def test_ridge_shapes_type():
    # test_ridge.py::test_ridge_shapes_type
    rng = np.random.RandomState(0)
    X_r = rng.randn(5, 10)
    y = rng.randn(5)
    Y1 = y[:, np.newaxis]
    Y2 = np.c_[y, 1 + y]
    for target, coef_shape, intercept_shape in [
        (y, (10,), ()),
        (Y1, (1, 10), (1,)),
        (Y2, (2, 10), (2,)),
    ]:
        reg = Regressor().fit(X_r, target)
        assert reg.coef_.shape == coef_shape
        assert np.shape(reg.intercept_) == intercept_shape
        assert isinstance(reg.coef_, np.ndarray)


def test_dtype_match():
    # test_ridge.py::test_dtype_match: float32 stays float32, float64 float64,
    # and the two agree (within the documented 4 learning rates).
    rng = np.random.RandomState(0)
    X_64 = rng.randn(6, 5)
    y_64 = rng.randn(6)
    coefs = {}
    for dtype in (np.float32, np.float64):
        reg = Regressor(alpha=0.5).fit(X_64.astype(dtype), y_64.astype(dtype))
        assert reg.coef_.dtype == dtype
        assert reg.predict(X_64.astype(dtype)).dtype == dtype
        coefs[dtype] = reg.coef_
    assert_allclose(coefs[np.float32], coefs[np.float64], rtol=0, atol=4 * 0.01)


def test_ridge_fit_intercept_sparse():
    # test_ridge.py::test_ridge_fit_intercept_sparse: sparse data with an
    # intercept far from zero fits as well as dense data.
    X_r, y = make_regression(
        n_samples=200, n_features=40, bias=10.0, noise=1.0, random_state=42
    )
    X_r[X_r < 0.5] = 0
    params = dict(n_iter=30, learning_rate=0.1)
    dense = Regressor(**params).fit(X_r, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning on the sparse path either
        csr = Regressor(**params).fit(sp.csr_array(X_r), y)
    assert_allclose(csr.intercept_, dense.intercept_, rtol=1e-10)
    assert_allclose(csr.coef_, dense.coef_, rtol=1e-10)

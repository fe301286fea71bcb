"""RMSpropClassifier: the oracle, sparse input, probabilities, labels, streaming,
class weights, early stopping and bad input."""

import itertools
import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.utils.class_weight import compute_class_weight

from sk_rmsprop import RMSpropClassifier

from ._reference import CLASSIFICATION_LOSSES, classification_loss, rmsprop_reference

N_EPOCHS = 3


def _encoded(y, classes):
    """Labels as the kernels see them: one column of +-1 for two classes,
    otherwise +1 on the row's class and -1 elsewhere."""
    codes = np.searchsorted(classes, y)
    if len(classes) == 2:
        return np.where(codes == 1, 1.0, -1.0)[:, None]
    Y = -np.ones((len(y), len(classes)))
    Y[np.arange(len(y)), codes] = 1.0
    return Y


def _data(binary_data, multiclass_data, n_classes):
    return binary_data if n_classes == 2 else multiclass_data


# ----------------------------------------------------------------------------
# The oracle: the estimator against the plain-NumPy loop on replayed orders

SETTINGS = "momentum, centered, alpha, fit_intercept, weighted"
SETTING_VALUES = [
    (momentum, centered, alpha, fit_intercept, weighted)
    for momentum, centered, alpha in itertools.product(
        [0.0, 0.9], [False, True], [0.0, 0.1]
    )
    for fit_intercept, weighted in [(True, False), (False, True)]
]


@pytest.mark.parametrize(SETTINGS, SETTING_VALUES)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES)
@pytest.mark.parametrize("batch_size, average", [(7, False), (None, False), (7, 4)])
def test_matches_reference_on_replayed_permutations(
    binary_data, multiclass_data, recorded_permutations, batch_size, average,
    loss, n_classes, momentum, centered, alpha, fit_intercept, weighted,
):  # fmt: skip
    X, y = _data(binary_data, multiclass_data, n_classes)
    rng = np.random.RandomState(3)
    sample_weight = rng.randint(0, 4, size=len(y)).astype(float) if weighted else None
    params = dict(
        learning_rate=0.05, decay_rate=0.8, epsilon=1e-7, batch_size=batch_size,
        momentum=momentum, centered=centered, alpha=alpha, fit_intercept=fit_intercept,
    )  # fmt: skip
    model = RMSpropClassifier(
        n_iter=N_EPOCHS, tol=None, random_state=0, loss=loss, average=average, **params
    )
    model.fit(X, y, sample_weight=sample_weight)
    assert len(recorded_permutations) == N_EPOCHS

    Y = _encoded(y, model.classes_)
    params["batch_size"] = batch_size or len(y)
    start = (np.zeros((Y.shape[1], X.shape[1])), np.zeros(Y.shape[1]))
    coef, intercept = rmsprop_reference(
        X, Y, recorded_permutations, *start, sample_weight=sample_weight,
        average=average, loss=loss, **params,
    )  # fmt: skip
    # The same operations in float64; only the order of the sums differs.
    assert_allclose(model.coef_, coef, rtol=1e-10, atol=1e-14)
    assert_allclose(model.intercept_, intercept, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_objective_is_the_weighted_mean_loss(
    binary_data, multiclass_data, loss, n_classes
):
    # With averaging from the first update, each epoch is judged by the
    # averaged model at its end: its objective is the loss of that model.
    X, y = _data(binary_data, multiclass_data, n_classes)
    weights = np.random.RandomState(0).uniform(0.5, 2, size=len(y))
    model = RMSpropClassifier(
        loss=loss, average=True, n_iter=4, tol=None, alpha=0.01, random_state=0
    ).fit(X, y, sample_weight=weights)
    outputs = np.atleast_2d(model.decision_function(X).T).T
    losses = classification_loss(outputs, _encoded(y, model.classes_), loss)
    penalty = 0.01 / 2 * (model.coef_**2).sum(axis=1)
    # One-vs-rest: the mean over the outputs; multinomial: one objective.
    penalty = (
        penalty.sum() if (loss == "log_loss" and n_classes > 2) else penalty.mean()
    )
    expected = np.average(losses, weights=weights) + penalty
    assert_allclose(model.loss_curve_[-1], expected, rtol=1e-12)
    if loss == "log_loss":  # the multinomial loss is scikit-learn's log loss
        assert_allclose(
            np.average(losses, weights=weights),
            log_loss(y, model.predict_proba(X), sample_weight=weights),
            rtol=1e-12,
        )


def test_multinomial_reaches_logistic_regression(multiclass_data):
    # The same objective (alpha = 1 / (C * n_samples)): the same optimum.
    # Full-batch steps, averaged once near it, remove the mini-batch noise.
    X, y = multiclass_data
    alpha = 1 / len(y)
    exact = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    model = RMSpropClassifier(
        alpha=alpha, batch_size=None, average=1000, n_iter=3000, tol=None
    ).fit(X, y)

    def objective(estimator):
        penalty = alpha / 2 * (estimator.coef_**2).sum()
        return log_loss(y, estimator.predict_proba(X)) + penalty

    assert objective(model) - objective(exact) < 1e-8
    # The penalty makes the coefficients unique; the unpenalised intercepts
    # are unique up to a shift common to all classes.
    assert_allclose(model.coef_, exact.coef_, atol=2e-4)

    def centred(intercept):
        return intercept - intercept.mean()

    assert_allclose(centred(model.intercept_), centred(exact.intercept_), atol=2e-4)


# ----------------------------------------------------------------------------
# Sparse input and float32


@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES)
@pytest.mark.parametrize("alpha, momentum", [(0.0, 0.0), (0.0, 0.9), (0.1, 0.5)])
@pytest.mark.parametrize("binary", [True, False])
def test_sparse_matches_dense(
    sparse_classification_data, loss, alpha, momentum, binary
):
    X, y = sparse_classification_data
    if binary:
        y = y == 1
    params = dict(loss=loss, alpha=alpha, momentum=momentum, batch_size=5,
                  n_iter=5, tol=None, random_state=0, average=9)  # fmt: skip
    dense = RMSpropClassifier(**params).fit(X, y)
    lazy = RMSpropClassifier(**params).fit(sparse.csr_matrix(X), y)
    assert_allclose(lazy.coef_, dense.coef_, rtol=1e-10, atol=1e-13)
    assert_allclose(lazy.intercept_, dense.intercept_, rtol=1e-10, atol=1e-13)
    assert_allclose(lazy.loss_curve_, dense.loss_curve_, rtol=1e-10)


@pytest.mark.parametrize("loss", CLASSIFICATION_LOSSES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_float32_is_fitted_in_float32(binary_data, multiclass_data, loss, n_classes):
    X, y = _data(binary_data, multiclass_data, n_classes)
    params = dict(loss=loss, n_iter=20, tol=None, random_state=0)
    single = RMSpropClassifier(**params).fit(X.astype(np.float32), y)
    double = RMSpropClassifier(**params).fit(X, y)
    assert single.coef_.dtype == single.intercept_.dtype == np.float32
    assert single.decision_function(X.astype(np.float32)).dtype == np.float32
    if loss in ("log_loss", "modified_huber"):
        assert single.predict_proba(X.astype(np.float32)).dtype == np.float32
    # Rounding differs, the path does not: within a few steps of each other.
    assert_allclose(single.coef_, double.coef_, atol=4 * 0.01)
    assert_array_equal(single.predict(X), double.predict(X))


# ----------------------------------------------------------------------------
# Labels, shapes and predictions


@pytest.mark.parametrize(
    "labels",
    [np.array(["no", "yes"]), np.array([-1, 1]), np.array([False, True]),
     np.array(["a", "b", "c"]), np.array([3, 7, 11])],
)  # fmt: skip
def test_labels_of_any_type_come_back_as_given(multiclass_data, labels):
    X, codes = multiclass_data
    y = labels[codes % len(labels)]
    model = RMSpropClassifier(random_state=0).fit(X, y)
    assert_array_equal(model.classes_, labels)
    predicted = model.predict(X)
    assert predicted.dtype == y.dtype and set(predicted) <= set(labels)
    n_outputs = 1 if len(labels) == 2 else len(labels)
    assert model.coef_.shape == (n_outputs, X.shape[1])
    assert model.intercept_.shape == (n_outputs,)
    scores = model.decision_function(X)
    assert scores.shape == ((len(y),) if len(labels) == 2 else (len(y), len(labels)))
    assert model.score(X, y) > 0.6


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predict_is_the_largest_score_and_probability(
    binary_data, multiclass_data, n_classes
):
    X, y = _data(binary_data, multiclass_data, n_classes)
    for loss in ("log_loss", "modified_huber"):
        model = RMSpropClassifier(loss=loss, random_state=0).fit(X, y)
        proba = model.predict_proba(X)
        assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
        assert_array_equal(model.classes_[np.argmax(proba, axis=1)], model.predict(X))
        with np.errstate(divide="ignore"):
            assert_allclose(model.predict_log_proba(X), np.log(proba), rtol=1e-10)


def test_log_loss_probabilities_are_the_logistic_and_softmax_links(
    binary_data, multiclass_data
):
    X, y = binary_data
    model = RMSpropClassifier(n_iter=5, random_state=0).fit(X, y)
    d = model.decision_function(X)
    assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-d)), rtol=1e-14)
    X, y = multiclass_data
    model = RMSpropClassifier(n_iter=5, random_state=0).fit(X, y)
    d = model.decision_function(X)
    expected = np.exp(d) / np.exp(d).sum(axis=1, keepdims=True)
    assert_allclose(model.predict_proba(X), expected, rtol=1e-13)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_no_probabilities_for_margin_losses(binary_data, loss):
    X, y = binary_data
    model = RMSpropClassifier(loss=loss, n_iter=2).fit(X, y)
    assert not hasattr(model, "predict_proba")
    assert not hasattr(model, "predict_log_proba")
    with pytest.raises(AttributeError, match="predict_proba") as raised:
        model.predict_proba(X)
    assert "loss='log_loss' or loss='modified_huber'" in str(raised.value.__cause__)


@pytest.mark.parametrize("loss", ["log_loss", "modified_huber"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_probabilities_stay_finite_under_extreme_scores(
    binary_data, multiclass_data, loss, n_classes
):
    X, y = _data(binary_data, multiclass_data, n_classes)
    n_outputs = 1 if n_classes == 2 else n_classes
    coef = np.random.RandomState(0).normal(size=(n_outputs, X.shape[1])) * 1e4
    model = RMSpropClassifier(loss=loss, n_iter=1, tol=None, learning_rate=1e-3)
    # Scores of about +-1e4 from the first update on: exp(1e4) overflows, the
    # losses and their derivatives must not.
    model.fit(X, y, coef_init=coef)
    assert np.all(np.isfinite(model.loss_curve_))
    for scale in (1.0, 1e300):
        model.coef_ = coef * scale
        proba = model.predict_proba(X)
        assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
        assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)
        if loss == "log_loss":
            log_proba = model.predict_log_proba(X)
            assert np.all(log_proba <= 0) and not np.any(np.isnan(log_proba))


def test_log_loss_derivative_at_extreme_margins_is_exact():
    # The derivative -y / (1 + exp(z)) for z = +-800: exp overflows on one
    # side and underflows on the other; the kernel's form keeps both.
    from sk_rmsprop._losses import LOG_LOSS, SOFTMAX, loss_values

    loss = (LOG_LOSS, 0.0, 0.0, 0.0, 0.0, 0.5)
    p = np.array([[800.0], [-800.0], [30.0], [-30.0]])
    values, derivatives = loss_values(loss, p, np.ones_like(p))
    small = np.exp(-30.0)
    expected = [0.0, 800.0, np.log1p(small), 30.0 + np.log1p(small)]
    assert_allclose(values[:, 0], expected, rtol=1e-15)
    expected = [-np.exp(-800.0), -1.0, -small / (1 + small), -1 / (1 + small)]
    assert_allclose(derivatives[:, 0], expected, rtol=1e-15)
    softmax = (SOFTMAX, 0.0, 0.0, 0.0, 0.0, 0.5)
    p = np.array([[1000.0, -1000.0, 0.0]])
    values, derivatives = loss_values(softmax, p, np.array([[-1.0, 1.0, -1.0]]))
    assert_allclose(values, [[0.0, 2000.0, 0.0]])
    assert_allclose(derivatives, [[1.0, -1.0, 0.0]], atol=1e-300)


# ----------------------------------------------------------------------------
# Streaming, warm start, pickling


@pytest.mark.parametrize("n_classes", [2, 3])
def test_partial_fit_chunks_equal_one_fit_epoch(
    binary_data, multiclass_data, n_classes
):
    X, y = _data(binary_data, multiclass_data, n_classes)
    chunks = [slice(0, 14), slice(14, 35), slice(35, 60)]  # multiples of 7
    params = dict(shuffle=False, momentum=0.5, centered=True, alpha=0.01, batch_size=7)
    streamed = RMSpropClassifier(**params)
    for chunk in chunks:
        streamed.partial_fit(X[chunk], y[chunk], classes=np.unique(y))
    whole = RMSpropClassifier(n_iter=1, tol=None, **params).fit(X, y)
    assert_array_equal(streamed.coef_, whole.coef_)
    assert_array_equal(streamed.intercept_, whole.intercept_)
    assert_array_equal(streamed.square_avg_, whole.square_avg_)
    assert streamed.t_ == whole.t_ == 9


def test_partial_fit_takes_a_chunk_without_every_class(multiclass_data):
    X, y = multiclass_data
    model = RMSpropClassifier(random_state=0)
    first = y != 2
    model.partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert model.coef_.shape == (3, X.shape[1])
    model.partial_fit(X, y)  # classes may be left out after the first call
    model.partial_fit(X, y, classes=[2, 1, 0])  # or repeated, in any order
    assert_array_equal(model.classes_, [0, 1, 2])


@pytest.mark.parametrize("average", [False, 7])
def test_pickling_mid_stream_continues_identically(multiclass_data, average):
    X, y = multiclass_data
    model = RMSpropClassifier(
        momentum=0.9, average=average, batch_size=5, random_state=0
    )
    model.partial_fit(X, y, classes=[0, 1, 2])
    copy = pickle.loads(pickle.dumps(model))
    for estimator in (model, copy):
        estimator.partial_fit(X, y)
        estimator.partial_fit(X, y)
    assert_array_equal(copy.coef_, model.coef_)
    assert_array_equal(copy.iterate_coef_, model.iterate_coef_)


def test_warm_start_resumes_exactly(multiclass_data):
    X, y = multiclass_data
    params = dict(momentum=0.9, tol=None, random_state=0)
    resumed = RMSpropClassifier(n_iter=3, warm_start=True, **params).fit(X, y)
    resumed.set_params(n_iter=4).fit(X, y)
    whole = RMSpropClassifier(n_iter=7, **params).fit(X, y)
    assert_array_equal(resumed.coef_, whole.coef_)
    assert resumed.t_ == whole.t_


def test_coef_init_and_intercept_init(binary_data, multiclass_data):
    X, y = binary_data
    for coef_init in (np.ones(4), np.ones((1, 4))):
        model = RMSpropClassifier(n_iter=1, tol=None, learning_rate=1e-12)
        model.fit(X, y, coef_init=coef_init, intercept_init=0.5)
        assert_allclose(model.coef_, np.ones((1, 4)), rtol=1e-9)
        assert_allclose(model.intercept_, [0.5], rtol=1e-9)
    X, y = multiclass_data
    with pytest.raises(
        ValueError, match=r"coef_init has shape \(4,\); expected \(3, 4\)"
    ):
        RMSpropClassifier().fit(X, y, coef_init=np.ones(4))


# ----------------------------------------------------------------------------
# Class weights and early stopping


def test_class_weight_multiplies_the_sample_weights(multiclass_data):
    X, y = multiclass_data
    weights = {0: 2.0, 1: 0.5, 2: 1.0}
    params = dict(n_iter=5, tol=None, random_state=0)
    by_class = RMSpropClassifier(class_weight=weights, **params).fit(X, y)
    sample_weight = np.array([weights[label] for label in y])
    by_sample = RMSpropClassifier(**params).fit(X, y, sample_weight=sample_weight)
    assert_array_equal(by_class.coef_, by_sample.coef_)


def test_class_weight_keys_are_the_labels_themselves(binary_data):
    # Labels that read as numbers stay labels: "1" is not 1.
    X, y = binary_data
    y = np.where(y == "yes", "1", "0")
    params = dict(n_iter=3, tol=None, random_state=0)
    by_class = RMSpropClassifier(class_weight={"1": 3.0}, **params).fit(X, y)
    by_sample = RMSpropClassifier(**params).fit(X, y, sample_weight=1 + 2 * (y == "1"))
    assert_array_equal(by_class.coef_, by_sample.coef_)
    with pytest.raises(ValueError, match=r"class_weight has labels \[1\]"):
        RMSpropClassifier(class_weight={1: 3.0}).fit(X, y)


def test_balanced_class_weight(binary_data):
    X, y = binary_data
    params = dict(n_iter=5, tol=None, random_state=0)
    balanced = RMSpropClassifier(class_weight="balanced", **params).fit(X, y)
    weights = compute_class_weight("balanced", classes=np.unique(y), y=y)
    by_label = dict(zip(np.unique(y), weights, strict=True))
    manual = RMSpropClassifier(class_weight=by_label, **params)
    assert_array_equal(balanced.coef_, manual.fit(X, y).coef_)


def test_balanced_class_weight_in_partial_fit_raises(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="compute_class_weight"):
        RMSpropClassifier(class_weight="balanced").partial_fit(
            X, y, classes=["no", "yes"]
        )


def test_early_stopping_scores_accuracy_on_a_stratified_split(
    multiclass_data, recorded_permutations
):
    X, y = multiclass_data
    model = RMSpropClassifier(early_stopping=True, validation_fraction=0.25,
                              n_iter=30, random_state=0).fit(X, y)  # fmt: skip
    validation = np.setdiff1d(np.arange(len(y)), recorded_permutations[0])
    # Stratified: each class keeps its share, to within one sample.
    shares = np.bincount(y[validation], minlength=3) / np.bincount(y)
    assert np.all(np.abs(shares - 0.25) * np.bincount(y) <= 1)
    # The kept model is the best epoch's; its score is the accuracy there.
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_validation_score_ == model.score(X[validation], y[validation])


# ----------------------------------------------------------------------------
# Bad input: clear errors, and the fitted model kept


def test_partial_fit_needs_classes_on_the_first_call(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        RMSpropClassifier().partial_fit(X, y)


BAD_LABELS = {
    "unknown label": (lambda y: np.where(y == "yes", "maybe", y), None, "not among"),
    "other classes": (lambda y: y, ["no", "yes", "maybe"], "not the same"),
    "continuous": (lambda y: np.linspace(0, 1, len(y)), None, "Unknown label type"),
}


@pytest.mark.parametrize("case", list(BAD_LABELS))
def test_bad_labels_raise_and_keep_state(binary_data, case):
    X, y = binary_data
    make_bad, classes, message = BAD_LABELS[case]
    model = RMSpropClassifier(n_iter=2, random_state=0).fit(X, y)
    model.partial_fit(X, y)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match=message):
        model.partial_fit(X, make_bad(y), classes=classes)
    assert pickle.dumps(model) == before


def test_one_class_raises_naming_it(binary_data):
    X, _ = binary_data
    with pytest.raises(ValueError, match="at least 2 classes; got 1 class"):
        RMSpropClassifier().fit(X, np.full(len(X), "yes"))


def test_failed_first_partial_fit_leaves_no_classes(binary_data):
    X, y = binary_data
    model = RMSpropClassifier()
    with pytest.raises(ValueError, match="not among"):
        model.partial_fit(X, y, classes=["no", "other"])
    assert not hasattr(model, "classes_") and not hasattr(model, "coef_")


# ----------------------------------------------------------------------------
# Step for step with torch.optim.RMSprop on BCEWithLogitsLoss


@pytest.mark.parametrize(
    "momentum, centered, alpha",
    [(0.0, False, 0.0), (0.9, False, 0.0), (0.0, True, 0.1), (0.5, True, 0.01)],
)
def test_binary_log_loss_matches_torch_rmsprop(
    binary_data, recorded_permutations, momentum, centered, alpha
):
    torch = pytest.importorskip("torch")
    X, y = binary_data
    weights = np.random.RandomState(1).uniform(0.5, 2.0, size=len(y))
    params = dict(learning_rate=0.02, decay_rate=0.95, epsilon=1e-7)
    model = RMSpropClassifier(
        batch_size=8, n_iter=3, tol=None, random_state=0, momentum=momentum,
        centered=centered, alpha=alpha, **params,
    ).fit(X, y, sample_weight=weights)  # fmt: skip

    # The same model in torch, in float64, from the same zero start: the
    # penalty on the weights only, as torch's weight decay of their group;
    # each batch's loss the weighted mean of BCEWithLogitsLoss.
    linear = torch.nn.Linear(X.shape[1], 1, dtype=torch.float64)
    torch.nn.init.zeros_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    optimizer = torch.optim.RMSprop(
        [{"params": [linear.weight], "weight_decay": alpha},
         {"params": [linear.bias], "weight_decay": 0.0}],
        lr=params["learning_rate"], alpha=params["decay_rate"],
        eps=params["epsilon"], momentum=momentum, centered=centered,
    )  # fmt: skip
    inputs = torch.from_numpy(X)
    targets = torch.from_numpy((y == "yes").astype(float))
    sample_weight = torch.from_numpy(weights)
    for order in recorded_permutations:
        for start in range(0, len(order), 8):
            batch = torch.from_numpy(order[start : start + 8])
            optimizer.zero_grad()
            losses = torch.nn.functional.binary_cross_entropy_with_logits(
                linear(inputs[batch])[:, 0], targets[batch], reduction="none"
            )
            w = sample_weight[batch]
            ((w * losses).sum() / w.sum()).backward()
            optimizer.step()
    assert_allclose(model.coef_, linear.weight.detach().numpy(), rtol=1e-10)
    assert_allclose(model.intercept_, linear.bias.detach().numpy(), rtol=1e-10)

"""The losses (sk_rmsprop._losses): values and derivatives, against a direct
NumPy formula and against scikit-learn's own definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sk_rmsprop._losses import CLASSIFICATION_LOSSES, LOSSES, SOFTMAX, loss_values

from ._reference import dloss, loss_value

PARAMS = dict(huber_delta=0.7, insensitivity=0.2, quantile=0.3)
# Residuals on both sides of every kink, and on the kinks themselves.
RESIDUALS = np.array([-3.0, -0.7, -0.5, -0.2, -0.1, 0.0, 0.1, 0.2, 0.5, 0.7, 2.0])


def _compiled(loss, residuals, dtype=np.float64):
    cast = np.dtype(dtype).type
    q = PARAMS["quantile"]
    options = (LOSSES[loss], cast(PARAMS["huber_delta"]),
               cast(PARAMS["insensitivity"]), cast(q), cast(1 - q),
               cast(0.5))  # fmt: skip
    predictions = residuals.astype(dtype)[:, None]  # against targets of 0
    values, derivatives = loss_values(options, predictions, np.zeros_like(predictions))
    return values[:, 0], derivatives[:, 0]


@pytest.mark.parametrize("loss", list(LOSSES))
def test_values_and_derivatives_match_the_formulas(loss):
    values, derivatives = _compiled(loss, RESIDUALS)
    assert_allclose(values, loss_value(RESIDUALS, loss, **PARAMS), rtol=1e-15)
    assert_array_equal(derivatives, dloss(RESIDUALS, loss, **PARAMS))


def test_float32_keeps_the_derivative_in_float32():
    # Typed over every branch: one float64 constant in any loss would make
    # every gradient product float64 and change float32 fits in the last bit.
    import numba

    from sk_rmsprop._losses import weighted_loss

    @numba.njit
    def call(loss, w, p, y):
        return weighted_loss(loss, w, p, y, y)

    f32 = np.float32
    options = (0, f32(1), f32(0.1), f32(0.5), f32(0.5), f32(0.5))
    call(options, f32(1), f32(0.3), f32(1))
    (signature,) = call.nopython_signatures
    assert signature.return_type[1] == numba.float32


@pytest.mark.parametrize("loss", list(LOSSES))
def test_float32_derivatives_match_the_formulas(loss):
    _, derivatives = _compiled(loss, RESIDUALS, np.float32)
    assert_allclose(derivatives, dloss(RESIDUALS, loss, **PARAMS), rtol=1e-6)


def _sklearn_loss(loss):
    """(value, derivative) functions of scikit-learn's definition of ``loss``."""
    from sklearn._loss._loss import CyPinballLoss
    from sklearn.linear_model import SGDRegressor

    if loss == "quantile":
        definition = CyPinballLoss(PARAMS["quantile"])
    else:
        cls, *args = SGDRegressor.loss_functions[loss]
        threshold = PARAMS["huber_delta" if loss == "huber" else "insensitivity"]
        definition = cls(*[threshold for _ in args])
    if hasattr(definition, "py_loss"):  # SGD's own: (prediction, y)

        def each(method):
            return lambda p, y: np.array(
                [getattr(definition, method)(a, b) for a, b in zip(p, y, strict=True)]
            )

        return each("py_loss"), each("py_dloss")

    def call(method):  # scikit-learn's common losses: arrays in and out
        def apply(p, y):
            out = np.empty_like(p)
            getattr(definition, method)(
                y_true=y, raw_prediction=p, sample_weight=None, n_threads=1,
                **{f"{method}_out": out},
            )  # fmt: skip
            return out

        return apply

    return call("loss"), call("gradient")


@pytest.mark.parametrize("loss", list(LOSSES))
def test_definitions_are_scikit_learns(loss):
    y = np.linspace(-1.0, 1.0, RESIDUALS.size)
    prediction = y + RESIDUALS
    value, derivative = _sklearn_loss(loss)
    values, derivatives = _compiled(loss, RESIDUALS)
    assert_allclose(values, value(prediction, y), rtol=1e-12, atol=1e-15)
    assert_allclose(derivatives, derivative(prediction, y), rtol=1e-12, atol=1e-15)


# Margins on both sides of every kink (z = -1, z = 1) and on the kinks.
MARGINS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 4.0])


@pytest.mark.parametrize("loss", list(CLASSIFICATION_LOSSES))
@pytest.mark.parametrize("label", [-1.0, 1.0])
def test_classification_definitions_are_sgd_classifiers(loss, label):
    from sklearn.linear_model import SGDClassifier

    cls, *args = SGDClassifier.loss_functions[loss]
    definition = cls(*args)
    prediction = label * MARGINS  # margin z = y * p
    options = (CLASSIFICATION_LOSSES[loss], 0.0, 0.0, 0.0, 0.0, 0.5)
    targets = np.full_like(prediction, label)
    values, derivatives = loss_values(options, prediction[:, None], targets[:, None])
    if hasattr(definition, "py_loss"):  # SGD's own: (prediction, y in {-1, 1})
        value = [definition.py_loss(p, label) for p in prediction]
        derivative = [definition.py_dloss(p, label) for p in prediction]
    else:  # scikit-learn's common binomial loss, of y in {0, 1}
        y01 = np.full_like(prediction, (label + 1) / 2)
        value, derivative = np.empty_like(prediction), np.empty_like(prediction)
        common = dict(y_true=y01, raw_prediction=prediction, sample_weight=None)
        definition.loss(**common, loss_out=value, n_threads=1)
        definition.gradient(**common, gradient_out=derivative, n_threads=1)
    assert_allclose(values[:, 0], value, rtol=1e-12, atol=1e-15)
    assert_allclose(derivatives[:, 0], derivative, rtol=1e-12, atol=1e-15)


def test_multinomial_loss_is_minus_the_log_softmax_of_the_class():
    from scipy.special import log_softmax, softmax

    outputs = np.array([[0.3, -1.2, 2.0], [5.0, 5.0, -5.0], [-40.0, 0.0, 40.0]])
    targets = -np.ones_like(outputs)
    targets[[0, 1, 2], [1, 0, 2]] = 1
    options = (SOFTMAX, 0.0, 0.0, 0.0, 0.0, 0.5)
    values, derivatives = loss_values(options, outputs, targets)
    # The row's loss is counted on its class, so the outputs' values sum to it.
    assert_allclose(values.sum(axis=1), -log_softmax(outputs, axis=1)[targets > 0])
    assert_array_equal(values[targets < 0], 0)
    assert_allclose(derivatives, softmax(outputs, axis=1) - (targets > 0), atol=1e-16)

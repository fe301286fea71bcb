"""The losses (sk_rmsprop._losses): values and derivatives, against a direct
NumPy formula and against scikit-learn's own definitions."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sk_rmsprop._losses import LOSSES, loss_values

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

"""The regression losses, each written once: its value and its derivative.

A loss takes the residual ``r = prediction - y`` and gives ``L(r)`` and
``dL/dr``; the kernels weight both by the sample weight and never look
inside. The definitions are scikit-learn's (SGDRegressor's losses, and the
pinball loss of ``sklearn._loss``), so that a value or a derivative here is
the one a scikit-learn user knows; at a kink the derivative is the one
scikit-learn uses (see each function).

The kernels take a loss as ``loss = (code, huber_delta, insensitivity,
quantile, one_minus_quantile, half)`` with the floats (``half`` is 0.5) in the
dtype of X: a float64 literal would turn float32 arithmetic into float64 and
back at every row, which costs float32 fits a third of their speed. And
`weighted_loss` branches on the code: a predictable branch per row, and one
compiled kernel for all losses.
"""

import numpy as np

from ._compile import jit

SQUARED_ERROR, HUBER, EPSILON_INSENSITIVE, SQUARED_EPSILON_INSENSITIVE, QUANTILE = (
    range(5)
)
LOSSES = {
    "squared_error": SQUARED_ERROR,
    "huber": HUBER,
    "epsilon_insensitive": EPSILON_INSENSITIVE,
    "squared_epsilon_insensitive": SQUARED_EPSILON_INSENSITIVE,
    "quantile": QUANTILE,
}


@jit(inline="always")
def squared_error(w, r, half):
    """``r**2 / 2``; derivative ``r``.

    Evaluated as ``(w * r) * r / 2``: halving is exact, so the sums are those
    of the classic loop to the last bit.
    """
    wr = w * r
    return wr * r * half, wr


@jit(inline="always")
def huber(w, r, delta, half):
    """``r**2 / 2`` for ``|r| <= delta``, ``delta * (|r| - delta / 2)`` beyond;
    derivative ``r`` clipped to ``[-delta, delta]``."""
    if abs(r) <= delta:
        return w * (r * r * half), w * r
    slope = delta if r > 0 else -delta
    return w * (delta * (abs(r) - half * delta)), w * slope


@jit(inline="always")
def epsilon_insensitive(w, r, insensitivity):
    """``max(|r| - insensitivity, 0)``; derivative ``sign(r)`` beyond the
    threshold and 0 within it, kinks included."""
    excess = abs(r) - insensitivity
    if excess <= 0:
        zero = w - w  # in w's dtype: an int literal would make it float64
        return zero, zero
    return w * excess, w if r > 0 else -w


@jit(inline="always")
def squared_epsilon_insensitive(w, r, insensitivity):
    """``max(|r| - insensitivity, 0)**2``; derivative
    ``2 * sign(r) * max(|r| - insensitivity, 0)``."""
    excess = abs(r) - insensitivity
    if excess <= 0:
        zero = w - w
        return zero, zero
    slope = excess + excess if r > 0 else -(excess + excess)
    return w * (excess * excess), w * slope


@jit(inline="always")
def quantile_loss(w, r, quantile, one_minus_quantile):
    """The pinball loss: ``(1 - quantile) * r`` for ``r > 0``, ``-quantile * r``
    otherwise; derivative ``1 - quantile`` for ``r > 0``, ``-quantile``
    otherwise (at ``r = 0`` too, as scikit-learn's pinball loss)."""
    if r > 0:
        return w * (one_minus_quantile * r), w * one_minus_quantile
    return w * (-quantile * r), w * -quantile


@jit(inline="always")
def weighted_loss(loss, w, r):
    """``(w * L(r), w * dL/dr)`` for the loss ``loss`` (see the module)."""
    code, huber_delta, insensitivity, quantile, one_minus_quantile, half = loss
    if code == SQUARED_ERROR:
        return squared_error(w, r, half)
    if code == HUBER:
        return huber(w, r, huber_delta, half)
    if code == EPSILON_INSENSITIVE:
        return epsilon_insensitive(w, r, insensitivity)
    if code == SQUARED_EPSILON_INSENSITIVE:
        return squared_epsilon_insensitive(w, r, insensitivity)
    return quantile_loss(w, r, quantile, one_minus_quantile)


@jit()
def loss_values(loss, residuals):
    """``(L(r), dL/dr)`` for each residual: the loss as the kernels see it."""
    values = np.empty_like(residuals)
    derivatives = np.empty_like(residuals)
    one = residuals.dtype.type(1)
    for i in range(residuals.shape[0]):
        values[i], derivatives[i] = weighted_loss(loss, one, residuals[i])
    return values, derivatives

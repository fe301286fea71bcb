"""The losses, each written once: its value and its derivative.

A loss takes a prediction ``p`` and its target ``y`` and gives ``L(p, y)``
and ``dL/dp``; the kernels weight both by the sample weight and never look
inside.

- The regression losses are functions of the residual ``r = p - y``.
- The margin losses of classification (`log_loss`, `hinge`, `squared_hinge`,
  `modified_huber`) take ``y`` in {-1, +1} and are functions of the margin
  ``z = y * p``; with several classes each class is its own output,
  one-vs-rest.
- The multinomial loss (`softmax_loss`) couples a row's outputs: ``y`` is +1
  for the row's class and -1 for the others, and the loss needs the row's
  ``log(sum(exp(p)))`` (`log_sum_exp`), which the kernels compute once per
  row and pass in. Its value is counted on the row's class alone, so that
  the outputs' values sum to the row's loss.

The definitions are scikit-learn's (SGDRegressor's and SGDClassifier's
losses, the pinball loss of ``sklearn._loss``), so that a value or a
derivative here is the one a scikit-learn user knows; at a kink the
derivative is the one scikit-learn uses (see each function). The logistic
and multinomial losses are evaluated in forms that neither overflow nor lose
digits at large margins.

The kernels take a loss as ``loss = (code, huber_delta, insensitivity,
quantile, one_minus_quantile, half)`` with the floats (``half`` is 0.5) in the
dtype of X (a classifier passes zeros for the three thresholds): a float64
literal would turn float32 arithmetic into float64 and back at every row,
which costs float32 fits a third of their speed. And `weighted_loss` branches
on the code: a predictable branch per row, and one compiled kernel for every
loss of both estimators. (A kernel per family, chosen from the tuple's type,
made a regressor's first fit compile about 0.5 s faster, but doubled the
kernels compiled where both estimators are used.)
"""

import numpy as np

from ._compile import jit

(
    SQUARED_ERROR,
    HUBER,
    EPSILON_INSENSITIVE,
    SQUARED_EPSILON_INSENSITIVE,
    QUANTILE,
    LOG_LOSS,
    HINGE,
    SQUARED_HINGE,
    MODIFIED_HUBER,
    SOFTMAX,
) = range(10)
LOSSES = {
    "squared_error": SQUARED_ERROR,
    "huber": HUBER,
    "epsilon_insensitive": EPSILON_INSENSITIVE,
    "squared_epsilon_insensitive": SQUARED_EPSILON_INSENSITIVE,
    "quantile": QUANTILE,
}
# The classifier's losses by name; "log_loss" is `SOFTMAX` with more than two
# classes (see `RMSpropClassifier`).
CLASSIFICATION_LOSSES = {
    "log_loss": LOG_LOSS,
    "hinge": HINGE,
    "squared_hinge": SQUARED_HINGE,
    "modified_huber": MODIFIED_HUBER,
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
def log_loss(w, z, y, one):
    """``log(1 + exp(-z))``; derivative ``-y / (1 + exp(z))``.

    Evaluated with ``exp(-|z|)`` only, which cannot overflow, and ``log1p``,
    which keeps the digits of a small loss.
    """
    if z >= 0:
        e = np.exp(-z)
        return w * np.log1p(e), w * (-y * e / (one + e))
    e = np.exp(z)
    return w * (np.log1p(e) - z), w * (-y / (one + e))


@jit(inline="always")
def hinge(w, z, y, one):
    """``max(1 - z, 0)``; derivative ``-y`` for ``z <= 1`` (at the kink too,
    as SGDClassifier), 0 beyond."""
    if z <= one:
        return w * (one - z), w * -y
    zero = w - w
    return zero, zero


@jit(inline="always")
def squared_hinge(w, z, y, one):
    """``max(1 - z, 0)**2``; derivative ``-2 * y * max(1 - z, 0)``."""
    t = one - z
    if t > 0:
        return w * (t * t), w * (-(t + t) * y)
    zero = w - w
    return zero, zero


@jit(inline="always")
def modified_huber(w, z, y, one):
    """``max(1 - z, 0)**2`` for ``z >= -1``, ``-4 * z`` below; derivative
    ``-2 * y * (1 - z)`` and ``-4 * y``."""
    if z >= one:
        zero = w - w
        return zero, zero
    if z >= -one:
        t = one - z
        return w * (t * t), w * (-(t + t) * y)
    four = (one + one) + (one + one)
    return w * (-four * z), w * (-four * y)


@jit(inline="always")
def softmax_loss(w, p, y, log_norm, one):
    """The multinomial loss of one output: ``log_norm - p`` on the row's class
    (``y > 0``), 0 on the others; derivative ``exp(p - log_norm) - [y > 0]``.

    ``log_norm`` is the row's `log_sum_exp`, so ``exp(p - log_norm)`` is the
    output's probability: at most 1, whatever the size of the outputs.
    """
    probability = np.exp(p - log_norm)
    if y > 0:
        return w * (log_norm - p), w * (probability - one)
    return w - w, w * probability


@jit(inline="always")
def log_sum_exp(values):
    """``log(sum(exp(values)))``, shifted by the largest value so that no
    exponential overflows."""
    largest = values[0]
    for k in range(1, values.shape[0]):
        if values[k] > largest:
            largest = values[k]
    total = largest - largest
    for k in range(values.shape[0]):
        total += np.exp(values[k] - largest)
    return largest + np.log(total)


@jit(inline="always")
def couples_outputs(loss):
    """Whether the loss needs each row's `log_sum_exp` (the multinomial one)."""
    return loss[0] == SOFTMAX


@jit(inline="always")
def is_classification(loss):
    """Whether the loss is a classifier's: its targets are in {-1, +1}."""
    return loss[0] >= LOG_LOSS


@jit(inline="always")
def weighted_loss(loss, w, p, y, log_norm):
    """``(w * L(p, y), w * dL/dp)`` for the loss ``loss`` (see the module).

    ``log_norm`` is the row's `log_sum_exp` for the multinomial loss, and is
    not read by the others.
    """
    code, huber_delta, insensitivity, quantile, one_minus_quantile, half = loss
    if code == SQUARED_ERROR:
        return squared_error(w, p - y, half)
    if code == HUBER:
        return huber(w, p - y, huber_delta, half)
    if code == EPSILON_INSENSITIVE:
        return epsilon_insensitive(w, p - y, insensitivity)
    if code == SQUARED_EPSILON_INSENSITIVE:
        return squared_epsilon_insensitive(w, p - y, insensitivity)
    if code == QUANTILE:
        return quantile_loss(w, p - y, quantile, one_minus_quantile)
    one = half + half
    if code == SOFTMAX:
        return softmax_loss(w, p, y, log_norm, one)
    z = y * p
    if code == LOG_LOSS:
        return log_loss(w, z, y, one)
    if code == HINGE:
        return hinge(w, z, y, one)
    if code == SQUARED_HINGE:
        return squared_hinge(w, z, y, one)
    return modified_huber(w, z, y, one)


@jit()
def loss_values(loss, predictions, targets):
    """``(L(p, y), dL/dp)`` for each prediction and target: the loss as the
    kernels see it. Both arrays are of shape (n_samples, n_outputs)."""
    values = np.empty_like(predictions)
    derivatives = np.empty_like(predictions)
    one = predictions.dtype.type(1)
    for i in range(predictions.shape[0]):
        log_norm = log_sum_exp(predictions[i]) if couples_outputs(loss) else one
        for k in range(predictions.shape[1]):
            values[i, k], derivatives[i, k] = weighted_loss(
                loss, one, predictions[i, k], targets[i, k], log_norm
            )
    return values, derivatives

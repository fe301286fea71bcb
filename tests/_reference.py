"""Plain-NumPy oracle: the tutorial's mini-batch RMSprop loop, generalised.

It follows the tutorial's ``rmsprop`` function line by line (shuffle, slice
batches, forward pass, error, gradient, the two-line update), extended to many
features and targets, sample weights, an L2 penalty, momentum and the centred
variant, the average of the iterates, and the classification losses (the
targets then in {-1, +1}, one column per output; ``log_loss`` with more than
one column is the multinomial loss). Instead of drawing its own
permutations it replays the ones it is given, so that it can be compared with
the estimator bit for bit.
"""

import numpy as np
from scipy.special import expit, log_expit, logsumexp, softmax

CLASSIFICATION_LOSSES = ("log_loss", "hinge", "squared_hinge", "modified_huber")


def rmsprop_reference(
    X,
    Y,
    permutations,
    coef,
    intercept,
    *,
    sample_weight=None,
    learning_rate=0.01,
    decay_rate=0.9,
    epsilon=1e-8,
    batch_size=32,
    momentum=0.0,
    centered=False,
    alpha=0.0,
    fit_intercept=True,
    average=False,
    loss="squared_error",
    huber_delta=1.35,
    insensitivity=0.1,
    quantile=0.5,
):
    """Return (coef, intercept) after one epoch per permutation.

    ``Y`` has shape (n_samples, n_targets), ``coef`` (n_targets, n_features)
    and ``intercept`` (n_targets,). ``learning_rate`` is one step for every
    epoch, or a sequence of one per epoch (a schedule). With ``average``
    (True, or the number of the first update averaged), the mean of the
    iterates from that update on is returned instead, once there is one.
    ``loss`` names the loss whose derivative (`dloss`) makes the gradient.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    coef = np.array(coef, dtype=float)
    intercept = np.array(intercept, dtype=float)
    if sample_weight is None:
        sample_weight = np.ones(X.shape[0])
    params = {"coef": coef, "intercept": intercept}
    squared_grad = {name: np.zeros_like(p) for name, p in params.items()}
    mean_grad = {name: np.zeros_like(p) for name, p in params.items()}
    buffer = {name: np.zeros_like(p) for name, p in params.items()}
    first_averaged = int(average)  # 0: never
    n_updates = 0
    iterate_sum = {name: np.zeros_like(p) for name, p in params.items()}
    n_averaged = 0

    steps = np.broadcast_to(learning_rate, (len(permutations),))
    for indices, learning_rate in zip(permutations, steps, strict=True):
        x_shuffled = X[indices]
        y_shuffled = Y[indices]
        w_shuffled = sample_weight[indices]
        for i in range(0, len(indices), batch_size):
            x_batch = x_shuffled[i : i + batch_size]
            y_batch = y_shuffled[i : i + batch_size]
            w_batch = w_shuffled[i : i + batch_size]
            if w_batch.sum() == 0:
                continue
            y_pred = x_batch @ coef.T + intercept
            if loss in CLASSIFICATION_LOSSES:
                slope = classification_dloss(y_pred, y_batch, loss)
            else:
                error = y_pred - y_batch
                slope = dloss(error, loss, huber_delta, insensitivity, quantile)
            grad = {
                "coef": (w_batch[:, None] * slope).T @ x_batch / w_batch.sum()
                + alpha * coef,
                "intercept": w_batch @ slope / w_batch.sum(),
            }
            for name in params:
                if name == "intercept" and not fit_intercept:
                    continue
                g = grad[name]
                squared_grad[name] = (
                    decay_rate * squared_grad[name] + (1 - decay_rate) * g**2
                )
                if centered:
                    mean_grad[name] = (
                        decay_rate * mean_grad[name] + (1 - decay_rate) * g
                    )
                    variance = np.maximum(squared_grad[name] - mean_grad[name] ** 2, 0)
                    denom = np.sqrt(variance) + epsilon
                else:
                    denom = np.sqrt(squared_grad[name]) + epsilon
                if momentum > 0:
                    buffer[name] = momentum * buffer[name] + g / denom
                    params[name] -= learning_rate * buffer[name]
                else:
                    params[name] -= learning_rate * g / denom
            n_updates += 1
            if first_averaged and n_updates >= first_averaged:
                for name in params:
                    iterate_sum[name] += params[name]
                n_averaged += 1
    if n_averaged:
        return iterate_sum["coef"] / n_averaged, iterate_sum["intercept"] / n_averaged
    return coef, intercept


def loss_value(r, loss, huber_delta=1.35, insensitivity=0.1, quantile=0.5):
    """The loss of residuals ``r = prediction - y``, elementwise."""
    a = np.abs(r)
    if loss == "squared_error":
        return r**2 / 2
    if loss == "huber":
        return np.where(a <= huber_delta, r**2 / 2, huber_delta * (a - huber_delta / 2))
    if loss == "epsilon_insensitive":
        return np.maximum(a - insensitivity, 0)
    if loss == "squared_epsilon_insensitive":
        return np.maximum(a - insensitivity, 0) ** 2
    if loss == "quantile":
        return np.where(r > 0, (1 - quantile) * r, -quantile * r)
    raise ValueError(loss)


def dloss(r, loss, huber_delta=1.35, insensitivity=0.1, quantile=0.5):
    """The derivative of `loss_value` in ``r``, with scikit-learn's choice at kinks."""
    a = np.abs(r)
    if loss == "squared_error":
        return r
    if loss == "huber":
        return np.clip(r, -huber_delta, huber_delta)
    if loss == "epsilon_insensitive":
        return np.sign(r) * (a > insensitivity)
    if loss == "squared_epsilon_insensitive":
        return 2 * np.sign(r) * np.maximum(a - insensitivity, 0)
    if loss == "quantile":
        return np.where(r > 0, 1 - quantile, -quantile)
    raise ValueError(loss)


def classification_loss(p, Y, loss):
    """The loss of outputs ``p`` for labels ``Y`` in {-1, +1}, per row.

    One-vs-rest losses are averaged over the outputs; ``log_loss`` with more
    than one output is the multinomial loss of the row's class.
    """
    if loss == "log_loss" and Y.shape[1] > 1:
        return logsumexp(p, axis=1) - p[Y > 0]
    z = Y * p
    if loss == "log_loss":
        values = -log_expit(z)
    elif loss == "hinge":
        values = np.maximum(1 - z, 0)
    elif loss == "squared_hinge":
        values = np.maximum(1 - z, 0) ** 2
    elif loss == "modified_huber":
        values = np.where(z >= -1, np.maximum(1 - z, 0) ** 2, -4 * z)
    else:
        raise ValueError(loss)
    return values.mean(axis=1)


def classification_dloss(p, Y, loss):
    """The derivative of `classification_loss`'s terms in each output
    (SGDClassifier's choice at kinks: ``-y`` at ``z = 1`` for the hinge)."""
    if loss == "log_loss" and Y.shape[1] > 1:
        return softmax(p, axis=1) - (Y > 0)
    z = Y * p
    if loss == "log_loss":
        return -Y * expit(-z)
    if loss == "hinge":
        return np.where(z <= 1, -Y, 0.0)
    if loss == "squared_hinge":
        return -2 * Y * np.maximum(1 - z, 0)
    if loss == "modified_huber":
        return np.where(z >= 1, 0.0, np.where(z >= -1, -2 * Y * (1 - z), -4 * Y))
    raise ValueError(loss)

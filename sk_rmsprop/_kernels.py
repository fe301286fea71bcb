"""Compiled kernels: the RMSprop rule, written once, and the epoch loops.

The kernels take arrays and scalars only. Every parameter lives in one array
``W`` of shape ``(n_targets, n_features + 1)`` whose last column holds the
intercepts; the optimizer state (``V``, ``M``, ``B``) has the same layout.

All scalars are passed in the dtype of ``X`` so that float32 data runs in
float32 arithmetic; one compiled specialisation per dtype serves both.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def rmsprop_step(W, V, M, B, k, j, g, lr, rho, one_minus_rho, eps, mu, centered):
    """Apply one RMSprop update to the parameter ``W[k, j]`` with gradient ``g``.

    ``V`` is the moving average of squared gradients, ``M`` the moving average
    of gradients (used when ``centered``) and ``B`` the momentum buffer (used
    when ``mu > 0``). With ``mu == 0`` and ``centered`` false this is exactly::

        v = rho * v + (1 - rho) * g**2
        w -= lr * g / (sqrt(v) + eps)
    """
    v = rho * V[k, j] + one_minus_rho * (g * g)
    V[k, j] = v
    if centered:
        m = rho * M[k, j] + one_minus_rho * g
        M[k, j] = m
        # v - m**2 >= 0 in exact arithmetic (Cauchy-Schwarz on the averages);
        # clamp the rounding error so the root stays real.
        var = v - m * m
        if var < 0:
            var = var * 0
        d = np.sqrt(var) + eps
    else:
        # eps sits outside the root, as in the tutorial and torch.optim.RMSprop.
        d = np.sqrt(v) + eps
    if mu > 0:
        b = mu * B[k, j] + g / d
        B[k, j] = b
        W[k, j] -= lr * b
    else:
        W[k, j] -= lr * g / d


@njit(cache=True)
def dense_epoch(
    X,
    Y,
    sample_weight,
    perm,
    batch_size,
    W,
    V,
    M,
    B,
    lr,
    rho,
    one_minus_rho,
    eps,
    mu,
    centered,
    alpha,
    fit_intercept,
):
    """Run one epoch of mini-batch RMSprop over the rows ``perm`` of dense ``X``.

    The batches are ``perm[0:batch_size]``, ``perm[batch_size:2 * batch_size]``
    and so on; the last one may be shorter. ``W``, ``V``, ``M`` and ``B`` are
    updated in place. A batch whose weights sum to zero carries no data and
    makes no update.

    Returns
    -------
    objective_sum : float
        Sum over batches of the weighted objective evaluated at the parameters
        the batch saw (before its update), accumulated in float64.
    weight_sum : float
        Sum of the weights of the rows visited, accumulated in float64.
    n_updates : int
        Number of updates made.
    """
    n_targets = W.shape[0]
    n_features = X.shape[1]
    zero = W.dtype.type(0)
    half_alpha = alpha / 2
    G = np.zeros((n_targets, n_features + 1), dtype=W.dtype)
    n_rows = perm.shape[0]
    objective_sum = 0.0
    weight_sum = 0.0
    n_updates = 0
    for start in range(0, n_rows, batch_size):
        stop = min(start + batch_size, n_rows)
        G[:, :] = zero
        batch_weight = zero
        batch_loss = zero
        for ii in range(start, stop):
            i = perm[ii]
            w = sample_weight[i]
            if w == 0:
                continue
            batch_weight += w
            for k in range(n_targets):
                pred = W[k, n_features]
                for j in range(n_features):
                    pred += X[i, j] * W[k, j]
                residual = pred - Y[i, k]
                batch_loss += w * residual * residual
                wr = w * residual
                for j in range(n_features):
                    G[k, j] += wr * X[i, j]
                G[k, n_features] += wr
        if batch_weight == 0:
            continue
        penalty = zero
        if alpha > 0:
            for k in range(n_targets):
                for j in range(n_features):
                    penalty += W[k, j] * W[k, j]
        # Accumulate the epoch's objective in float64: it sums over all rows.
        objective_sum += batch_loss / 2 + batch_weight * half_alpha * penalty
        weight_sum += batch_weight
        for k in range(n_targets):
            for j in range(n_features):
                g = G[k, j] / batch_weight + alpha * W[k, j]
                rmsprop_step(
                    W, V, M, B, k, j, g, lr, rho, one_minus_rho, eps, mu, centered
                )
            if fit_intercept:
                g = G[k, n_features] / batch_weight
                rmsprop_step(
                    W,
                    V,
                    M,
                    B,
                    k,
                    n_features,
                    g,
                    lr,
                    rho,
                    one_minus_rho,
                    eps,
                    mu,
                    centered,
                )
        n_updates += 1
    return objective_sum, weight_sum, n_updates

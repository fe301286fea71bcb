"""The fit loop, compiled: epochs, the stopping rule, early stopping, divergence.

`fit_epochs` runs a whole fit in one call: each epoch's order
(`sk_rmsprop._order`), the gathering of the targets and weights in that
order, the epoch itself (`sk_rmsprop._kernels`), the divergence check, the
validation score of early stopping, the stopping rule and the keeping of the
best coefficients. A fit that needs control between epochs (callbacks,
verbose output, or data large enough for the next order to be drawn on
another thread meanwhile) calls `train_epoch` and `end_epoch` once per epoch
instead: the same functions `fit_epochs` calls, so both ways give the same
result to the last bit.

``X`` is either a dense 2-D array or a CSR matrix as the tuple ``(data,
indices, indptr, n_features)``; the functions that differ between the two
are chosen by type when a kernel is compiled.
"""

import numpy as np
from numba import types
from numba.extending import overload

from ._kernels import V, W, _jit, dense_epoch, sparse_epoch
from ._order import shuffled_rows

# What `end_epoch` (and so a run of epochs) ends with.
CONTINUE, STOPPED, DIVERGED, VALIDATION_DIVERGED = 0, 1, 2, 3

# Slots of the stopping rule's state, ``track``: the best objective so far, the
# best validation score so far, and the number of epochs without improvement.
BEST_LOSS, BEST_SCORE, NO_IMPROVEMENT = 0, 1, 2


def _epoch(X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept):
    """One epoch over dense or CSR ``X`` (compiled only; see the overload)."""
    raise NotImplementedError


@overload(_epoch)
def _epoch_for(
    X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept
):
    if isinstance(X, types.Array):

        def dense(
            X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept
        ):
            return dense_epoch(
                X, Y, sample_weight, perm, batch_size, S, rule, alpha, fit_intercept
            )

        return dense

    def csr(X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept):
        data, indices, indptr, n_features = X
        return sparse_epoch(
            data,
            indices,
            indptr,
            n_features,
            Y,
            sample_weight,
            perm,
            batch_size,
            S,
            mark,
            rule,
            alpha,
            fit_intercept,
        )

    return csr


def _predict(X, S, out):
    """Predictions of the parameters in ``S`` (compiled only; see the overload)."""
    raise NotImplementedError


@overload(_predict)
def _predict_for(X, S, out):
    # Intercept first, then the features in order: the order of the epoch
    # kernels, so that sparse and dense rows sum alike.
    if isinstance(X, types.Array):

        def dense(X, S, out):
            n_features = S.shape[0] - 1
            for i in range(X.shape[0]):
                for k in range(S.shape[1]):
                    total = S[n_features, k, W]
                    for j in range(n_features):
                        total += X[i, j] * S[j, k, W]
                    out[i, k] = total

        return dense

    def csr(X, S, out):
        data, indices, indptr, n_features = X
        for i in range(indptr.shape[0] - 1):
            for k in range(S.shape[1]):
                total = S[n_features, k, W]
                for p in range(indptr[i], indptr[i + 1]):
                    total += data[p] * S[indices[p], k, W]
                out[i, k] = total

    return csr


@_jit(nogil=True)
def gather_visit(perm, Y, sample_weight, gather_weights, Y_out, w_out):
    """``Y_out = Y[perm]`` and, if ``gather_weights``, ``w_out = sample_weight[perm]``.

    With the targets and weights in visiting order, the epoch kernels read
    them front to back and only the rows of X at random. Equal weights read
    the same in any order and are not gathered.
    """
    for t in range(perm.shape[0]):
        i = perm[t]
        for k in range(Y.shape[1]):
            Y_out[t, k] = Y[i, k]
        if gather_weights:
            w_out[t] = sample_weight[i]


@_jit(nogil=True)
def train_epoch(
    X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept
):
    """Run one epoch; return its objective and the number of updates made.

    ``Y`` and ``sample_weight`` come in visiting order (see `gather_visit`).
    The objective is the weighted mean over the epoch's samples of each
    target's objective, averaged over the targets.
    """
    objective_sums, weight_sum, n_updates = _epoch(
        X, Y, sample_weight, perm, batch_size, S, mark, rule, alpha, fit_intercept
    )
    total = 0.0
    for k in range(objective_sums.shape[0]):
        total += objective_sums[k]
    return total / objective_sums.shape[0] / weight_sum, n_updates


@_jit(nogil=True)
def r2_denominators(Y, sample_weight):
    """Per target, the weighted sum of squared deviations from the weighted mean."""
    n_targets = Y.shape[1]
    out = np.empty(n_targets, dtype=np.float64)
    weight_sum = 0.0
    for i in range(Y.shape[0]):
        weight_sum += sample_weight[i]
    for k in range(n_targets):
        mean = 0.0
        for i in range(Y.shape[0]):
            mean += sample_weight[i] * Y[i, k]
        if weight_sum > 0:  # an empty set (no early stopping) has no mean
            mean /= weight_sum
        total = 0.0
        for i in range(Y.shape[0]):
            deviation = Y[i, k] - mean
            total += sample_weight[i] * deviation * deviation
        out[k] = total
    return out


@_jit(inline="always")
def _r2_score(Y, sample_weight, pred, denominators):
    """The weighted R² of ``pred``, averaged over the targets.

    As scikit-learn's ``r2_score``: a target with no variance scores 1 when
    predicted exactly and 0 otherwise.
    """
    total = 0.0
    for k in range(Y.shape[1]):
        numerator = 0.0
        for i in range(Y.shape[0]):
            residual = Y[i, k] - pred[i, k]
            numerator += sample_weight[i] * residual * residual
        if denominators[k] != 0:
            total += 1.0 - numerator / denominators[k]
        elif numerator == 0:
            total += 1.0
    return total / Y.shape[1]


@_jit(nogil=True)
def end_epoch(
    objective,
    S,
    X_val,
    Y_val,
    sw_val,
    val_denominators,
    pred,
    track,
    best_W,
    early_stopping,
    tol,
    n_iter_no_change,
):
    """Check an epoch's outcome and apply the stopping rule.

    Returns ``(outcome, score)``: `DIVERGED` if the objective, a parameter or
    a moving average of squared gradients is not finite (once that average
    overflows every step is ``g / inf = 0`` and training would silently
    stop), `VALIDATION_DIVERGED` if a validation prediction is not,
    `STOPPED` when the stopping rule fires, `CONTINUE` otherwise; ``score``
    is the validation R² with ``early_stopping`` and NaN otherwise.

    The rule watches the validation score with early stopping, the training
    objective otherwise: an epoch that does not improve on the best value so
    far by ``tol`` counts against ``n_iter_no_change``. A negative ``tol``
    disables it. With early stopping, the parameters of the best epoch are
    kept in ``best_W`` (shape ``(n_targets, n_features + 1)``).
    """
    if not np.isfinite(objective):
        return DIVERGED, np.nan
    for j in range(S.shape[0]):
        for k in range(S.shape[1]):
            if not (np.isfinite(S[j, k, W]) and np.isfinite(S[j, k, V])):
                return DIVERGED, np.nan
    score = np.nan
    if early_stopping:
        _predict(X_val, S, pred)
        for i in range(pred.shape[0]):
            for k in range(pred.shape[1]):
                if not np.isfinite(pred[i, k]):
                    return VALIDATION_DIVERGED, np.nan
        score = _r2_score(Y_val, sw_val, pred, val_denominators)
        watched, best = score, track[BEST_SCORE]
        if score > track[BEST_SCORE]:
            track[BEST_SCORE] = score
            for j in range(S.shape[0]):
                for k in range(S.shape[1]):
                    best_W[k, j] = S[j, k, W]
    else:
        # Minimise the objective: watch its negative.
        watched, best = -objective, -track[BEST_LOSS]
    if tol >= 0 and watched < best + tol:
        track[NO_IMPROVEMENT] += 1
    else:
        track[NO_IMPROVEMENT] = 0
    if objective < track[BEST_LOSS]:
        track[BEST_LOSS] = objective
    if tol >= 0 and track[NO_IMPROVEMENT] >= n_iter_no_change:
        return STOPPED, score
    return CONTINUE, score


@_jit(nogil=True)
def fit_epochs(
    X,
    Y,
    sample_weight,
    gather_weights,
    rows,
    seed,
    first_epoch,
    shuffle,
    batch_size,
    S,
    mark,
    rule,
    alpha,
    fit_intercept,
    X_val,
    Y_val,
    sw_val,
    val_denominators,
    track,
    best_W,
    early_stopping,
    tol,
    n_iter_no_change,
    loss_curve,
    scores,
):
    """Run up to ``loss_curve.shape[0]`` epochs of fit over ``rows``.

    Epoch ``e`` of the run is epoch number ``first_epoch + e`` of the fit:
    its order is that epoch's (`sk_rmsprop._order`). Its objective goes to
    ``loss_curve[e]`` and its validation score to ``scores[e]``. Returns
    ``(n_epochs_run, n_updates, outcome)``, the outcome of the last epoch run
    (see `end_epoch`).
    """
    n_rows = rows.shape[0]
    n_targets = Y.shape[1]
    perm = np.empty(n_rows, dtype=np.int64)
    Y_visit = np.empty((n_rows, n_targets), dtype=Y.dtype)
    w_visit = np.empty(n_rows, dtype=sample_weight.dtype)
    if not gather_weights:
        for t in range(n_rows):
            w_visit[t] = sample_weight[t]
    pred = np.empty((Y_val.shape[0], n_targets), dtype=S.dtype)
    if not shuffle:
        for t in range(n_rows):
            perm[t] = rows[t]
        gather_visit(perm, Y, sample_weight, gather_weights, Y_visit, w_visit)
    n_updates = 0
    for e in range(loss_curve.shape[0]):
        if shuffle:
            shuffled_rows(rows, seed, first_epoch + e, perm)
            gather_visit(perm, Y, sample_weight, gather_weights, Y_visit, w_visit)
        objective, updates = train_epoch(
            X,
            Y_visit,
            w_visit,
            perm,
            batch_size,
            S,
            mark,
            rule,
            alpha,
            fit_intercept,
        )
        n_updates += updates
        loss_curve[e] = objective
        outcome, scores[e] = end_epoch(
            objective,
            S,
            X_val,
            Y_val,
            sw_val,
            val_denominators,
            pred,
            track,
            best_W,
            early_stopping,
            tol,
            n_iter_no_change,
        )
        if outcome != CONTINUE:
            return e + 1, n_updates, outcome
    return loss_curve.shape[0], n_updates, CONTINUE

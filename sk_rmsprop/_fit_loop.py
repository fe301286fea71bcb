"""What happens between epochs, compiled: orders, stopping, early stopping.

The epoch kernels (`sk_rmsprop._kernels`) run any number of epochs in one
call. Before each epoch they call `begin_epoch`, which draws the epoch's order
(`sk_rmsprop._order`) and gathers the targets and weights in it; after each
they call `finish_epoch`, which records the objective, checks for
divergence, scores the held-out data of early stopping, applies the stopping
rule and keeps the best coefficients. A fit without
callbacks or verbose output runs all its epochs in one call. One that needs
control between epochs, or whose data are large enough for the next order to
be drawn on another thread meanwhile, calls the kernels one epoch at a time
with the order drawn outside: the same compiled steps, so both ways give the
same result to the last bit.

The kernels take three tuples that these functions read:

- ``order = (draw, rows, seed, first_epoch, shuffle, Y, sample_weight,
  gather_weights)``: whether to draw each epoch's visit, and what from;
- ``stopping = (X_val, Y_val, sw_val, val_denominators, pred, track, best_W,
  early_stopping, tol, n_iter_no_change, step, adaptive)``: the held-out data
  of early stopping (empty without it), the stopping rule's state, and the
  step in use (a one-element array in the dtype of X) with whether the
  "adaptive" schedule divides it;
- ``record = (loss_curve, scores)``: one entry per epoch to run.
"""

import numpy as np
from numba import types
from numba.extending import overload

from ._compile import jit
from ._losses import couples_outputs, is_classification, log_sum_exp, weighted_loss
from ._order import shuffled_rows
from ._state import A, V, W

# What `finish_epoch` (and so a run of epochs) ends with.
CONTINUE, STOPPED, DIVERGED, VALIDATION_DIVERGED = 0, 1, 2, 3

# Slots of the stopping rule's state, ``track``: the best objective so far, the
# best validation score so far, and the number of epochs without improvement.
BEST_LOSS, BEST_SCORE, NO_IMPROVEMENT = 0, 1, 2


@jit(nogil=True)
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


@jit()
def begin_epoch(order, e, visit):
    """Draw epoch ``e`` of the run into ``visit = (perm, Y, sample_weight)``.

    Does nothing when ``order`` says the visit is given; without shuffling the
    rows are gathered once, before the first epoch.
    """
    draw, rows, seed, first_epoch, shuffle, Y, sample_weight, gather_weights = order
    if not draw or (not shuffle and e > 0):
        return
    perm, Y_visit, w_visit = visit
    if shuffle:
        shuffled_rows(rows, seed, first_epoch + e, perm)
    else:
        for t in range(rows.shape[0]):
            perm[t] = rows[t]
    gather_visit(perm, Y, sample_weight, gather_weights, Y_visit, w_visit)


def _n_rows(X):
    """The number of rows of ``X`` (compiled only; see the overload)."""
    raise NotImplementedError


def _row_prediction(X, i, S, slot, k):
    """Row ``i``'s prediction for target ``k`` by the parameters in ``slot``
    of ``S`` (compiled only; see the overload)."""
    raise NotImplementedError


@overload(_n_rows)
def _n_rows_for(X):
    if isinstance(X, types.Array):
        return lambda X: X.shape[0]
    return lambda X: X[2].shape[0] - 1


@overload(_row_prediction)
def _row_prediction_for(X, i, S, slot, k):
    # Intercept first, then the features in order: the order of the epoch
    # kernels, so that sparse and dense rows sum alike.
    if isinstance(X, types.Array):

        def dense(X, i, S, slot, k):
            n_features = S.shape[0] - 1
            total = S[n_features, k, slot]
            for j in range(n_features):
                total += X[i, j] * S[j, k, slot]
            return total

        return dense

    def csr(X, i, S, slot, k):
        data, indices, indptr, n_features = X
        total = S[n_features, k, slot]
        for p in range(indptr[i], indptr[i + 1]):
            total += data[p] * S[indices[p], k, slot]
        return total

    return csr


@jit(inline="always")
def _predict(X, S, slot, out):
    """``out[i, k]``: the predictions of the parameters in ``slot`` of ``S``."""
    for i in range(_n_rows(X)):
        for k in range(S.shape[1]):
            out[i, k] = _row_prediction(X, i, S, slot, k)


@jit(inline="always")
def averaged_count(averaging, update):
    """How many iterates the average holds after update number ``update``.

    ``averaging = (first, before)``, or None without averaging (see
    `sk_rmsprop._kernels`): updates are numbered from 1 over the model's
    life; 0 means no averaging yet.
    """
    if averaging is None:
        return 0
    first = averaging[0]
    if update < first:
        return 0
    return update - first + 1


@jit(inline="always")
def updates_before(averaging, n_updates):
    """The number of the model's updates before the run's ``n_updates`` latest.

    Only averaging counts over the model's life; without it, the run's own.
    """
    if averaging is None:
        return n_updates
    return averaging[1] + n_updates


@jit()
def judged_objective(
    X, S, alpha, loss, averaging, done, order, weight_sum, objective_sums
):
    """The slot of the parameters that judge the epoch; their objective sums.

    Before averaging begins that is the iterate, slot `W`, and the epoch's
    ``objective_sums`` (at the parameters each batch saw) stand. After
    ``done`` updates with averaging begun it is the average, slot `A`, and
    ``objective_sums`` are replaced by its objective on the training rows
    (``order[1]``, with the targets and weights ``order[5]`` and ``order[6]``):
    the model that predicts is the one judged.
    """
    if averaged_count(averaging, done) == 0:
        return W
    rows, Y, sample_weight = order[1], order[5], order[6]
    n_targets = S.shape[1]
    totals = np.empty(n_targets)  # filled by a loop, as the kernels' buffers
    for k in range(n_targets):
        totals[k] = 0.0
    row_pred = np.empty(n_targets, dtype=S.dtype)
    log_norm = S.dtype.type(0)  # read only by the multinomial loss
    for t in range(rows.shape[0]):
        i = rows[t]
        w = sample_weight[i]
        if w == 0:
            continue
        for k in range(n_targets):
            row_pred[k] = _row_prediction(X, i, S, A, k)
        if couples_outputs(loss):
            log_norm = log_sum_exp(row_pred)
        for k in range(n_targets):
            totals[k] += weighted_loss(loss, w, row_pred[k], Y[i, k], log_norm)[0]
    for k in range(n_targets):
        penalty = 0.0
        if alpha > 0:
            for j in range(S.shape[0] - 1):
                penalty += S[j, k, A] * S[j, k, A]
        objective_sums[k] = totals[k] + weight_sum * (alpha / 2) * penalty
    return A


def r2_denominators(Y, sample_weight):
    """Per target, the weighted sum of squared deviations from the weighted mean.

    The part of the validation R² that does not change between epochs.
    """
    if Y.shape[0] == 0 or not np.any(sample_weight > 0):
        return np.zeros(Y.shape[1])
    mean = np.average(Y, axis=0, weights=sample_weight)
    return (sample_weight[:, None] * (Y - mean) ** 2).sum(axis=0).astype(np.float64)


@jit(inline="always")
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


@jit(inline="always")
def _accuracy(Y, sample_weight, pred):
    """The weighted fraction of rows whose predicted class is theirs.

    ``Y`` holds +1 on a row's class and -1 elsewhere (one column: +1 for the
    positive class); the predicted class is that of the largest output, the
    first of equals (one column: positive for an output above 0), as the
    classifier's ``predict``.
    """
    correct = 0.0
    total = 0.0
    for i in range(Y.shape[0]):
        if Y.shape[1] == 1:
            hit = (pred[i, 0] > 0) == (Y[i, 0] > 0)
        else:
            best = 0
            for k in range(1, Y.shape[1]):
                if pred[i, k] > pred[i, best]:
                    best = k
            hit = Y[i, best] > 0
        total += sample_weight[i]
        if hit:
            correct += sample_weight[i]
    return correct / total


@jit()
def epoch_rule(rule, stopping):
    """``rule`` with the step the schedule has reached, for the next epoch."""
    step = stopping[10]
    return (step[0], rule[1], rule[2], rule[3], rule[4], rule[5])


# The "adaptive" schedule divides the step by this when the stopping rule
# fires, and training stops once the rule fires with the step at or below
# MIN_STEP (scikit-learn's SGD uses the same two numbers).
STEP_DIVISOR, MIN_STEP = 5, 1e-6


@jit()
def finish_epoch(objective_sums, weight_sum, S, slot, e, loss, stopping, record):
    """Record epoch ``e`` of a run, check it and apply the stopping rule.

    The parameters judged are those in ``slot`` of ``S``: the iterate, or
    its average (see `judged_objective`).

    ``objective_sums`` holds each output's sum of weighted objectives over
    the epoch: the objective, in ``record[0][e]``, is their mean over outputs
    (their sum for the multinomial loss, whose outputs share one objective),
    per unit of weight. The validation score of early stopping goes to
    ``record[1][e]`` (NaN without it): the R² for regression, the accuracy
    for classification (``loss``, see `sk_rmsprop._losses`).

    Returns the outcome: `DIVERGED` if the objective, a parameter or a moving
    average of squared gradients is not finite (once that average overflows
    every step is ``g / inf = 0`` and training would silently stop),
    `VALIDATION_DIVERGED` if a validation prediction is not, `STOPPED` when
    the stopping rule fires, `CONTINUE` otherwise.

    The rule watches the validation score with early stopping, the training
    objective otherwise: an epoch that does not improve on the best value so
    far by ``tol`` counts against ``n_iter_no_change``. A negative ``tol``
    disables it. With early stopping, the parameters of the best epoch are
    kept in ``best_W`` (shape ``(n_targets, n_features + 1)``). With the
    adaptive schedule, the rule firing divides the step by `STEP_DIVISOR`
    and training goes on, until it fires with the step at most `MIN_STEP`.
    """
    (X_val, Y_val, sw_val, denominators, pred, track, best_W, early_stopping, tol,
     n_iter_no_change, step, adaptive) = stopping  # fmt: skip
    loss_curve, scores = record
    total = 0.0
    for k in range(objective_sums.shape[0]):
        total += objective_sums[k]
    n_shares = 1 if couples_outputs(loss) else objective_sums.shape[0]
    objective = total / n_shares / weight_sum
    loss_curve[e] = objective
    scores[e] = np.nan
    if not np.isfinite(objective):
        return DIVERGED
    for j in range(S.shape[0]):
        for k in range(S.shape[1]):
            if not (
                np.isfinite(S[j, k, W])
                and np.isfinite(S[j, k, V])
                and np.isfinite(S[j, k, slot])
            ):
                return DIVERGED
    if early_stopping:
        _predict(X_val, S, slot, pred)
        for i in range(pred.shape[0]):
            for k in range(pred.shape[1]):
                if not np.isfinite(pred[i, k]):
                    return VALIDATION_DIVERGED
        if is_classification(loss):
            score = _accuracy(Y_val, sw_val, pred)
        else:
            score = _r2_score(Y_val, sw_val, pred, denominators)
        scores[e] = score
        watched, best = score, track[BEST_SCORE]
        if score > track[BEST_SCORE]:
            track[BEST_SCORE] = score
            for j in range(S.shape[0]):
                for k in range(S.shape[1]):
                    best_W[k, j] = S[j, k, slot]
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
        if adaptive and step[0] > MIN_STEP:
            step[0] = step[0] / STEP_DIVISOR
            track[NO_IMPROVEMENT] = 0
            return CONTINUE
        return STOPPED
    return CONTINUE

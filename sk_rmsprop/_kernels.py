"""Compiled kernels: the RMSprop rule, written once, and the epoch loops.

The kernels take arrays, scalars and tuples of them only. The parameters and
the optimizer state live in one array ``S`` of shape ``(n_features + 1,
n_targets, n_slots)`` (see `sk_rmsprop._state`): ``S[j, k]`` is the record of
coefficient ``j`` of target ``k`` (``j == n_features``: the intercept), with
the parameter and its state in slots `W`, `V`, `M`, `B` and `G`, and the
average of its iterates in slot `A`. Whatever else a record holds is the
caller's.

An epoch kernel runs as many epochs as its ``record`` has room for, calling
`sk_rmsprop._fit_loop` between them: a whole fit is one call. (The epoch loop
lives in the kernels, not around them, so that the large epoch body is
compiled once: numba re-optimises every function a compiled caller links in.)

The loss is given as ``loss`` (see `sk_rmsprop._losses`): a batch's
gradient sums ``w * dL/dp * x`` over its rows, whatever the loss, so the
update rule and the deferred sparse updates do not depend on it. A row's
outputs are all predicted before any derivative is taken, for the
multinomial loss, which couples them; each output's sums still run over the
rows in order.

Iterate averaging is given as ``averaging = (first, before)``: the number of
the update (counting from 1 over the model's life) from which the iterates
are averaged, and the number of updates made before the call; or None,
without averaging. None is a type of its own to numba, which compiles the
kernels without any of the averaging code then: present in the sparse
catch-up loop, even untaken, that code made the epoch three times slower.

The rule's hyperparameters travel together as one tuple,
``rule = (lr, rho, one_minus_rho, eps, mu, centered)``, with every float in the
dtype of ``X``: float32 data then runs in float32 arithmetic, and one compiled
specialisation per dtype serves both.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from ._compile import jit
from ._fit_loop import (
    CONTINUE,
    averaged_count,
    begin_epoch,
    epoch_rule,
    finish_epoch,
    judged_objective,
    updates_before,
)
from ._losses import couples_outputs, log_sum_exp, weighted_loss
from ._state import A, B, G, M, V, W


@intrinsic
def _prefetch(typingctx, A, i, j):
    """Ask the CPU to start loading the cache line that holds ``A[i, j]``.

    For a 1-D ``A`` the line holding ``A[i]`` is requested and ``j`` is unused.

    A prefetch never faults and never waits, so data needed a little later
    can be on its way from memory while the current work goes on.
    """
    signature = types.void(A, i, j)

    def codegen(context, builder, sig, args):
        array = context.make_array(sig.args[0])(context, builder, args[0])
        strides = cgutils.unpack_tuple(builder, array.strides)
        i = context.cast(builder, args[1], sig.args[1], types.intp)
        offset = builder.mul(i, strides[0])
        if len(strides) > 1:  # a 1-D array ignores j
            j = context.cast(builder, args[2], sig.args[2], types.intp)
            offset = builder.add(offset, builder.mul(j, strides[1]))
        byte_pointer = ir.IntType(8).as_pointer()
        pointer = builder.gep(builder.bitcast(array.data, byte_pointer), [offset])
        int32 = ir.IntType(32)
        prefetch = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [byte_pointer, int32, int32, int32]),
            "llvm.prefetch.p0",
        )
        read, keep_in_all_caches, data_cache = (
            ir.Constant(int32, v) for v in (0, 3, 1)
        )
        builder.call(prefetch, [pointer, read, keep_in_all_caches, data_cache])
        return context.get_dummy_value()

    return signature, codegen


@jit()
def rmsprop_step(w, v, m, b, g, rule):
    """One RMSprop update of a parameter ``w`` with gradient ``g``.

    ``v`` is the moving average of squared gradients, ``m`` the moving average
    of gradients (used when ``centered``) and ``b`` the momentum buffer (used
    when ``mu > 0``). Returns the new ``(w, v, m, b)``. With ``mu == 0`` and
    ``centered`` false this is exactly::

        v = rho * v + (1 - rho) * g**2
        w -= lr * g / (sqrt(v) + eps)

    Scalars in, scalars out: the callers load and store the arrays, so no
    array crosses a call for every parameter.
    """
    lr, rho, one_minus_rho, eps, mu, centered = rule
    v = rho * v + one_minus_rho * (g * g)
    if centered:
        m = rho * m + one_minus_rho * g
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
        b = mu * b + g / d
        w -= lr * b
    else:
        w -= lr * g / d
    return w, v, m, b


@jit()
def rmsprop_idle_steps(w, v, m, b, rho_n, mu_n, mu_sum, rule):
    """Apply n updates with zero gradient at once; return the new ``(w, v, m, b)``.

    With ``g = 0`` the rule reduces to ``v <- rho * v``, ``m <- rho * m`` and
    ``b <- mu * b``, ``w <- w - lr * b``, so after n steps ``v`` and ``m`` are
    scaled by ``rho_n = rho**n``, ``b`` by ``mu_n = mu**n``, and ``w`` has
    moved by ``lr * b * mu_sum`` with ``mu_sum = mu + mu**2 + ... + mu**n``.
    This closed form is exact, which is what lets the sparse kernel skip
    coordinates a batch does not touch.
    """
    lr, rho, one_minus_rho, eps, mu, centered = rule
    v = v * rho_n
    if centered:
        m = m * rho_n
    if mu > 0:
        w -= lr * b * mu_sum
        b = b * mu_n
    return w, v, m, b


@jit(inline="always")
def average_step(a, w, count):
    """The running average of ``count`` iterates, ``w`` the newest; ``a`` of the others.

    The first iterate averaged replaces whatever ``a`` held.
    """
    if count == 1:
        return w
    return a + (w - a) / count


@jit()
def average_idle_steps(a, w, b, n, count, mu_cum, rule):
    """The running average after n updates with zero gradient from ``(w, b)``.

    ``count`` is the number of iterates averaged once the n are in. As
    `rmsprop_idle_steps` shows, the i-th of the n iterates is
    ``w - lr * b * s_i`` with ``s_i = mu + ... + mu**i``, so their sum is
    ``n * w - lr * b * mu_cum`` with ``mu_cum = s_1 + ... + s_n``, and the
    average takes them in at once, exactly.
    """
    lr, mu = rule[0], rule[4]
    drift = lr * b * mu_cum if mu > 0 else w * 0
    if count == n:  # the first iterates averaged
        return w - drift / n
    return a + (n * (w - a) - drift) / count


@jit()
def powers(base, n):
    """``[base**0, ..., base**n]`` by repeated products, in the dtype of base.

    A table lookup costs far less than a call to ``pow`` for every deferred
    coordinate.
    """
    out = np.empty(n + 1, dtype=np.asarray(base).dtype)
    out[0] = 1
    for i in range(1, n + 1):
        out[i] = out[i - 1] * base
    return out


@jit(inline="always")
def _idle_steps(S, j, n_steps, rule, tables):
    """Apply ``n_steps`` zero-gradient updates to the records of column ``j``."""
    rho_powers, mu_powers, mu_sums, _ = tables
    rho_n, mu_n, mu_sum = rho_powers[n_steps], mu_powers[n_steps], mu_sums[n_steps]
    for k in range(S.shape[1]):
        S[j, k, W], S[j, k, V], S[j, k, M], S[j, k, B] = rmsprop_idle_steps(
            S[j, k, W], S[j, k, V], S[j, k, M], S[j, k, B], rho_n, mu_n, mu_sum, rule
        )


@jit(inline="always")
def _catch_up(S, j, n_steps, last, rule, tables, averaging):
    """Apply the ``n_steps`` deferred zero-gradient updates of column ``j``.

    ``last`` is the number (over the model's life) of the last of them.
    ``tables`` holds rho**n, mu**n, mu + ... + mu**n and the running sums of
    the latter for every n. With averaging, the updates from number
    ``averaging[0]`` on are averaged, in closed form (`_catch_up_averaged`).
    """
    if averaging is None:  # pruned at compile time: no averaging code at all
        _idle_steps(S, j, n_steps, rule, tables)
    elif last >= averaging[0]:
        _catch_up_averaged(S, j, n_steps, last, rule, tables, averaging)
    else:
        _idle_steps(S, j, n_steps, rule, tables)


@jit(inline="always")
def _catch_up_averaged(S, j, n_steps, last, rule, tables, averaging):
    """`_catch_up` when some of the deferred updates are averaged."""
    n_averaged = min(last - max(averaging[0], last - n_steps + 1) + 1, n_steps)
    if n_steps > n_averaged:
        _idle_steps(S, j, n_steps - n_averaged, rule, tables)
    count = averaged_count(averaging, last)
    mu_cum = tables[3][n_averaged]
    for k in range(S.shape[1]):
        S[j, k, A] = average_idle_steps(
            S[j, k, A], S[j, k, W], S[j, k, B], n_averaged, count, mu_cum, rule
        )
    _idle_steps(S, j, n_averaged, rule, tables)


@jit(inline="always")
def _apply_batch(S, coords, batch_weight, rule, alpha, fit_intercept, count):
    """Update the coefficients in columns ``coords`` and the intercepts.

    Slot `G` holds the batch's sums of ``w * dL/dp * x``; the gradient is
    that sum over the batch weight, plus ``alpha * coef``. The visited sums are
    reset to zero for the next batch. With ``count > 0`` the new iterate is
    the ``count``-th taken into the average in slot `A`.
    """
    n_features = S.shape[0] - 1
    n_targets = S.shape[1]
    zero = S.dtype.type(0)
    n_coords = coords.shape[0]
    # One loop, and so one copy of the rule: the intercepts come last, with no
    # penalty, and are left alone when they are not fitted.
    for c in range(n_coords + 1):
        if c < n_coords:
            j = coords[c]
            penalty = alpha
        else:
            j = n_features
            penalty = zero
        for k in range(n_targets):
            g = S[j, k, G] / batch_weight + penalty * S[j, k, W]
            S[j, k, G] = zero
            if j < n_features or fit_intercept:
                S[j, k, W], S[j, k, V], S[j, k, M], S[j, k, B] = rmsprop_step(
                    S[j, k, W], S[j, k, V], S[j, k, M], S[j, k, B], g, rule
                )
            if count > 0:
                S[j, k, A] = average_step(S[j, k, A], S[j, k, W], count)


@jit(inline="always")
def _objective_buffers(n_targets, zero):
    """Zeroed per-target sums: the epoch's objectives (float64) and a batch's
    losses (in the dtype of ``zero``), filled by loops (see `dense_epochs`)."""
    objective_sums = np.empty(n_targets, dtype=np.float64)
    losses = np.empty(n_targets, dtype=np.asarray(zero).dtype)
    for k in range(n_targets):
        objective_sums[k] = 0.0
        losses[k] = zero
    return objective_sums, losses


@jit(inline="always")
def _add_batch_objective(objective_sums, losses, S, batch_weight, alpha):
    """Add a batch's objective to each target's sum; reset ``losses``.

    ``losses[k]`` holds the batch's sum of ``w * L(residual)`` for target k;
    the batch adds it plus ``batch_weight * alpha / 2 * ||coef_k||**2``
    (the intercepts are not penalised). The sums run over all rows of the
    epoch, so they are kept in float64.
    """
    zero = S.dtype.type(0)
    for k in range(S.shape[1]):
        penalty = zero
        if alpha > 0:
            for j in range(S.shape[0] - 1):
                penalty += S[j, k, W] * S[j, k, W]
        objective_sums[k] += losses[k] + batch_weight * (alpha / 2) * penalty
        losses[k] = zero


@jit(nogil=True)
def dense_epochs(
    X,
    batch_size,
    S,
    rule,
    alpha,
    fit_intercept,
    loss,
    averaging,
    order,
    visit,
    stopping,
    record,
):
    """Run epochs of mini-batch RMSprop over the rows of dense ``X``.

    ``visit = (perm, Y, sample_weight)``: the rows of ``X`` in visiting order,
    and their targets and weights in that order, so that only ``X`` is read
    at random. Before each epoch `begin_epoch` draws them when ``order`` asks
    it to; otherwise they are used as given. The batches are
    ``perm[0:batch_size]``, ``perm[batch_size:2 * batch_size]`` and so on; the
    last one may be shorter. A batch whose weights sum to zero carries no data
    and makes no update. ``S`` is updated in place. After each epoch
    `finish_epoch` records its objective, evaluated for each batch at the
    parameters the batch saw (before its update), and applies the stopping
    rule (see `sk_rmsprop._fit_loop` for ``order``, ``stopping`` and ``record``).
    Once averaging has begun, the epoch is judged (objective, early stopping)
    by the averaged parameters at its end: the model that predicts.

    Returns ``(n_epochs_run, n_updates, outcome)``, the outcome of the last
    epoch run.
    """
    perm, Y, sample_weight = visit
    n_targets = S.shape[1]
    n_features = X.shape[1]
    zero = S.dtype.type(0)
    # Buffers come from np.empty and are filled by loops: np.zeros and
    # np.arange would each compile an implementation of their own, which
    # costs the first fit of a session a few tenths of a second. The batch's
    # gradient sums are kept contiguous while the rows add to them.
    grad = np.empty((n_targets, n_features + 1), dtype=S.dtype)
    for k in range(n_targets):
        for j in range(n_features + 1):
            grad[k, j] = zero
    all_coords = np.empty(n_features, dtype=np.int64)
    for j in range(n_features):
        all_coords[j] = j
    # The batch's rows, gathered before any arithmetic: the gather has no
    # dependencies, so the cache misses of a random row order overlap instead
    # of queueing behind the dot products.
    Xb = np.empty((batch_size, n_features), dtype=X.dtype)
    pred = np.empty((n_targets, batch_size), dtype=S.dtype)
    row_pred = np.empty(n_targets, dtype=S.dtype)  # a row's outputs, for softmax
    log_norms = np.empty(batch_size, dtype=S.dtype)
    for r in range(batch_size):
        log_norms[r] = zero  # read only by the multinomial loss
    w_k = np.empty(n_features + 1, dtype=S.dtype)  # the parameters of target k
    n_rows = perm.shape[0]
    per_line = 64 // X.itemsize if X.itemsize < 64 else 1  # elements per cache line
    total_updates = 0
    for e in range(record[0].shape[0]):
        begin_epoch(order, e, visit)
        step_rule = epoch_rule(rule, stopping)
        before = updates_before(averaging, total_updates)
        n_updates = 0
        objective_sums, losses = _objective_buffers(n_targets, zero)
        weight_sum = 0.0
        for start in range(0, n_rows, batch_size):
            size = batch_size if start + batch_size <= n_rows else n_rows - start
            for r in range(size):
                i = perm[start + r]
                for j in range(n_features):
                    Xb[r, j] = X[i, j]
            batch_weight = zero
            for r in range(size):
                batch_weight += sample_weight[start + r]
            for k in range(n_targets):
                for j in range(n_features + 1):
                    w_k[j] = S[j, k, W]
                for r in range(size):
                    if k == 0:
                        # Request row r of the next batch: one row per row of
                        # dot product spreads the loads evenly over this batch's
                        # arithmetic, which they then overlap. (All at once, they
                        # stall it instead, once the CPU runs out of room for
                        # outstanding misses.)
                        ahead = start + batch_size + r
                        if ahead < n_rows:
                            i_ahead = perm[ahead]
                            for j in range(0, n_features, per_line):
                                _prefetch(X, i_ahead, j)
                            _prefetch(X, i_ahead, n_features - 1)
                    # Intercept first, then the features in order: the order in
                    # which `sparse_epochs` sums a row whose indices are sorted.
                    total = w_k[n_features]
                    for j in range(n_features):
                        total += Xb[r, j] * w_k[j]
                    pred[k, r] = total
            if couples_outputs(loss):
                for r in range(size):
                    for k in range(n_targets):
                        row_pred[k] = pred[k, r]
                    log_norms[r] = log_sum_exp(row_pred)
            # Each target's sums run over the batch's rows in order.
            for k in range(n_targets):
                for r in range(size):
                    w = sample_weight[start + r]
                    if w == 0:
                        continue
                    value, wr = weighted_loss(
                        loss, w, pred[k, r], Y[start + r, k], log_norms[r]
                    )
                    losses[k] += value
                    for j in range(n_features):
                        grad[k, j] += wr * Xb[r, j]
                    grad[k, n_features] += wr
            if batch_weight == 0:
                continue
            for k in range(n_targets):
                for j in range(n_features + 1):
                    S[j, k, G] = grad[k, j]
                    grad[k, j] = zero
            _add_batch_objective(objective_sums, losses, S, batch_weight, alpha)
            weight_sum += batch_weight
            count = averaged_count(averaging, before + n_updates + 1)
            _apply_batch(
                S, all_coords, batch_weight, step_rule, alpha, fit_intercept, count
            )
            n_updates += 1
        slot = judged_objective(
            X, S, alpha, loss, averaging, before + n_updates, order, weight_sum,
            objective_sums,
        )  # fmt: skip
        outcome = finish_epoch(
            objective_sums, weight_sum, S, slot, e, loss, stopping, record
        )
        total_updates += n_updates
        if outcome != CONTINUE:
            return e + 1, total_updates, outcome
    return record[0].shape[0], total_updates, CONTINUE


@jit(nogil=True)
def sparse_epochs(
    data,
    indices,
    indptr,
    n_features,
    mark,
    batch_size,
    S,
    rule,
    alpha,
    fit_intercept,
    loss,
    averaging,
    order,
    visit,
    stopping,
    record,
):
    """Run epochs over the rows of a CSR matrix; see `dense_epochs`.

    The gradient sums in ``S`` are zero on entry and on exit. ``mark`` (int64,
    one per feature) is the kernel's scratch for deferred updates; its values
    on entry do not matter. Where it lives is the caller's choice: in the
    record of target 0 of each column, everything the kernel needs of a column
    with one target is in one cache line.

    With ``alpha == 0`` a batch costs time in proportion to its non-zeros: a
    coordinate that no row of the batch touches has zero gradient, so its
    updates are deferred and applied in closed form (`rmsprop_idle_steps`)
    when a later batch touches it, and for every coordinate at the end of the
    epoch. With ``alpha > 0`` every coefficient has a gradient at every step
    and each batch updates all of them.
    """
    perm, Y, sample_weight = visit
    n_targets = S.shape[1]
    zero = S.dtype.type(0)
    lazy = alpha == 0
    # Buffers are filled by loops: np.zeros, np.arange and np.cumsum would each
    # compile an implementation of their own (see `dense_epochs`). Every
    # column is listed only for the updates of alpha > 0.
    all_coords = np.empty(0 if lazy else n_features, dtype=np.int64)
    for j in range(all_coords.shape[0]):
        all_coords[j] = j
    touched = np.empty(n_features, dtype=np.int64)
    row_pred = np.empty(n_targets, dtype=S.dtype)  # a row's outputs
    log_norm = zero  # the row's log-sum-exp, read only by the multinomial loss
    upcoming = np.empty(n_features, dtype=np.int64)
    n_rows = perm.shape[0]
    n_batches = (n_rows + batch_size - 1) // batch_size
    mu_powers = powers(rule[4], n_batches)
    # mu + ... + mu**n for every n.
    mu_sums = np.empty(n_batches + 1, dtype=mu_powers.dtype)
    mu_sums[0] = 0
    for n in range(1, n_batches + 1):
        mu_sums[n] = mu_sums[n - 1] + mu_powers[n]
    # Their running sums, for the average over deferred updates.
    mu_cums = np.empty(n_batches + 1, dtype=mu_powers.dtype)
    mu_cums[0] = 0
    for n in range(1, n_batches + 1):
        mu_cums[n] = mu_cums[n - 1] + mu_sums[n]
    tables = (powers(rule[1], n_batches), mu_powers, mu_sums, mu_cums)
    total_updates = 0
    for e in range(record[0].shape[0]):
        begin_epoch(order, e, visit)
        step_rule = epoch_rule(rule, stopping)
        before = updates_before(averaging, total_updates)
        n_updates = 0  # this epoch's: the deferred-update markers count them
        for j in range(n_features):
            # mark[j] >= 0: column j has received mark[j] of this epoch's updates;
            # while the current batch lists it, mark[j] holds -1 - that count.
            mark[j] = 0
        objective_sums, losses = _objective_buffers(n_targets, zero)
        weight_sum = 0.0
        for start in range(0, n_rows, batch_size):
            stop = start + batch_size if start + batch_size <= n_rows else n_rows
            n_touched = 0
            if lazy:
                # List the batch's columns first, then catch them up. Reading a
                # column's marker brings its whole record (parameters and state)
                # into cache; the previous batch has requested those records.
                for ii in range(start, stop):
                    # Request the rows of the batch after next meanwhile.
                    ahead = ii + 2 * batch_size
                    if ahead < n_rows:
                        i_ahead = perm[ahead]
                        first, last = indptr[i_ahead], indptr[i_ahead + 1]
                        for p in range(first, last, 64 // indices.itemsize):
                            _prefetch(indices, p, 0)
                        for p in range(first, last, 64 // data.itemsize):
                            _prefetch(data, p, 0)
                    i = perm[ii]
                    for p in range(indptr[i], indptr[i + 1]):
                        j = indices[p]
                        if mark[j] >= 0:
                            mark[j] = -1 - mark[j]
                            touched[n_touched] = j
                            n_touched += 1
                # The next batch's columns (their rows were requested a batch
                # ago), as far as the buffer holds them: a hint needs no more.
                n_upcoming = 0
                upcoming_stop = stop + batch_size
                if upcoming_stop > n_rows:
                    upcoming_stop = n_rows
                for ii in range(stop, upcoming_stop):
                    i = perm[ii]
                    for p in range(indptr[i], indptr[i + 1]):
                        if n_upcoming < n_features:
                            upcoming[n_upcoming] = indices[p]
                            n_upcoming += 1
                # Request their records one per catch-up, spread over its work so
                # that the loads overlap it (see `dense_epochs`).
                for c in range(n_touched):
                    if c < n_upcoming:
                        _prefetch(mark, upcoming[c], 0)
                    j = touched[c]
                    idle = n_updates - (-1 - mark[j])
                    if idle > 0:
                        last = before + n_updates
                        _catch_up(S, j, idle, last, step_rule, tables, averaging)
                for c in range(n_touched, n_upcoming):
                    _prefetch(mark, upcoming[c], 0)
            batch_weight = zero
            for ii in range(start, stop):
                i = perm[ii]
                w = sample_weight[ii]
                if w == 0:
                    continue
                batch_weight += w
                for k in range(n_targets):
                    pred = S[n_features, k, W]
                    for p in range(indptr[i], indptr[i + 1]):
                        pred += data[p] * S[indices[p], k, W]
                    row_pred[k] = pred
                if couples_outputs(loss):
                    log_norm = log_sum_exp(row_pred)
                for k in range(n_targets):
                    value, wr = weighted_loss(loss, w, row_pred[k], Y[ii, k], log_norm)
                    losses[k] += value
                    for p in range(indptr[i], indptr[i + 1]):
                        S[indices[p], k, G] += wr * data[p]
                    S[n_features, k, G] += wr
            if batch_weight > 0:
                _add_batch_objective(objective_sums, losses, S, batch_weight, alpha)
                weight_sum += batch_weight
                coords = touched[:n_touched] if lazy else all_coords
                count = averaged_count(averaging, before + n_updates + 1)
                _apply_batch(
                    S, coords, batch_weight, step_rule, alpha, fit_intercept, count
                )
                n_updates += 1
            for c in range(n_touched):
                mark[touched[c]] = n_updates
        if lazy:
            for j in range(n_features):
                idle = n_updates - mark[j]
                if idle > 0:
                    last = before + n_updates
                    _catch_up(S, j, idle, last, step_rule, tables, averaging)
        slot = judged_objective(
            (data, indices, indptr, n_features), S, alpha, loss, averaging,
            before + n_updates, order, weight_sum, objective_sums,
        )  # fmt: skip
        outcome = finish_epoch(
            objective_sums, weight_sum, S, slot, e, loss, stopping, record
        )
        total_updates += n_updates
        if outcome != CONTINUE:
            return e + 1, total_updates, outcome
    return record[0].shape[0], total_updates, CONTINUE

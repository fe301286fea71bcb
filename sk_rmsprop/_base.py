"""The base of the estimators: everything that does not depend on the task.

`BaseRMSprop` validates, trains and publishes; the estimators' files add their
parameters, losses and predictions. The training itself is compiled
(`sk_rmsprop._kernels`); this module prepares it and runs it, fused into one
call or one epoch per call (`_EpochRun`).
"""

import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    StrOptions,
)
from sklearn.utils.extmath import safe_sparse_dot
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from . import _fit_loop
from ._fit_loop import gather_visit, r2_denominators
from ._kernels import dense_epochs, sparse_epochs
from ._order import epoch_order
from ._state import zero_state

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callbacks API

    class CallbackSupportMixin:
        """Stand-in base class: without the callbacks API there is no set_callbacks."""


_SEED_BOUND = np.iinfo(np.int32).max
# Held while the fitted parameters are published or read together, so that a
# predict running beside partial_fit in another thread never mixes two states.
_PUBLISHING = threading.Lock()


class BaseRMSprop(CallbackSupportMixin, BaseEstimator):
    """Base of the estimators trained by mini-batch RMSprop; not for direct use.

    It owns what does not depend on the task: the parameters every estimator
    shares (the optimizer, epochs and stopping, averaging, the schedule, the
    random state) and their validation, the data's validation, the optimizer
    state, the fused fit and the per-epoch path, callbacks, the rollback of a
    failed call and the bookkeeping of ``partial_fit``. An estimator adds its
    own parameters and docstring, the public ``fit`` and ``partial_fit``
    (which call `_fit` and `_partial_fit`), ``_target_validation`` and
    ``_encode_targets`` (its targets, as the kernels take them),
    ``_loss_options`` (its loss, as the kernels take it),
    ``_default_intercept`` and its predictions.
    """

    _parameter_constraints = {
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "decay_rate": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "fit_intercept": ["boolean"],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "centered": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "learning_rate_schedule": [StrOptions({"constant", "adaptive"})],
        "average": ["boolean", Interval(Integral, 0, None, closed="left")],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _fit(self, X, y, sample_weight, coef_init, intercept_init):
        """``fit``: train from the start, or from the last fit with warm_start."""
        # Opened before the state is saved, so that a failed fit still tears
        # its callbacks down (scikit-learn does that after fit returns).
        context = (
            self._init_callback_context(max_subtasks=self.n_iter)
            if hasattr(self, "_init_callback_context")
            else None
        )
        with _restored_on_error(self):
            warm = self.warm_start and hasattr(self, "coef_")
            weighted = sample_weight is not None
            X, Y, sample_weight, y, y_ndim = self._validate_fit_data(
                X, y, sample_weight, reset=True
            )
            options = self._kernel_options(X.dtype)
            callbacks = _Callbacks(
                context, self, X, y, sample_weight if weighted else None, y_ndim
            )
            self._seed = check_random_state(self.random_state).randint(_SEED_BOUND)
            rows, validation = self._split(X, Y, sample_weight)
            if warm:
                self._check_state_shape(X, Y)
                state = self._copy_state()
            else:
                state = zero_state(X.shape[1], Y.shape[1], X.dtype)
                # Learned from the training rows only: the validation rows of
                # early stopping must not leak into the start.
                start = rows if self.early_stopping else slice(None)
                state["W"][:, -1] = self._default_intercept(
                    Y[start], sample_weight[start]
                )
                self.t_ = 0
                self.loss_curve_ = []
            self._apply_init(state, coef_init, intercept_init, y_ndim)
            callbacks.begin(context, state[self._published_slot()])
            self._fit_epochs(
                X, Y, sample_weight, rows, validation, state, options, callbacks
            )
            callbacks.end(context, state[self._published_slot()])
            self._set_state(state, y_ndim)
        return self

    def _partial_fit(self, X, y, sample_weight, **target_options):
        """``partial_fit``: one epoch over the chunk, continuing the state.

        ``target_options`` go to the estimator's ``_encode_targets``.
        """
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True; use fit, or "
                "set early_stopping=False."
            )
        with _restored_on_error(self):
            first_call = not hasattr(self, "coef_")
            X, Y, sample_weight, _, y_ndim = self._validate_fit_data(
                X, y, sample_weight, reset=first_call, **target_options
            )
            options = self._kernel_options(X.dtype)
            if first_call:
                state = zero_state(X.shape[1], Y.shape[1], X.dtype)
                state["W"][:, -1] = self._default_intercept(Y, sample_weight)
                self._seed = check_random_state(self.random_state).randint(_SEED_BOUND)
                self.t_ = 0
                self.loss_curve_ = []
                self.validation_scores_ = None
                self.best_validation_score_ = None
            else:
                self._check_state_shape(X, Y)
                state = self._copy_state()
                y_ndim = self.coef_.ndim
            rows = np.arange(X.shape[0])
            epoch = len(self.loss_curve_)
            gather_weights = bool(sample_weight.min() != sample_weight.max())
            order = (True, rows, self._seed, epoch, self.shuffle, Y, sample_weight,
                     gather_weights)  # fmt: skip
            visit = _visit_buffers(len(rows), Y, sample_weight, gather_weights)
            loss = np.empty(1)
            batch_size = min(self.batch_size or len(rows), len(rows))
            # With the adaptive schedule, the step the last fit reached;
            # partial_fit has no stopping rule, so it never divides the step.
            step = self.learning_rate
            if self.learning_rate_schedule == "adaptive":
                step = getattr(self, "learning_rate_", step)
            # No early stopping and no stopping rule: only the divergence check.
            _, n_updates, outcome = _run_epochs(
                X, state, batch_size, options, self._averaging(), order, visit,
                _stopping(X, Y, sample_weight, state, step), (loss, np.empty(1)),
            )  # fmt: skip
            self.t_ += n_updates
            objective = float(loss[0])
            self._raise_if_diverged(outcome, objective, epoch + 1)
            self._check_predictions(X, state[self._published_slot()])
            self.loss_curve_ = self.loss_curve_ + [objective]
            self.best_loss_ = min(self.loss_curve_)
            self.n_iter_ = 1
            self.learning_rate_ = step
            self._set_state(state, y_ndim)
        return self

    def _decision_function(self, X):
        """The linear model's outputs ``X @ coef_.T + intercept_``, of one state."""
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        _check_csr_structure(X)
        with _PUBLISHING:  # one state, even while partial_fit runs elsewhere
            coef, intercept = self.coef_, self.intercept_
        return safe_sparse_dot(X, coef.T) + intercept

    def _validate_fit_data(self, X, y, sample_weight, reset, **target_options):
        """Validate the training data.

        Returns X, Y (the targets as the kernels take them: a 2-D array in
        X's dtype, see `_encode_targets`), the sample weights (with the class
        weights applied, for a classifier), the validated y and the number
        of dimensions of the published coefficients.
        """
        self._check_integer_parameters()
        if sparse.issparse(y):
            raise ValueError(
                f"y is a sparse matrix; {type(self).__name__} needs dense targets. "
                "Pass y.toarray()."
            )
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            reset=reset,
            **self._target_validation,
        )
        _check_csr_structure(X)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        Y, sample_weight, y_ndim = self._encode_targets(
            y, X.dtype, sample_weight, reset, **target_options
        )
        # Newer scikit-learn rejects this in _check_sample_weight; 1.6 does not.
        if not np.any(sample_weight > 0):
            raise ValueError(
                "Sample weights must contain at least one non-zero number."
            )
        return X, Y, sample_weight, y, y_ndim

    def _check_integer_parameters(self):
        """Reject bools where an int is expected: True passes Interval(Integral)."""
        for name in ("n_iter", "batch_size", "n_iter_no_change"):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)):
                extra = " or None" if name == "batch_size" else ""
                raise InvalidParameterError(
                    f"The '{name}' parameter of {type(self).__name__} must be an "
                    f"int in the range [1, inf){extra}, not a bool. Got {value!r}."
                )

    def _averaging(self, n_updates=0):
        """The kernels' ``averaging``: the first update averaged and the
        updates made so far (``t_`` plus ``n_updates`` of this run), or None
        without averaging."""
        if self.average is False or int(self.average) == 0:
            return None
        return int(self.average), self.t_ + n_updates

    def _published_slot(self, n_updates=None):
        """The state slot that ``coef_`` and ``intercept_`` come from.

        The average ``"A"`` once averaging has begun, after ``n_updates``
        updates (by default ``t_``), the iterate ``"W"`` before.
        """
        averaging = self._averaging()
        if averaging is None:
            return "W"
        first, done = averaging
        n_updates = done if n_updates is None else n_updates
        return "A" if first <= n_updates else "W"

    def _kernel_options(self, dtype):
        """The kernels' ``(rule, alpha, fit_intercept, loss)`` in ``dtype``.

        Raises if a hyperparameter is not representable in that dtype, as
        ``epsilon=1e-50`` is not in float32: it would round to 0 there.
        """
        cast = np.dtype(dtype).type
        for name in ("learning_rate", "epsilon", "alpha"):
            value = getattr(self, name)
            with np.errstate(over="ignore"):
                cast_value = cast(value)
            if value != 0 and not (0 < cast_value < np.inf):
                raise ValueError(
                    f"{name}={value!r} is {cast_value} in {np.dtype(dtype)}, the "
                    f"dtype of X. Choose a {name} representable in "
                    f"{np.dtype(dtype)}, or pass X as float64."
                )
        rule = (
            cast(self.learning_rate),
            cast(self.decay_rate),
            cast(1 - self.decay_rate),
            cast(self.epsilon),
            cast(self.momentum),
            self.centered,
        )
        return rule, cast(self.alpha), self.fit_intercept, self._loss_options(cast)

    def _split(self, X, Y, sample_weight):
        """The training rows and, with early stopping, the validation data.

        Returns ``rows`` (sorted) and ``(X_val, Y_val, sample_weight_val)`` or
        None. Everything is checked before any training happens.
        """
        rows = np.arange(X.shape[0])
        if not self.early_stopping:
            return rows, None
        # The sizes train_test_split gives, checked before it raises its own.
        n_val = int(np.ceil(self.validation_fraction * X.shape[0]))
        if n_val < 2 or X.shape[0] - n_val < 1:
            raise ValueError(
                f"early_stopping needs at least 2 validation samples and 1 "
                f"training sample; validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples gives "
                f"{n_val} and {X.shape[0] - n_val}."
            )
        rows, val_rows = train_test_split(
            rows,
            test_size=self.validation_fraction,
            random_state=self._seed,
            stratify=self._strata(Y),
        )
        rows = np.sort(rows)
        if not np.any(sample_weight[rows] > 0):
            raise ValueError(
                "Every training sample left after the validation split has "
                "zero sample_weight: there is nothing to fit."
            )
        if not np.any(sample_weight[val_rows] > 0):
            raise ValueError(
                "Every validation sample of early_stopping has zero "
                "sample_weight, so no validation score can be computed. Use "
                "another random_state or validation_fraction, or give those "
                "samples weight."
            )
        return rows, (X[val_rows], Y[val_rows], sample_weight[val_rows])

    def _strata(self, Y):
        """What the validation split of early stopping stratifies by: None."""
        return None

    def _apply_init(self, state, coef_init, intercept_init, y_ndim):
        """Overwrite the starting parameters with user-given values."""
        W = state["W"]
        n_targets, n_features = W.shape[0], W.shape[1] - 1
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=W.dtype)
            expected = (n_features,) if y_ndim == 1 else (n_targets, n_features)
            # One output also takes the other of the two shapes.
            accepted = {expected, (n_features,)} if n_targets == 1 else {expected}
            if coef_init.shape not in accepted:
                raise ValueError(
                    f"coef_init has shape {coef_init.shape}; expected {expected}."
                )
            _check_finite_init("coef_init", coef_init)
            W[:, :-1] = coef_init
        if intercept_init is not None:
            if not self.fit_intercept:
                raise ValueError(
                    "intercept_init is given but fit_intercept=False; the "
                    "intercept is fixed at zero."
                )
            intercept_init = np.asarray(intercept_init, dtype=W.dtype)
            expected = () if y_ndim == 1 else (n_targets,)
            accepted = {expected, (n_targets,)} | ({()} if n_targets == 1 else set())
            if intercept_init.shape not in accepted:
                raise ValueError(
                    f"intercept_init has shape {intercept_init.shape}; expected "
                    f"{expected}."
                )
            _check_finite_init("intercept_init", intercept_init)
            W[:, -1] = intercept_init

    def _check_state_shape(self, X, Y):
        """Check that X and Y fit the parameters learned so far."""
        n_targets, n_features_plus_one = self.square_avg_.shape
        if X.shape[1] != n_features_plus_one - 1:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {n_features_plus_one - 1} features as input."
            )
        if Y.shape[1] != n_targets:
            raise ValueError(
                f"y has {Y.shape[1]} targets, but {type(self).__name__} was "
                f"fitted with {n_targets}."
            )

    def _copy_state(self):
        """Fresh copies of the parameters and optimizer state (`_state.zero_state`)."""
        coef = np.atleast_2d(self.coef_)
        state = zero_state(coef.shape[1], coef.shape[0], coef.dtype)
        state["W"][:, :-1] = self.iterate_coef_
        state["W"][:, -1] = self.iterate_intercept_
        state["A"][:, :-1] = coef
        state["A"][:, -1] = self.intercept_
        state["V"][...] = self.square_avg_
        state["M"][...] = self.grad_avg_
        state["B"][...] = self.momentum_buffer_
        return state

    def _set_state(self, state, y_ndim):
        """Publish the parameters and optimizer state as fitted attributes.

        They are published in one step, under the lock `predict` reads them
        with, so that a predict in another thread sees one state or the other.
        """
        coef, intercept = _public_parameters(state[self._published_slot()], y_ndim)
        iterate_coef, iterate_intercept = _public_parameters(state["W"], y_ndim)
        fitted = {
            "coef_": coef,
            "intercept_": intercept,
            "iterate_coef_": iterate_coef,
            "iterate_intercept_": iterate_intercept,
            "square_avg_": state["V"].copy(),
            "grad_avg_": state["M"].copy(),
            "momentum_buffer_": state["B"].copy(),
        }
        with _PUBLISHING:
            self.__dict__.update(fitted)

    def _fit_epochs(
        self, X, Y, sample_weight, rows, validation, state, options, callbacks
    ):
        """Run up to n_iter epochs of fit, with stopping and early stopping.

        ``rows`` are the training rows and ``validation`` the held-out data of
        early stopping (see `_split`). Without callbacks or verbose output
        the whole run is one compiled call (`_kernels.dense_epochs`); with
        them, or on data large enough that drawing the next epoch's order on
        a worker thread pays, the same compiled steps run one epoch at a
        time. Both give the same result to the last bit.
        """
        run = _EpochRun(self, X, Y, sample_weight, rows, validation, state, options)
        if callbacks.active or self.verbose > 0 or len(rows) > _FUSED_MAX_ROWS:
            n_run, n_updates, outcome = run.one_by_one(callbacks)
        else:
            n_run, n_updates, outcome = run.fused()
        self.t_ += n_updates
        self.n_iter_ = n_run
        self._raise_if_diverged(outcome, run.loss_curve[n_run - 1], n_run)
        self.learning_rate_ = float(run.step[0])
        if self.early_stopping:
            # The best epoch's model, of the kind that predicts.
            state[self._published_slot()][...] = run.best_W
            self.validation_scores_ = run.scores[:n_run].tolist()
            self.best_validation_score_ = float(run.track[_fit_loop.BEST_SCORE])
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self._check_predictions(X, state[self._published_slot()])
        self.loss_curve_ = list(self.loss_curve_) + run.loss_curve[:n_run].tolist()
        self.best_loss_ = min(self.loss_curve_)
        if outcome != _fit_loop.STOPPED and self.tol is not None:
            advice = self._convergence_advice(X, Y, sample_weight, rows, state)
            warnings.warn(
                f"Maximum number of epochs (n_iter={self.n_iter}) reached "
                f"and the optimization has not converged yet.{advice}",
                ConvergenceWarning,
                stacklevel=4,
            )

    def _convergence_advice(self, X, Y, sample_weight, rows, state):
        """What the ConvergenceWarning of a fit that reached n_iter advises."""
        return " Consider increasing n_iter."

    def _raise_if_diverged(self, outcome, objective, epoch):
        """Raise the divergence error that an epoch's outcome calls for."""
        if outcome == _fit_loop.DIVERGED:
            raise ValueError(
                f"{type(self).__name__} diverged at epoch {epoch}: the training "
                f"objective is {objective}, or the coefficients or the moving "
                "average of squared gradients are not finite. Scale the "
                "features (for example with StandardScaler) or use a smaller "
                "learning_rate."
            )
        if outcome == _fit_loop.VALIDATION_DIVERGED:
            raise ValueError(
                f"{type(self).__name__} diverged at epoch {epoch}: its "
                "predictions on the validation data are not finite. Use a "
                "smaller learning_rate, or scale the features (for example "
                "with StandardScaler)."
            )

    def _check_predictions(self, X, W):
        """Raise if the predictions of parameters ``W`` on ``X`` are not finite.

        Finite coefficients can still overflow in a prediction, for example
        after a last step of about ``learning_rate=1e307``.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            pred = safe_sparse_dot(X, W[:, :-1].T) + W[:, -1]
        if np.all(np.isfinite(pred)):
            return
        raise ValueError(
            f"{type(self).__name__} diverged: its predictions on the training "
            f"data are not finite (the largest coefficient is "
            f"{np.max(np.abs(W)):.3g}). Use a smaller learning_rate, or scale "
            "the features (for example with StandardScaler)."
        )


# Training rows above which fit draws each next epoch's order on a worker
# thread while the current epoch trains, one epoch per compiled call, instead
# of running the whole fit in one call: there the order and the gathering
# cost as much as the per-epoch return to Python saves. See
# docs/benchmarks.md for the measurement.
_FUSED_MAX_ROWS = 20_000


def _run_epochs(
    X, state, batch_size, options, averaging, order, visit, stopping, record
):
    """Run epochs of the kernel for ``X``'s kind: one compiled call.

    See `_kernels.dense_epochs`; returns ``(n_epochs_run, n_updates, outcome)``.
    """
    training = (
        batch_size, state["S"], *options, averaging, order, visit, stopping, record
    )  # fmt: skip
    if sparse.issparse(X):
        n_features = X.shape[1]
        return sparse_epochs(
            X.data, X.indices, X.indptr, n_features, state["mark"], *training
        )
    return dense_epochs(X, *training)


def _kernel_data(X):
    """X as `_fit_loop` takes it: a dense array, or CSR as a tuple."""
    if sparse.issparse(X):
        return (X.data, X.indices, X.indptr, X.shape[1])
    return X


def _stopping(
    X, Y, sample_weight, state, step, validation=None, stopping_rule=None,
    adaptive=False, track=None, best_W=None,
):  # fmt: skip
    """The ``stopping`` tuple of the kernels (see `_fit_loop`).

    ``step`` is the step to start from, or the one-element array in X's
    dtype that the kernels keep it in; ``validation`` is the held-out data
    of early stopping, or None; ``stopping_rule`` is ``(tol,
    n_iter_no_change)``, or None for none; ``adaptive`` says whether the rule
    divides the step; ``track`` and ``best_W``, the rule's state, are new
    arrays unless given.
    """
    early_stopping = validation is not None
    if not early_stopping:
        validation = (X[:0], Y[:0], sample_weight[:0])
    X_val, Y_val, sw_val = validation
    tol, n_iter_no_change = (-1.0, 1) if stopping_rule is None else stopping_rule
    return (
        _kernel_data(X_val),
        Y_val,
        sw_val,
        r2_denominators(Y_val, sw_val),
        np.empty(Y_val.shape, dtype=state["S"].dtype),
        # The best loss and validation score so far, epochs without improvement.
        np.array([np.inf, -np.inf, 0.0]) if track is None else track,
        state["W"].copy() if best_W is None else best_W,
        early_stopping,
        tol,
        n_iter_no_change,
        np.asarray(step, dtype=state["S"].dtype).reshape(1),
        adaptive,
    )


def _visit_buffers(n_rows, Y, sample_weight, gather_weights):
    """Buffers for a drawn visit: order, targets and weights in visiting order."""
    return (np.empty(n_rows, dtype=np.int64),) + _visit_targets(
        n_rows, Y, sample_weight, gather_weights
    )


def _visit_targets(n_rows, Y, sample_weight, gather_weights):
    """Buffers for the targets and weights of a visit, in visiting order."""
    weights = (
        np.empty(n_rows, dtype=sample_weight.dtype)
        if gather_weights
        else sample_weight[:n_rows]  # equal weights read alike in any order
    )
    return np.empty((n_rows, Y.shape[1]), dtype=Y.dtype), weights


class _EpochRun:
    """One fit's run of epochs and what its steps share.

    `fused` runs them all in one compiled call; `one_by_one` runs the same
    kernel one epoch per call, with the next epoch's order drawn on a worker
    thread and the callbacks and verbose output between epochs.
    """

    def __init__(
        self, estimator, X, Y, sample_weight, rows, validation, state, options
    ):
        n_iter = estimator.n_iter
        self.estimator = estimator
        self.X = X
        self.state = state
        self.options = options
        self.rows = rows
        self.first_epoch = len(estimator.loss_curve_)
        self.Y, self.sample_weight = Y, sample_weight
        self.gather_weights = bool(sample_weight.min() != sample_weight.max())
        self.batch_size = min(estimator.batch_size or len(rows), len(rows))
        tol = -1.0 if estimator.tol is None else float(estimator.tol)
        self.track = np.array([np.inf, -np.inf, 0.0])
        self.best_W = state["W"].copy()
        self.step = np.array([estimator.learning_rate], dtype=state["S"].dtype)
        self.stopping = _stopping(
            X,
            Y,
            sample_weight,
            state,
            self.step,
            validation,
            (tol, estimator.n_iter_no_change),
            estimator.learning_rate_schedule == "adaptive",
            self.track,
            self.best_W,
        )
        self.loss_curve = np.empty(n_iter)
        self.scores = np.full(n_iter, np.nan)

    def _order(self, draw):
        estimator = self.estimator
        return (
            draw,
            self.rows,
            estimator._seed,
            self.first_epoch,
            estimator.shuffle,
            self.Y,
            self.sample_weight,
            self.gather_weights,
        )

    def fused(self):
        """All epochs in one compiled call; returns (n_run, n_updates, outcome)."""
        visit = _visit_buffers(
            len(self.rows), self.Y, self.sample_weight, self.gather_weights
        )
        return _run_epochs(
            self.X,
            self.state,
            self.batch_size,
            self.options,
            self.estimator._averaging(),
            self._order(True),
            visit,
            self.stopping,
            (self.loss_curve, self.scores),
        )

    def one_by_one(self, callbacks):
        """The same epochs, one compiled call each, with control in between."""
        estimator = self.estimator
        order = self._order(False)  # the worker thread draws the visits
        start_time = time.perf_counter()
        n_updates = 0
        visits = _epoch_visits(
            self.rows,
            estimator._seed,
            self.first_epoch,
            len(self.loss_curve),
            estimator.shuffle,
            self.Y,
            self.sample_weight,
            self.gather_weights,
        )
        # Closing the stream at once ends its worker thread on a return or error.
        with closing(visits):
            for e, visit in enumerate(visits):
                epoch_context = callbacks.epoch_context()
                done = estimator.t_ + n_updates
                slot = estimator._published_slot(done)
                callbacks.begin(epoch_context, self.state[slot])
                record = (self.loss_curve[e : e + 1], self.scores[e : e + 1])
                _, updates, outcome = _run_epochs(
                    self.X,
                    self.state,
                    self.batch_size,
                    self.options,
                    estimator._averaging(n_updates),
                    order,
                    visit,
                    self.stopping,
                    record,
                )
                n_updates += updates
                if outcome in (_fit_loop.DIVERGED, _fit_loop.VALIDATION_DIVERGED):
                    return e + 1, n_updates, outcome
                if estimator.verbose > 0:
                    print(
                        f"Epoch {e + 1}, objective: {self.loss_curve[e]:.6g}, "
                        f"elapsed: {time.perf_counter() - start_time:.3f} s"
                    )
                slot = estimator._published_slot(done + updates)
                if callbacks.end(epoch_context, self.state[slot]):
                    outcome = _fit_loop.STOPPED
                if outcome == _fit_loop.STOPPED:
                    return e + 1, n_updates, outcome
        return len(self.loss_curve), n_updates, _fit_loop.CONTINUE


def _epoch_order(rows, seed, epoch, shuffle):
    """The order in which epoch number ``epoch`` visits ``rows``.

    A pure function of the seed and the epoch number (`sk_rmsprop._order`),
    so it is reproducible, survives pickling, and never mutates a shared
    generator.
    """
    return epoch_order(rows, seed, epoch, shuffle)


def _epoch_visit(rows, seed, epoch, shuffle, Y, sample_weight, gather_weights):
    """The visit of epoch ``epoch``: its order, and the targets and weights in it.

    Returns ``(perm, Y[perm], sample_weight[perm])`` (see
    `_fit_loop.gather_visit`; equal weights are not gathered).
    """
    perm = _epoch_order(rows, seed, epoch, shuffle)
    Y_visit, weights = _visit_targets(len(perm), Y, sample_weight, gather_weights)
    gather_visit(perm, Y, sample_weight, gather_weights, Y_visit, weights)
    return perm, Y_visit, weights


def _epoch_visits(
    rows, seed, first_epoch, n_epochs, shuffle, Y, sample_weight, gather_weights
):
    """Yield `_epoch_visit` for ``n_epochs`` epochs from ``first_epoch`` on.

    Each is prepared on a worker thread while the previous epoch trains (the
    kernels release the GIL), so drawing and gathering cost no time of their
    own.
    """
    data = (Y, sample_weight, gather_weights)
    if not shuffle:
        visit = _epoch_visit(rows, seed, first_epoch, False, *data)
        for _ in range(n_epochs):
            yield visit
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_epoch_visit, rows, seed, first_epoch, True, *data)
        for epoch in range(first_epoch, first_epoch + n_epochs):
            visit = pending.result()
            if epoch + 1 < first_epoch + n_epochs:
                pending = pool.submit(_epoch_visit, rows, seed, epoch + 1, True, *data)
            yield visit


def _public_parameters(W, y_ndim):
    """Copies of coef_ and intercept_, in LinearRegression's shapes, from W."""
    coef, intercept = W[:, :-1].copy(), W[:, -1].copy()
    if y_ndim == 1:
        return coef[0], intercept[0]
    return coef, intercept


class _Callbacks:
    """The scikit-learn callbacks of one fit: its task and its epochs' subtasks.

    Every method does nothing when scikit-learn has no callbacks API.
    """

    def __init__(self, root, estimator, X, y, sample_weight, y_ndim):
        self.root = root
        # Whether any callback listens: only then do epochs need to return to
        # Python one by one.
        self.active = root is not None and bool(
            getattr(estimator, "_skl_callbacks", None)
        )
        self.y_ndim = y_ndim
        self.hook_arguments = dict(
            estimator=estimator,
            X=X,
            y=y,
            metadata=None
            if sample_weight is None
            else {"sample_weight": sample_weight},
        )

    def epoch_context(self):
        return self.root.subcontext(task_name="epoch") if self.active else None

    def _fitted(self, W):
        # Called by scikit-learn only when a hook asks for the fitted estimator.
        def attributes():
            coef, intercept = _public_parameters(W, self.y_ndim)
            return {"coef_": coef, "intercept_": intercept}

        return attributes

    def begin(self, context, W):
        """Run the begin hooks; ``W`` holds the parameters that predict."""
        if context is not None:
            context.call_on_fit_task_begin(
                **self.hook_arguments, reconstruction_attributes=self._fitted(W)
            )

    def end(self, context, W):
        """Run the end hooks; return whether a callback asked to stop."""
        if context is None:
            return False
        return bool(
            context.call_on_fit_task_end(
                **self.hook_arguments, reconstruction_attributes=self._fitted(W)
            )
        )


@contextmanager
def _restored_on_error(estimator):
    """Put every attribute of ``estimator`` back as it was if the block raises.

    Training works on copies of the fitted arrays, so restoring the attribute
    dictionary restores the estimator exactly. The restoring happens under the
    lock that `predict` reads with, and never empties the dictionary, so a
    predict in another thread sees the old state or the new one.
    """
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        attributes = estimator.__dict__
        with _PUBLISHING:
            for name in [name for name in attributes if name not in saved]:
                del attributes[name]
            attributes.update(saved)
        raise


def _check_csr_structure(X):
    """Raise if a CSR matrix has column indices outside its shape.

    scipy does not check them, and the kernels and scipy's own products would
    read (or write) outside the arrays.
    """
    if not sparse.issparse(X) or X.nnz == 0:
        return
    low, high = X.indices.min(), X.indices.max()
    if low < 0 or high >= X.shape[1]:
        bad = low if low < 0 else high
        raise ValueError(
            f"X is a malformed sparse matrix: it has column index {bad}, outside "
            f"[0, {X.shape[1]}) for its {X.shape[1]} columns."
        )
    if np.any(np.diff(X.indptr) < 0) or X.indptr[-1] > len(X.indices):
        raise ValueError(
            "X is a malformed sparse matrix: its row pointers (indptr) are not "
            "non-decreasing within the column index array."
        )


def _check_finite_init(name, value):
    """Raise if a user-given starting value is NaN or infinite."""
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{name} contains NaN or infinity; give finite values.")

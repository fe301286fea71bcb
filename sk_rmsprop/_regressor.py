"""RMSpropRegressor: linear regression trained by mini-batch RMSprop."""

from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import safe_sparse_dot

from ._base import BaseRMSprop
from ._losses import LOSSES


class RMSpropRegressor(RegressorMixin, BaseRMSprop):
    """Linear regression fitted by mini-batch RMSprop.

    The model minimises half the sample-weighted mean squared error plus an
    optional L2 penalty, ``alpha / 2 * ||coef||**2``, by RMSprop on mini-batches
    of the training data. Several targets are fitted at once when ``y`` is 2-D;
    each has its own parameters, and the objective is the mean of theirs.

    Read more in the :ref:`User Guide <user_guide>`.

    Parameters
    ----------
    learning_rate : float, default=0.01
        Step size: each update moves a parameter by about this much, whatever
        the scale of its gradient. Must be > 0.

    decay_rate : float, default=0.9
        Decay of the moving average of squared gradients. In [0, 1).

    epsilon : float, default=1e-8
        Added to the square root of the moving average, outside the root, as in
        ``torch.optim.RMSprop``. Must be > 0.

    n_iter : int, default=1000
        Maximum number of epochs (passes over the training data) in ``fit``.

    batch_size : int or None, default=32
        Number of samples per update; ``None`` for all of them (full-batch
        RMSprop). A value larger than the number of samples is clipped to it.

    tol : float or None, default=1e-3
        Stopping tolerance; ``None`` runs all ``n_iter`` epochs. Training
        stops when the epoch's objective (or the validation R², with
        ``early_stopping``) has not improved by at least ``tol`` for
        ``n_iter_no_change`` epochs in a row.

    n_iter_no_change : int, default=5
        Number of epochs without improvement before stopping. At least 1.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, watch the R² on
        it after every epoch, and restore the coefficients with the best score
        at the end of ``fit``. Not available in ``partial_fit``.

    validation_fraction : float, default=0.1
        Fraction of the training data held out when ``early_stopping`` is
        true. In (0, 1).

    shuffle : bool, default=True
        Reshuffle the training samples before every epoch.

    fit_intercept : bool, default=True
        Whether to fit an intercept. When false, the data are assumed centred.

    alpha : float, default=0.0
        L2 penalty strength; the intercept is not penalised. Must be >= 0.

    momentum : float, default=0.0
        Momentum factor, as in ``torch.optim.RMSprop``. In [0, 1).

    centered : bool, default=False
        Normalise the gradient by an estimate of its variance instead of its
        uncentred second moment, as in ``torch.optim.RMSprop``.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling and the validation split; ``None`` draws fresh
        randomness. Pass an int for
        reproducible results: the same int gives bit-identical coefficients.
        Each epoch's order depends only on the seed and the number of epochs
        run before it, so warm starts, ``partial_fit`` streams and pickled
        models resume exactly where they stopped.

    warm_start : bool, default=False
        Reuse the coefficients, intercepts and optimizer state of the previous
        call to ``fit`` as the starting point.

    verbose : int, default=0
        When > 0, print one line per epoch with the epoch, the objective and
        the elapsed time.

    learning_rate_schedule : {"constant", "adaptive"}, default="constant"
        How the step changes during ``fit``: kept, or divided by 5 whenever
        the stopping rule fires. ``"constant"`` keeps
        ``learning_rate`` (the classic RMSprop loop). ``"adaptive"``, as in
        SGDRegressor: each time the stopping rule fires (see ``tol``), the
        step is divided by 5 and training goes on; it stops when the rule
        fires with the step at or below 1e-6. Each ``fit`` starts from
        ``learning_rate``; ``partial_fit`` continues with the step the last
        fit reached and never divides it. Without a stopping rule
        (``tol=None``) both schedules keep the step constant.

    average : bool or int, default=False
        Average the iterates (Polyak averaging, as in SGDRegressor): ``True``
        from the first update, an int N > 0 from update number N (updates
        are counted by ``t_``, so with ``batch_size=1`` that is
        SGDRegressor's count of samples). ``coef_``
        and ``intercept_`` are then the averages, and the stopping rule, early
        stopping and ``loss_curve_`` judge the averaged model; the last
        iterate stays in ``iterate_coef_`` and ``iterate_intercept_``, from
        where ``partial_fit`` and warm starts resume. ``False`` or 0: no
        averaging.

    loss : {"squared_error", "huber", "epsilon_insensitive", \
            "squared_epsilon_insensitive", "quantile"}, default="squared_error"
        The loss of a residual ``r = prediction - y``: ``r**2 / 2``; Huber's
        (quadratic up to ``huber_delta``, linear beyond); ``max(|r| -
        insensitivity, 0)`` (a linear SVR); its square; or the pinball loss of
        ``quantile``. The definitions are SGDRegressor's (see Notes).

    huber_delta : float, default=1.35
        Residual beyond which the Huber loss is linear; only with
        ``loss="huber"``. Must be > 0. SGDRegressor calls it ``epsilon``.

    insensitivity : float, default=0.1
        Residuals smaller than this cost nothing; only with the
        epsilon-insensitive losses. Must be >= 0. SGDRegressor calls it
        ``epsilon``.

    quantile : float, default=0.5
        The quantile that ``loss="quantile"`` estimates. In (0, 1).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients; 1-D when ``y`` is 1-D. With ``average``, once averaging
        has begun, the average of the iterates.

    intercept_ : float or ndarray of shape (n_targets,)
        Intercepts; a scalar when ``y`` is 1-D. With ``average``, once
        averaging has begun, the average of the iterates.

    iterate_coef_ : ndarray of the shape of ``coef_``
        The coefficients of the last RMSprop iterate; ``coef_`` itself unless
        averaging has begun.

    iterate_intercept_ : float or ndarray of the shape of ``intercept_``
        The intercepts of the last RMSprop iterate; ``intercept_`` itself
        unless averaging has begun.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of features seen during ``fit``; only when ``X`` has string
        column names.

    n_iter_ : int
        Number of epochs run by the last call to ``fit`` (1 after
        ``partial_fit``).

    learning_rate_ : float
        The step in use at the end of the last call to ``fit`` or
        ``partial_fit``, in the dtype of ``X``: ``learning_rate`` unless the
        adaptive schedule divided it.

    t_ : int
        Number of updates (mini-batches) made so far. It keeps counting across
        ``partial_fit`` calls and warm-started fits.

    loss_curve_ : list of float
        Training objective of each epoch: the weighted mean, over the epoch's
        samples, of the objective at the parameters each batch saw before its
        update, averaged over the targets. Once averaging has begun (see
        ``average``), the objective of the averaged model at the end of the
        epoch instead. ``partial_fit`` and warm-started
        fits append to it.

    best_loss_ : float
        Smallest value in ``loss_curve_``.

    validation_scores_ : list of float or None
        R² on the held-out data after each epoch when ``early_stopping``;
        otherwise None.

    best_validation_score_ : float or None
        Best value in ``validation_scores_``; None without ``early_stopping``.

    square_avg_ : ndarray of shape (n_targets, n_features + 1)
        Moving average of squared gradients. The last column belongs to the
        intercepts.

    grad_avg_ : ndarray of shape (n_targets, n_features + 1)
        Moving average of gradients; stays zero unless ``centered``.

    momentum_buffer_ : ndarray of shape (n_targets, n_features + 1)
        Momentum buffers; stay zero unless ``momentum > 0``.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : Linear model fitted by plain SGD, with
        the same losses. Its ``epsilon`` is the threshold of the Huber and
        epsilon-insensitive losses (here ``huber_delta`` and
        ``insensitivity``); here ``epsilon`` is RMSprop's constant.
    sklearn.linear_model.Ridge : Exact solution of the L2-penalised problem.
    sklearn.linear_model.HuberRegressor : Exact Huber regression (its
        ``epsilon`` is a multiple of a fitted scale).
    sklearn.linear_model.QuantileRegressor : Exact quantile regression.

    Notes
    -----
    For each batch, with weights :math:`w_i`, residuals
    :math:`r_i = x_i^\\top \\mathrm{coef} + b - y_i` and :math:`W = \\sum_i w_i`,
    the gradient of a coefficient is
    :math:`g = \\sum_i w_i r_i x_i / W + \\alpha\\,\\mathrm{coef}` and of an
    intercept :math:`g = \\sum_i w_i r_i / W`. Each parameter :math:`\\theta`
    is then updated by

    .. math::

        v &\\leftarrow \\rho v + (1 - \\rho) g^2 \\\\
        d &= \\sqrt{v} + \\epsilon
             \\quad (\\text{centered: } m \\leftarrow \\rho m + (1 - \\rho) g,\\;
             d = \\sqrt{v - m^2} + \\epsilon) \\\\
        \\theta &\\leftarrow \\theta - \\eta\\, g / d
             \\quad (\\text{momentum: } b \\leftarrow \\mu b + g / d,\\;
             \\theta \\leftarrow \\theta - \\eta\\, b)

    with :math:`\\eta` = ``learning_rate`` (or, with the adaptive schedule,
    ``learning_rate`` divided by :math:`5^k` after the stopping rule has
    fired :math:`k` times; the step changes only between epochs, so the
    deferred sparse updates of an epoch all use one step), :math:`\\rho` =
    ``decay_rate``,
    :math:`\\epsilon` = ``epsilon`` and :math:`\\mu` = ``momentum``.

    With ``average``, the published parameters after update :math:`t` are
    :math:`\\bar\\theta_t = \\frac{1}{t - N + 1} \\sum_{s=N}^{t} \\theta_s`, the
    mean of the iterates from update :math:`N` on (:math:`N = 1` for
    ``average=True``), kept as a running mean. A coefficient that sparse
    batches leave untouched for :math:`n` updates has the iterates
    :math:`\\theta - \\eta\\, b\\, s_i` with :math:`s_i = \\mu + \\dots + \\mu^i`,
    :math:`i = 1, \\dots, n` (constant without momentum), and their sum is
    taken into the mean in closed form.

    With another ``loss``, :math:`r_i` in the gradient is replaced by the
    loss's derivative at :math:`r_i` (at a kink, the subgradient
    scikit-learn uses: 0 at the thresholds of the epsilon-insensitive losses,
    :math:`-q` at :math:`r_i = 0` for the pinball loss); everything else is
    unchanged. The user guide's "Choosing a loss" gives the definitions.

    Coefficients start at zero. When the intercept is fitted and no
    ``intercept_init`` is given, a fresh ``fit`` (and the first
    ``partial_fit``, on its chunk) starts the intercept at the loss's best
    constant (the weighted mean of ``y`` for the squared losses, the weighted
    median for huber and epsilon_insensitive, the weighted ``quantile`` for
    the pinball loss) over the training rows (with ``early_stopping``, the validation
    rows are left out of it, as out of everything fit learns). RMSprop moves
    each parameter by about ``learning_rate`` per step, so an intercept
    started at 0 would need about ``|mean(y)| / learning_rate`` steps to get
    there (on the diabetes data, over a thousand epochs).

    Sparse input is used as CSR (other formats are converted once) and gives
    the same model as the same data given densely, in exact arithmetic. With
    ``alpha=0`` a mini-batch costs time in proportion to its non-zeros: a
    coefficient that no row of the batch touches has zero gradient, so its
    moving averages only decay and its momentum buffer only shrinks; those
    updates are deferred and applied in closed form when the coefficient is
    next touched and at the end of each epoch. With ``alpha > 0`` every
    coefficient has a gradient at every step, so each mini-batch also costs
    O(n_features). In floating point:

    - when no update is deferred (every batch touches every column, as with
      ``batch_size=None``, or ``alpha > 0``), sparse and dense fits are equal
      to the last bit;
    - otherwise the closed form rounds differently from step-by-step updates,
      and over the first epochs the two agree to about 1e-14 relative (the
      tests check 1e-10 over 5 epochs of every setting);
    - over long fits no closer agreement is promised than the iterate's own
      jitter near the optimum: there gradients are at the level of rounding,
      RMSprop normalises them into steps of about ``learning_rate``, and
      last-bit differences grow until the two fits are different points of
      that jitter (with ``momentum=0.9``, 0.23 apart at ``learning_rate=0.01``
      after 1000 epochs in one measurement).

    With scikit-learn 1.9 or later, ``set_callbacks`` attaches scikit-learn
    callbacks (``sklearn.callback.ProgressBar``, ``ScoringMonitor``, or your
    own) to ``fit``: each epoch is a subtask named ``"epoch"``, and a callback
    whose ``on_fit_task_end`` returns True stops training after that epoch.
    ``partial_fit`` calls no callbacks.

    Float32 input is fitted in float32 without a float64 copy of ``X``;
    ``coef_``, ``intercept_`` and predictions are then float32. Other numeric
    input is converted to float64. A float32 fit does not follow the float64
    trajectory step for step: where a gradient is rounding noise (the
    intercept's first gradient from the mean start, or any gradient at the
    optimum), RMSprop normalises float32's larger rounding error into a step
    of up to ``learning_rate / sqrt(1 - decay_rate)``, where float64's makes
    almost none. The tests check that the two stay within 4 ×
    ``learning_rate`` of each other, full-batch and mini-batch, from 1 to 1000
    epochs, and reach the same optimum.

    ``predict`` may run in one thread while ``partial_fit`` or ``fit`` runs in
    another: the new ``coef_`` and ``intercept_`` are published together, so
    each prediction uses one state or the other, never a mix.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sk_rmsprop import RMSpropRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), RMSpropRegressor(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.5
    True
    """

    _parameter_constraints = {
        **BaseRMSprop._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "huber_delta": [Interval(Real, 0, None, closed="neither")],
        "insensitivity": [Interval(Real, 0, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        learning_rate=0.01,
        decay_rate=0.9,
        epsilon=1e-8,
        n_iter=1000,
        batch_size=32,
        tol=1e-3,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        fit_intercept=True,
        alpha=0.0,
        momentum=0.0,
        centered=False,
        random_state=None,
        warm_start=False,
        verbose=0,
        learning_rate_schedule="constant",
        average=False,
        loss="squared_error",
        huber_delta=1.35,
        insensitivity=0.1,
        quantile=0.5,
    ):
        self.learning_rate = learning_rate
        self.decay_rate = decay_rate
        self.epsilon = epsilon
        self.n_iter = n_iter
        self.batch_size = batch_size
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.fit_intercept = fit_intercept
        self.alpha = alpha
        self.momentum = momentum
        self.centered = centered
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.learning_rate_schedule = learning_rate_schedule
        self.average = average
        self.loss = loss
        self.huber_delta = huber_delta
        self.insensitivity = insensitivity
        self.quantile = quantile

    _target_validation = {"y_numeric": True, "multi_output": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the linear model by mini-batch RMSprop.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None gives every sample weight 1.

        coef_init : array-like of shape (n_features,) or \
                (n_targets, n_features), default=None
            Starting coefficients; zeros by default.

        intercept_init : float or array-like of shape (n_targets,), \
                default=None
            Starting intercepts; by default the weighted mean of ``y``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Make one epoch of mini-batch RMSprop over the given samples.

        The optimizer state is kept between calls, so a stream of calls
        continues the same optimisation. The first call sets the number of
        features and targets; later calls must match them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values of the chunk.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None gives every sample weight 1.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._partial_fit(X, y, sample_weight)

    def predict(self, X):
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values, in the dtype of ``coef_`` promoted with that of
            ``X``.
        """
        return self._decision_function(X)

    def _loss_options(self, cast):
        """The loss as the kernels take it (see `sk_rmsprop._losses`)."""
        return (
            LOSSES[self.loss],
            cast(self.huber_delta),
            cast(self.insensitivity),
            cast(self.quantile),
            cast(1 - self.quantile),
            cast(0.5),
        )

    def _encode_targets(self, y, dtype, sample_weight, reset):
        """y as a 2-D array in ``dtype``; the weights; y's number of dimensions."""
        with np.errstate(over="ignore"):
            Y = np.asarray(y, dtype=dtype)
        if y.ndim == 1:
            Y = Y.reshape(-1, 1)
        if not np.all(np.isfinite(Y)):
            # y itself is finite (validated before): only the cast overflowed.
            raise ValueError(
                f"y has values beyond the range of {dtype}, the dtype of X "
                f"(largest |y| is {np.max(np.abs(y)):.3g}). Pass X as float64, "
                "or rescale y."
            )
        return Y, sample_weight, y.ndim

    def _default_intercept(self, Y, sample_weight):
        """Starting intercepts, or zero: the best constant of each column of Y.

        The weighted mean for the squared losses, the weighted median for
        the absolute-type ones (huber, epsilon_insensitive) and the weighted
        ``quantile`` for the pinball loss. Each column is taken on its own,
        as a contiguous array, so that a target starts at the same value to
        the last bit whatever the other targets (a reduction along axis 0 of
        a 2-D array sums in another order).
        """
        if not self.fit_intercept:
            return 0
        level = {"huber": 0.5, "epsilon_insensitive": 0.5, "quantile": self.quantile}
        columns = [np.ascontiguousarray(Y[:, k]) for k in range(Y.shape[1])]
        if self.loss in level:
            q = level[self.loss]
            return np.array([_weighted_quantile(y, sample_weight, q) for y in columns])
        return np.array([np.average(y, weights=sample_weight) for y in columns])

    def _convergence_advice(self, X, Y, sample_weight, rows, state):
        """The step-size diagnosis when it applies (squared error), else the base's."""
        cause = ""
        if self.loss == "squared_error":  # the diagnosis solves its objective
            cause = self._step_limited_cause(X, Y, sample_weight, rows, state)
        return cause or super()._convergence_advice(X, Y, sample_weight, rows, state)

    def _step_limited_cause(self, X, Y, sample_weight, rows, state):
        """Name a step-size-limited fit's cause and remedies, or return "".

        RMSprop moves each parameter by about ``learning_rate`` per update,
        whatever the scale of its gradient, so a coefficient far from its
        value (a target in the thousands) takes ``distance / learning_rate``
        updates to get there. The training objective is quadratic, so one
        Newton step, ``H^+ g`` with ``g`` the gradient and ``H`` the Hessian,
        gives the distance each parameter still has to travel exactly. With
        more than `_NEWTON_MAX_FEATURES` features ``H`` is not formed, and
        the distance is estimated by the exact step along each coordinate
        alone, ``g / h`` with ``h`` the curvature (less than the true
        distance when features are correlated). When the largest distance
        needs more updates than the whole fit made, the fit is limited by its
        step size, not by its epochs. The learning rate suggested covers it
        in half the fit's updates: with correlated features the path is not
        straight.
        """
        W = state["W"]
        weights = sample_weight
        if self.early_stopping:
            weights = np.zeros_like(sample_weight)
            weights[rows] = sample_weight[rows]
        total = weights.sum()
        with np.errstate(all="ignore"):
            residual = safe_sparse_dot(X, W[:, :-1].T) + W[:, -1] - Y
            weighted = weights[:, None] * residual
            gradient = safe_sparse_dot(X.T, weighted).T / total + self.alpha * W[:, :-1]
            if sparse.issparse(X):
                squares = safe_sparse_dot(weights, X.multiply(X))
            else:  # without an n_samples x n_features temporary
                squares = np.einsum("i,ij,ij->j", weights, X, X)
            curvature = squares / total + self.alpha
            distance = np.abs(gradient) / np.where(curvature > 0, curvature, np.inf)
            if self.fit_intercept:
                intercept_distance = np.abs(weighted.sum(axis=0)) / total
                distance = np.column_stack([distance, intercept_distance])
            if X.shape[1] <= _NEWTON_MAX_FEATURES:
                gradient = np.column_stack([gradient, weighted.sum(axis=0) / total])
                distance = np.abs(self._newton_step(X, weights, gradient))
        distance = float(np.max(distance, initial=0.0))
        n_updates = max(self.t_, 1)
        if not np.isfinite(distance) or distance <= self.learning_rate * n_updates:
            return ""
        mean = np.average(Y, axis=0, weights=weights)
        spread = float(np.max(np.sqrt(np.average((Y - mean) ** 2, axis=0,
                                                 weights=weights))))  # fmt: skip
        return (
            f" The fit is limited by its step size: RMSprop moves each "
            f"parameter by about learning_rate={self.learning_rate} per "
            f"update, and a parameter is still about {distance:.3g} from its "
            f"optimum, about {distance / self.learning_rate:.3g} more updates "
            f"where this fit made {self.t_} (the target's standard deviation "
            f"is {spread:.3g}). Standardise the "
            "target: TransformedTargetRegressor(regressor=RMSpropRegressor(...), "
            "transformer=StandardScaler()), from sklearn.compose and "
            "sklearn.preprocessing; or use a larger learning_rate, of the "
            f"order of {2 * distance / n_updates:.3g} to cover that distance in "
            "half this fit's updates."
        )

    def _newton_step(self, X, weights, gradient):
        """``H^+ g`` for each target's gradient row ``g`` (intercept last).

        ``H`` is the Hessian of the training objective in the coefficients
        and the intercept; the intercept's row and column are left out when
        it is not fitted.
        """
        total = weights.sum()
        Xw = X.multiply(weights[:, None]).tocsr() if sparse.issparse(X) else (
            X * weights[:, None]
        )  # fmt: skip
        n_features = X.shape[1]
        hessian = np.empty((n_features + 1, n_features + 1))
        XtWX = safe_sparse_dot(Xw.T, X, dense_output=True)
        hessian[:-1, :-1] = np.asarray(XtWX) / total + self.alpha * np.eye(n_features)
        hessian[:-1, -1] = hessian[-1, :-1] = np.asarray(Xw.sum(axis=0)).ravel() / total
        hessian[-1, -1] = 1.0
        size = n_features + 1 if self.fit_intercept else n_features
        step = np.linalg.lstsq(hessian[:size, :size], gradient[:, :size].T, rcond=None)
        return step[0].T


# Features up to which a step-size-limited fit's warning solves for the
# distance still to travel (an n_features² Hessian) instead of estimating it.
_NEWTON_MAX_FEATURES = 1_000


def _weighted_quantile(y, sample_weight, quantile):
    """The smallest value of ``y`` with at least ``quantile`` of the weight at
    or below it: a minimiser of the weighted pinball loss of ``quantile``."""
    order = np.argsort(y, kind="stable")
    cumulative = np.cumsum(sample_weight[order])
    index = np.searchsorted(cumulative, quantile * cumulative[-1], side="left")
    return y[order[min(index, len(y) - 1)]]

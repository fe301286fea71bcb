"""RMSpropClassifier: linear classification trained by mini-batch RMSprop."""

import numpy as np
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets

from ._base import BaseRMSprop
from ._losses import CLASSIFICATION_LOSSES, SOFTMAX

# The losses whose outputs are probabilities, through a link of their own.
_PROBABILISTIC = ("log_loss", "modified_huber")


def balanced_class_weights(counts):
    """The weights of ``class_weight="balanced"`` for classes of these counts:
    ``n_samples / (n_classes * count)``."""
    counts = np.asarray(counts)
    return counts.sum() / (len(counts) * counts)


def _has_probabilities(estimator):
    if estimator.loss not in _PROBABILISTIC:
        raise AttributeError(
            f"probability estimates are not available for loss={estimator.loss!r}; "
            f"use loss='log_loss' or loss='modified_huber'."
        )
    return True


class RMSpropClassifier(ClassifierMixin, BaseRMSprop):
    """Linear classification fitted by mini-batch RMSprop.

    The model minimises the sample-weighted mean of a classification loss
    plus an optional L2 penalty, ``alpha / 2 * ||coef||**2``, by RMSprop on
    mini-batches of the training data. With two classes it has one output, the
    decision function, positive for ``classes_[1]``. With more, the default
    ``log_loss`` is the multinomial (softmax) loss over one output per class;
    the margin losses are one-vs-rest, all classes trained in the same pass
    over the data.

    Read more in the :ref:`User Guide <classification>`.

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
        stops when the epoch's objective (or the validation accuracy, with
        ``early_stopping``) has not improved by at least ``tol`` for
        ``n_iter_no_change`` epochs in a row.

    n_iter_no_change : int, default=5
        Number of epochs without improvement before stopping. At least 1.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified by
        class), watch the accuracy on it after every epoch, and restore the
        coefficients with the best score at the end of ``fit``. Not available
        in ``partial_fit``.

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
        call to ``fit`` as the starting point (the classes must be the same).

    verbose : int, default=0
        When > 0, print one line per epoch with the epoch, the objective and
        the elapsed time.

    learning_rate_schedule : {"constant", "adaptive"}, default="constant"
        How the step changes during ``fit``: kept, or divided by 5 whenever
        the stopping rule fires. ``"constant"`` keeps
        ``learning_rate`` (the classic RMSprop loop). ``"adaptive"``, as in
        SGDClassifier: each time the stopping rule fires (see ``tol``), the
        step is divided by 5 and training goes on; it stops when the rule
        fires with the step at or below 1e-6. Each ``fit`` starts from
        ``learning_rate``; ``partial_fit`` continues with the step the last
        fit reached and never divides it. Without a stopping rule
        (``tol=None``) both schedules keep the step constant.

    average : bool or int, default=False
        Average the iterates (Polyak averaging, as in SGDClassifier): ``True``
        from the first update, an int N > 0 from update number N (updates
        are counted by ``t_``, so with ``batch_size=1`` that is
        SGDClassifier's count of samples). ``coef_``
        and ``intercept_`` are then the averages, and the stopping rule, early
        stopping and ``loss_curve_`` judge the averaged model; the last
        iterate stays in ``iterate_coef_`` and ``iterate_intercept_``, from
        where ``partial_fit`` and warm starts resume. ``False`` or 0: no
        averaging.

    loss : {"log_loss", "hinge", "squared_hinge", "modified_huber"}, \
            default="log_loss"
        The loss, as SGDClassifier's, of the margin ``z = y * p`` (``y`` is +1
        for the class, -1 otherwise, and ``p`` the output): the logistic loss
        ``log(1 + exp(-z))`` (with more than two classes, the multinomial
        loss ``-log(softmax(p)[y])`` instead); ``max(1 - z, 0)`` (a linear
        SVM); its square; or the modified Huber loss, quadratic for ``z >=
        -1`` and linear below. ``log_loss`` and ``modified_huber`` give
        probabilities (``predict_proba``).

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying the sample weights: ``{label:
        weight}``, or ``"balanced"`` for ``n_samples / (n_classes *
        np.bincount(y))``; None gives every class weight 1. ``"balanced"`` is
        not available in ``partial_fit``, which sees one chunk at a time:
        compute the weights with ``compute_class_weight`` on a sample of the
        stream and pass the dict.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients: one row with two classes, one per class otherwise. With
        ``average``, once averaging has begun, the average of the iterates.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts, as ``coef_``.

    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.

    iterate_coef_ : ndarray of the shape of ``coef_``
        The coefficients of the last RMSprop iterate; ``coef_`` itself unless
        averaging has begun.

    iterate_intercept_ : ndarray of the shape of ``intercept_``
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
        ``partial_fit``: ``learning_rate`` unless the adaptive schedule
        divided it.

    t_ : int
        Number of updates (mini-batches) made so far, across ``partial_fit``
        calls and warm-started fits.

    loss_curve_ : list of float
        Training objective of each epoch: the weighted mean, over the epoch's
        samples, of the loss at the parameters each batch saw before its
        update, plus the penalty (one-vs-rest: averaged over the classes).
        Once averaging has begun, the objective of the averaged model at the
        end of the epoch instead.

    best_loss_ : float
        Smallest value in ``loss_curve_``.

    validation_scores_ : list of float or None
        Accuracy on the held-out data after each epoch when
        ``early_stopping``; otherwise None.

    best_validation_score_ : float or None
        Best value in ``validation_scores_``; None without ``early_stopping``.

    square_avg_ : ndarray of shape (n_outputs, n_features + 1)
        Moving average of squared gradients, one row per row of ``coef_``. The
        last column belongs to the intercepts.

    grad_avg_ : ndarray of shape (n_outputs, n_features + 1)
        Moving average of gradients; stays zero unless ``centered``.

    momentum_buffer_ : ndarray of shape (n_outputs, n_features + 1)
        Momentum buffers; stay zero unless ``momentum > 0``.

    See Also
    --------
    sklearn.linear_model.SGDClassifier : Linear classifiers fitted by plain
        SGD, with the same margin losses (its log_loss is one-vs-rest).
    sklearn.linear_model.LogisticRegression : Exact logistic regression.
    RMSpropRegressor : The regressor trained by the same optimizer.

    Notes
    -----
    The update of each parameter is the regressor's (see
    :class:`RMSpropRegressor`); only the derivative of the loss changes. For
    an output :math:`p_i` of row :math:`i` with label :math:`y_i \\in \\{-1,
    +1\\}`, the gradient of a coefficient is :math:`g = \\sum_i w_i
    L'(p_i, y_i) x_i / W + \\alpha\\,\\mathrm{coef}`, where :math:`L'` is
    the loss's derivative in :math:`p` (at a kink, the one SGDClassifier uses),
    and with the multinomial loss :math:`L' = \\mathrm{softmax}(p)_k -
    [k = y_i]` for the output of class :math:`k`. The logistic and
    multinomial losses and their derivatives are evaluated so that no
    exponential overflows: probabilities are finite and sum to one for any
    decision values.

    Coefficients and intercepts start at zero unless ``coef_init`` and
    ``intercept_init`` are given. Sparse input, float32, averaging, the
    schedule, early stopping, callbacks and the reproducibility of
    ``random_state`` work as for :class:`RMSpropRegressor`.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sk_rmsprop import RMSpropClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), RMSpropClassifier(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints = {
        **BaseRMSprop._parameter_constraints,
        "loss": [StrOptions(set(CLASSIFICATION_LOSSES))],
        "class_weight": [dict, StrOptions({"balanced"}), None],
    }
    # Labels of any type, one per sample; a column vector is raveled, with a
    # warning.
    _target_validation = {}

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
        loss="log_loss",
        class_weight=None,
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
        self.class_weight = class_weight

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the linear classifier by mini-batch RMSprop.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,)
            Class labels (strings, integers or booleans); at least two classes.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by the class weights; None gives
            every sample weight 1.

        coef_init : array-like of shape (n_features,), (1, n_features) or \
                (n_classes, n_features), default=None
            Starting coefficients (the first two with two classes); zeros by
            default.

        intercept_init : float or array-like of shape (1,) or (n_classes,), \
                default=None
            Starting intercepts; zeros by default.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, sample_weight, coef_init, intercept_init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Make one epoch of mini-batch RMSprop over the given samples.

        The optimizer state is kept between calls, so a stream of calls
        continues the same optimisation. The first call sets the classes and
        the number of features; later calls must match them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A chunk of training data.

        y : array-like of shape (n_samples,)
            Class labels of the chunk, each one of ``classes``.

        classes : array-like of shape (n_classes,), default=None
            Every class of the stream. Required on the first call, since a
            chunk need not hold them all; optional later, and then equal to
            ``classes_``.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, multiplied by the class weights; None gives
            every sample weight 1.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight='balanced' is not available in partial_fit, which "
                "sees one chunk at a time. Compute the weights with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', "
                "classes=classes, y=y) on a large enough sample of the stream, "
                "and pass them as a dict."
            )
        if classes is None and not hasattr(self, "classes_"):
            raise ValueError(
                "classes must be passed on the first call to partial_fit: every "
                "class of the stream, since a chunk need not hold them all."
            )
        return self._partial_fit(X, y, sample_weight, classes=classes)

    def decision_function(self, X):
        """The outputs of the linear model: confidence scores per class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            With two classes, one score per sample, positive for
            ``classes_[1]``; otherwise one score per class.
        """
        scores = self._decision_function(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict class labels: the class with the largest score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted labels, from ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    @available_if(_has_probabilities)
    def predict_proba(self, X):
        """Probability estimates, for ``loss="log_loss"`` or ``"modified_huber"``.

        With ``log_loss``: the logistic function of the decision with two
        classes, its softmax with more. With ``modified_huber``, as in
        SGDClassifier: ``(clip(decision, -1, 1) + 1) / 2``, normalised over the
        classes (uniform where every class scores -1 or less).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        scores = self._decision_function(X)
        if self.loss == "log_loss":
            if scores.shape[1] == 1:
                positive = expit(scores[:, 0])
                return np.column_stack([1 - positive, positive])
            return softmax(scores, axis=1)
        proba = (np.clip(scores, -1, 1) + 1) / 2
        if scores.shape[1] == 1:
            return np.column_stack([1 - proba[:, 0], proba[:, 0]])
        totals = proba.sum(axis=1, keepdims=True)
        uniform = totals[:, 0] == 0
        proba[uniform] = 1
        totals[uniform] = scores.shape[1]
        return proba / totals

    @available_if(_has_probabilities)
    def predict_log_proba(self, X):
        """Logarithms of the probability estimates (see `predict_proba`).

        With ``log_loss`` they are computed directly from the decision
        function, so that they stay finite where a probability rounds to 0.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        if self.loss == "log_loss":
            scores = self._decision_function(X)
            if scores.shape[1] == 1:
                return np.column_stack(
                    [log_expit(-scores[:, 0]), log_expit(scores[:, 0])]
                )
            return log_softmax(scores, axis=1)
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def _encode_targets(self, y, dtype, sample_weight, reset, classes=None):
        """The labels as the kernels take them, and the class-weighted weights.

        ``fit`` (``reset``, no ``classes``) learns ``classes_`` from ``y``; the
        first ``partial_fit`` from ``classes``. With two classes ``Y`` is one
        column, +1 for ``classes_[1]`` and -1 for ``classes_[0]``; with more,
        one column per class, +1 on the row's class and -1 elsewhere.
        """
        check_classification_targets(y)
        if reset:
            labels = np.unique(y if classes is None else classes)
            if len(labels) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes; got 1 class "
                    f"({labels[0]!r})."
                )
            self.classes_ = labels
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"classes={np.unique(classes)!r} is not the same as on the "
                f"first call to partial_fit, {self.classes_!r}."
            )
        codes = np.searchsorted(self.classes_, y)
        codes[codes == len(self.classes_)] = 0  # beyond the last: caught below
        unknown = self.classes_[codes] != y
        if np.any(unknown):
            raise ValueError(
                f"y has labels {np.unique(y[unknown])!r} that are not among the "
                f"classes {self.classes_!r}."
            )
        weights = self._class_weights(codes)
        sample_weight = sample_weight * weights.astype(dtype)[codes]
        n_classes = len(self.classes_)
        if n_classes == 2:
            Y = np.where(codes == 1, 1, -1).astype(dtype).reshape(-1, 1)
        else:
            Y = np.full((len(y), n_classes), -1, dtype=dtype)
            Y[np.arange(len(y)), codes] = 1
        return Y, sample_weight, 2

    def _class_weights(self, codes):
        """The weight of each class of ``classes_``, for labels coded ``codes``.

        "balanced" weighs by ``n_samples / (n_classes * count)``; a dict by
        label, 1 for the classes it leaves out.
        """
        n_classes = len(self.classes_)
        if self.class_weight is None:
            return np.ones(n_classes)
        if isinstance(self.class_weight, str):  # "balanced", on the data of fit
            return balanced_class_weights(np.bincount(codes, minlength=n_classes))
        unknown = [label for label in self.class_weight if label not in self.classes_]
        if unknown:
            raise ValueError(
                f"class_weight has labels {unknown!r} that are not among the "
                f"classes {self.classes_!r}."
            )
        return np.array([self.class_weight.get(label, 1.0) for label in self.classes_])

    def _loss_options(self, cast):
        """The loss as the kernels take it (see `sk_rmsprop._losses`)."""
        code = CLASSIFICATION_LOSSES[self.loss]
        if self.loss == "log_loss" and len(self.classes_) > 2:
            code = SOFTMAX
        zero = cast(0)
        return (code, zero, zero, zero, zero, cast(0.5))

    def _default_intercept(self, Y, sample_weight):
        """Starting intercepts: zero, as SGDClassifier's."""
        return 0

    def _strata(self, Y):
        """Stratify the validation split of early stopping by class."""
        return Y[:, 0] > 0 if Y.shape[1] == 1 else np.argmax(Y, axis=1)

"""LossCurveDisplay: plot the training objective of fitted RMSprop estimators."""

import weakref

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

# The twin axes that hold validation scores, per main axes, so that several
# displays drawn on one axes share a single right-hand axis.
_VALIDATION_AXES = weakref.WeakKeyDictionary()


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "LossCurveDisplay requires matplotlib, which is not installed. "
            "Install it with: pip install 'sk-rmsprop[plot]'"
        ) from exc
    return plt


class LossCurveDisplay:
    """Loss curve of a fitted estimator, and its validation scores if any.

    Create it with :meth:`from_estimator`; several estimators can share one
    axes by passing the ``ax_`` of a first display as ``ax``.

    Read more in the :ref:`User Guide <plots_and_callbacks>`.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training objective of each epoch.

    validation_scores : array-like of shape (n_epochs,) or None, default=None
        Validation score of each epoch, drawn on a right-hand axis.

    estimator_name : str or None, default=None
        Name used in the legend.

    score_name : str, default="R²"
        What the validation scores are, for the labels: a regressor's R² or a
        classifier's accuracy (`from_estimator` chooses).

    Attributes
    ----------
    line_ : matplotlib Line2D
        The loss curve.

    validation_line_ : matplotlib Line2D or None
        The validation scores, when there are any.

    ax_ : matplotlib Axes
        Axes holding the loss curve.

    figure_ : matplotlib Figure
        Figure holding the axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from sk_rmsprop import LossCurveDisplay, RMSpropRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = RMSpropRegressor(random_state=0).fit(scale(X), y)
    >>> display = LossCurveDisplay.from_estimator(model)
    >>> len(display.line_.get_ydata()) == model.n_iter_
    True
    """

    def __init__(
        self,
        *,
        loss_curve,
        validation_scores=None,
        estimator_name=None,
        score_name="R²",
    ):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.estimator_name = estimator_name
        self.score_name = score_name

    def plot(self, ax=None, *, name=None, **kwargs):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        name : str, default=None
            Legend label; defaults to ``estimator_name``.

        **kwargs : dict
            Passed to ``ax.plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay
            This object, with the drawn artists stored.
        """
        plt = _import_pyplot()
        if ax is None:
            _, ax = plt.subplots()
        name = self.estimator_name if name is None else name
        epochs = np.arange(1, len(self.loss_curve) + 1)
        (self.line_,) = ax.plot(epochs, self.loss_curve, label=name, **kwargs)
        ax.set_xlabel("epoch")
        ax.set_ylabel("training objective")
        self.validation_line_ = None
        if self.validation_scores is not None:
            twin = _VALIDATION_AXES.get(ax)
            if twin is None:
                twin = _VALIDATION_AXES[ax] = ax.twinx()
                twin.set_ylabel(f"validation {self.score_name}")
            label = f"validation {self.score_name}"
            label = label if name is None else f"{name} ({label})"
            (self.validation_line_,) = twin.plot(
                np.arange(1, len(self.validation_scores) + 1),
                self.validation_scores,
                linestyle="--",
                color=self.line_.get_color(),
                label=label,
            )
        if name is not None:
            ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, *, ax=None, name=None, **kwargs):
        """Plot the loss curve of a fitted estimator.

        Parameters
        ----------
        estimator : fitted RMSpropRegressor or RMSpropClassifier
            Any fitted estimator with a ``loss_curve_``; a Pipeline is read
            through its last step. A classifier's validation scores are
            labelled as accuracy.

        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is created when None.

        name : str, default=None
            Legend label; defaults to the estimator's class name.

        **kwargs : dict
            Passed to ``ax.plot`` for the loss curve.

        Returns
        -------
        display : LossCurveDisplay

        Raises
        ------
        NotFittedError
            If the estimator is not fitted.
        ValueError
            If it is fitted but records no ``loss_curve_``.
        """
        _import_pyplot()
        model = estimator[-1] if hasattr(estimator, "steps") else estimator
        check_is_fitted(model)
        if not hasattr(model, "loss_curve_"):
            raise ValueError(
                f"{type(model).__name__} has no loss_curve_: LossCurveDisplay "
                "plots the training objective per epoch that estimators such "
                "as RMSpropRegressor record."
            )
        display = cls(
            loss_curve=model.loss_curve_,
            validation_scores=getattr(model, "validation_scores_", None),
            estimator_name=type(model).__name__ if name is None else name,
            score_name="accuracy" if is_classifier(model) else "R²",
        )
        return display.plot(ax=ax, **kwargs)

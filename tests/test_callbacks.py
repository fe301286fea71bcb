"""scikit-learn callbacks (scikit-learn >= 1.9): each epoch is a subtask.

Without the callbacks API the package still works: .ci/run also runs the test
suite on the oldest supported scikit-learn, where this file is skipped.
"""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sk_rmsprop import RMSpropClassifier, RMSpropRegressor

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


class StopAfter:
    """Ask to stop once ``n_epochs`` epochs have ended; record every hook."""

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs
        self.events = []

    def setup(self, estimator, context):
        self.events.append("setup")

    def teardown(self, estimator, context):
        self.events.append("teardown")

    def on_fit_task_begin(self, estimator, context, **kwargs):
        self.events.append(f"begin {context.task_name}")

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kwargs):
        self.events.append(f"end {context.task_name}")
        if context.task_name == "epoch":
            self.last_coef = fitted_estimator.coef_
            return context.task_id + 1 >= self.n_epochs
        return False


class FailAt(StopAfter):
    """Raise at the end of the given epoch."""

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name == "epoch" and context.task_id + 1 == self.n_epochs:
            raise RuntimeError("callback failure")
        return False


def test_callback_stops_training_after_the_epoch(regression_data):
    X, y = regression_data
    stopper = StopAfter(3)
    model = RMSpropRegressor(n_iter=50, tol=None).set_callbacks(stopper)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(X, y)
    assert model.n_iter_ == 3 and len(model.loss_curve_) == 3
    assert stopper.events[0] == "setup" and stopper.events[-1] == "teardown"
    assert stopper.events.count("begin epoch") == stopper.events.count("end epoch") == 3
    # The fitted estimator handed to the hook is the model after that epoch.
    np.testing.assert_array_equal(stopper.last_coef, model.coef_)


@pytest.mark.parametrize(
    "estimator, data, scoring",
    [(RMSpropRegressor, "regression_data", "r2"),
     (RMSpropClassifier, "multiclass_data", "accuracy")],
)  # fmt: skip
def test_scoring_monitor_scores_every_epoch(estimator, data, scoring, request):
    X, y = request.getfixturevalue(data)
    monitor = callback.ScoringMonitor(scoring=scoring)
    model = estimator(n_iter=6, tol=None, random_state=0)
    model.set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == 6
    scores = [row[scoring] for row in rows]
    assert np.all(np.isfinite(scores)) and scores[-1] > scores[0]
    # A classifier is scored by its labels, as its own score does.
    assert scores[-1] == pytest.approx(model.score(X, y))


def test_progress_bar_runs(regression_data):
    pytest.importorskip("rich")
    X, y = regression_data
    model = RMSpropRegressor(n_iter=4, tol=None).set_callbacks(callback.ProgressBar())
    assert model.fit(X, y).n_iter_ == 4


def test_callbacks_work_under_grid_search(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=50, tol=None).set_callbacks(StopAfter(2))
    search = GridSearchCV(model, {"learning_rate": [0.01, 0.1]}, cv=2).fit(X, y)
    assert search.best_estimator_.n_iter_ == 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_failing_callback_leaves_the_model_and_tears_down(regression_data):
    X, y = regression_data
    model = RMSpropRegressor(n_iter=5, tol=None, random_state=0).fit(X, y)
    failing = FailAt(2)
    model.set_callbacks(failing)

    def state():  # everything but the callback, whose own log grows
        return pickle.dumps(
            {k: v for k, v in vars(model).items() if k != "_skl_callbacks"}
        )

    before = state()
    with pytest.raises(RuntimeError, match="callback failure"):
        model.fit(X[:30], y[:30])
    assert failing.events[-1] == "teardown"
    assert state() == before

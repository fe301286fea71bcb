"""LossCurveDisplay, drawn on the Agg backend."""

import sys

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_rmsprop import LossCurveDisplay, RMSpropClassifier, RMSpropRegressor

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture
def fitted(regression_data):
    X, y = regression_data
    return RMSpropRegressor(n_iter=8, tol=None, random_state=0).fit(X, y)


def test_from_estimator_plots_the_loss_curve(fitted):
    display = LossCurveDisplay.from_estimator(fitted)
    assert_array_equal(display.line_.get_ydata(), fitted.loss_curve_)
    assert_array_equal(display.line_.get_xdata(), np.arange(1, 9))
    assert display.validation_line_ is None
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "epoch"
    assert display.line_.get_label() == "RMSpropRegressor"


def test_validation_scores_on_a_second_axis(diabetes_data):
    X, y = diabetes_data
    model = RMSpropRegressor(early_stopping=True, random_state=0, n_iter=30, tol=None)
    model.fit(StandardScaler().fit_transform(X), y)
    display = LossCurveDisplay.from_estimator(model)
    assert_array_equal(display.validation_line_.get_ydata(), model.validation_scores_)
    assert display.validation_line_.axes is not display.ax_
    assert display.validation_line_.axes.get_ylabel() == "validation R²"


def test_a_classifiers_validation_scores_are_labelled_accuracy(multiclass_data):
    X, y = multiclass_data
    model = RMSpropClassifier(early_stopping=True, validation_fraction=0.2)
    display = LossCurveDisplay.from_estimator(model.fit(X, y))
    assert_array_equal(display.line_.get_ydata(), model.loss_curve_)
    assert_array_equal(display.validation_line_.get_ydata(), model.validation_scores_)
    assert display.validation_line_.axes.get_ylabel() == "validation accuracy"
    assert (
        display.validation_line_.get_label()
        == "RMSpropClassifier (validation accuracy)"
    )


def test_several_estimators_share_one_axes(regression_data, fitted):
    X, y = regression_data
    other = RMSpropRegressor(n_iter=5, tol=None, learning_rate=0.1).fit(X, y)
    first = LossCurveDisplay.from_estimator(fitted, name="lr=0.01")
    second = LossCurveDisplay.from_estimator(other, ax=first.ax_, name="lr=0.1")
    assert second.ax_ is first.ax_
    assert len(first.ax_.get_lines()) == 2
    labels = [text.get_text() for text in first.ax_.get_legend().get_texts()]
    assert labels == ["lr=0.01", "lr=0.1"]


def test_pipeline_is_read_through_its_last_step(regression_data):
    X, y = regression_data
    pipe = make_pipeline(StandardScaler(), RMSpropRegressor(n_iter=4, tol=None))
    display = LossCurveDisplay.from_estimator(pipe.fit(X, y))
    assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)


def test_unfitted_estimator_raises():
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(RMSpropRegressor())


def test_missing_matplotlib_names_the_extra(fitted, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"sk-rmsprop\[plot\]"):
        LossCurveDisplay.from_estimator(fitted)


def test_fitted_estimator_without_loss_curve_is_named(regression_data):
    from sklearn.linear_model import LinearRegression

    X, y = regression_data
    with pytest.raises(ValueError, match="LinearRegression has no loss_curve_"):
        LossCurveDisplay.from_estimator(LinearRegression().fit(X, y))

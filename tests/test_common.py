"""scikit-learn's estimator checks, with the default parameters and each loss."""

import pytest
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from sk_rmsprop import RMSpropRegressor
from sk_rmsprop._losses import LOSSES


@parametrize_with_checks([RMSpropRegressor(loss=loss) for loss in LOSSES])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("loss", list(LOSSES))
def test_check_estimator_passes_whole(loss):
    # No expected_failed_checks: every check must pass as it is.
    check_estimator(RMSpropRegressor(loss=loss))

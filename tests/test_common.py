"""scikit-learn's estimator checks, with the default parameters and each loss."""

import pytest
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from sk_rmsprop import RMSpropClassifier, RMSpropRegressor
from sk_rmsprop._losses import CLASSIFICATION_LOSSES, LOSSES

ESTIMATORS = [RMSpropRegressor(loss=loss) for loss in LOSSES] + [
    RMSpropClassifier(loss=loss) for loss in CLASSIFICATION_LOSSES
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=repr)
def test_check_estimator_passes_whole(estimator):
    # No expected_failed_checks: every check must pass as it is.
    check_estimator(estimator)

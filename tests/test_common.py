"""scikit-learn's estimator checks, with the default parameters."""

from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks

from sk_rmsprop import RMSpropRegressor


@parametrize_with_checks([RMSpropRegressor()])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_check_estimator_passes_whole():
    # No expected_failed_checks: every check must pass as it is.
    check_estimator(RMSpropRegressor())

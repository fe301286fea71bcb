"""A scikit-learn compatible linear model trained by mini-batch RMSprop."""

from ._display import LossCurveDisplay
from ._rmsprop import RMSpropRegressor

__all__ = ["LossCurveDisplay", "RMSpropRegressor", "__version__"]

__version__ = "0.1.0"

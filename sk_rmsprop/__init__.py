"""A scikit-learn compatible linear model trained by mini-batch RMSprop."""

from ._rmsprop import RMSpropRegressor

__all__ = ["RMSpropRegressor", "__version__"]

__version__ = "0.1.0"

"""A scikit-learn compatible linear model trained by mini-batch RMSprop."""

__all__ = ["LossCurveDisplay", "RMSpropClassifier", "RMSpropRegressor", "__version__"]

__version__ = "0.1.0"

# The public classes are imported on first use: importing them loads numba and
# scikit-learn, which the command line's --help and usage errors do not need.
_LAZY = {
    "LossCurveDisplay": "._display",
    "RMSpropClassifier": "._classifier",
    "RMSpropRegressor": "._regressor",
}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])

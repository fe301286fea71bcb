import numpy as np
import pytest
from sklearn.datasets import load_diabetes

import sk_rmsprop._base as base_module


@pytest.fixture
def regression_data():
    """A small well-conditioned problem: 50 samples, 4 features, noisy linear y."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    y = X @ np.array([1.5, -2.0, 0.5, 0.0]) + 3.0 + 0.1 * rng.normal(size=50)
    return X, y


@pytest.fixture
def multi_target_data(regression_data):
    """The same X with three targets of different scales."""
    X, y = regression_data
    rng = np.random.RandomState(1)
    Y = np.column_stack([y, -2 * y + 1, X @ rng.normal(size=4) + 0.5])
    return X, Y


@pytest.fixture
def diabetes_data():
    return load_diabetes(return_X_y=True)


@pytest.fixture
def tutorial_data():
    """The six points of the tutorial's full-batch example."""
    x = np.array([5, 15, 25, 35, 45, 55], dtype=float).reshape(-1, 1)
    y = np.array([5, 20, 14, 32, 22, 38], dtype=float)
    return x, y


@pytest.fixture
def recorded_permutations(monkeypatch):
    """Record the row order of every epoch the estimator runs.

    Epochs run one by one draw their orders through ``_epoch_order``, which is
    wrapped. The compiled fit loop draws its own; each order is a pure
    function of (seed, epoch), so those of the epochs it ran are drawn again.
    A loop that visited rows in any other order would then fail the oracle.
    """
    permutations = []
    draw = base_module._epoch_order

    def recording_draw(*args):
        perm = draw(*args)
        permutations.append(perm.copy())
        return perm

    fused = base_module._EpochRun.fused

    def recording_fused(run):
        n_run, n_updates, outcome = fused(run)
        for e in range(n_run):
            epoch = run.first_epoch + e
            seed, shuffle = run.estimator._seed, run.estimator.shuffle
            permutations.append(draw(run.rows, seed, epoch, shuffle).copy())
        return n_run, n_updates, outcome

    monkeypatch.setattr(base_module, "_epoch_order", recording_draw)
    monkeypatch.setattr(base_module._EpochRun, "fused", recording_fused)
    return permutations


@pytest.fixture
def sparse_regression_data():
    """60 samples, 30 features, about 80% zeros: most batches skip columns."""
    rng = np.random.RandomState(2)
    X = rng.normal(size=(60, 30)) * (rng.uniform(size=(60, 30)) < 0.2)
    y = X @ rng.normal(size=30) + 1.0 + 0.1 * rng.normal(size=60)
    return X, y


@pytest.fixture
def binary_data():
    """60 samples, 4 features, two overlapping classes labelled "no" and "yes"."""
    rng = np.random.RandomState(4)
    X = rng.normal(size=(60, 4))
    score = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.3 + 0.8 * rng.normal(size=60)
    return X, np.where(score > 0, "yes", "no")


@pytest.fixture
def multiclass_data():
    """60 samples, 4 features, three overlapping classes labelled 0, 1 and 2."""
    rng = np.random.RandomState(5)
    X = rng.normal(size=(60, 4))
    scores = X @ rng.normal(size=(4, 3)) + rng.normal(size=(60, 3))
    return X, np.argmax(scores, axis=1)


@pytest.fixture
def sparse_classification_data():
    """60 samples, 30 features, about 80% zeros, three classes."""
    rng = np.random.RandomState(6)
    X = rng.normal(size=(60, 30)) * (rng.uniform(size=(60, 30)) < 0.2)
    scores = X @ rng.normal(size=(30, 3)) + 0.3 * rng.normal(size=(60, 3))
    return X, np.argmax(scores, axis=1)


@pytest.fixture(scope="session")
def csv_file(tmp_path_factory):
    """A CSV file of 2,000 rows: features a, b, c, d and a linear 'target'.

    Shared by the command's tests, which only read it.
    """
    pytest.importorskip("pandas")
    from ._command import make_frame

    path = tmp_path_factory.mktemp("data") / "train.csv"
    make_frame(2_000).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def fitted_model(tmp_path_factory, csv_file):
    """A model file fitted to `csv_file` by the command (3 epochs)."""
    pytest.importorskip("skops")
    from ._command import run

    model = tmp_path_factory.mktemp("model") / "model.skops"
    code, _, err = run(
        "fit", csv_file, "--target", "target", "--model", model, "--n-iter", 3
    )
    assert code == 0, err
    return model

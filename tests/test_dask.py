"""sk_rmsprop.dask and searches on a real local Dask cluster."""

import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingRandomSearchCV,
    RandomizedSearchCV,
)

from sk_rmsprop import RMSpropClassifier, RMSpropRegressor

distributed = pytest.importorskip("distributed", reason="dask is not installed")
da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
joblib = pytest.importorskip("joblib")

from sk_rmsprop.dask import partial_fit_blocks, predict_blocks  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """One cluster for the module: 2 worker processes on 127.0.0.1."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        local_directory=tmp_path_factory.mktemp("dask-workers"),
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 4))
    y = X @ [1.0, -2.0, 0.5, 3.0] + 0.5 + 0.1 * rng.normal(size=1_000)
    w = rng.integers(0, 3, size=1_000).astype(float)
    return X, y, w


def _local(estimator, X, y, w=None, block=250, epochs=1):
    for _ in range(epochs):
        for start in range(0, len(X), block):
            rows = slice(start, start + block)
            estimator.partial_fit(
                X[rows], y[rows], sample_weight=None if w is None else w[rows]
            )
    return estimator


# ----------------------------------------------------------------------------
# Searches under joblib's dask backend


def _scores(search):
    keys = [k for k in search.cv_results_ if k.endswith("_test_score")]
    return {k: search.cv_results_[k] for k in keys if not k.startswith("rank")}


@pytest.mark.parametrize(
    "make_search",
    [
        lambda: GridSearchCV(
            RMSpropRegressor(random_state=0, n_iter=50),
            {"learning_rate": [0.01, 0.1], "batch_size": [16, 64]},
            cv=3,
        ),
        lambda: RandomizedSearchCV(
            RMSpropRegressor(random_state=0, n_iter=50),
            {"learning_rate": [0.003, 0.01, 0.03, 0.1], "decay_rate": [0.8, 0.9, 0.99]},
            n_iter=4,
            cv=3,
            random_state=0,
        ),
        lambda: HalvingRandomSearchCV(
            RMSpropRegressor(random_state=0, tol=None),
            {"learning_rate": [0.003, 0.01, 0.03, 0.1]},
            resource="n_iter",
            min_resources=5,
            max_resources=45,
            factor=3,
            cv=3,
            random_state=0,
        ),
    ],
    ids=["grid", "randomized", "halving-n_iter"],
)
def test_search_on_the_cluster_matches_a_local_search(client, data, make_search):
    X, y, _ = data
    local = make_search().set_params(n_jobs=1).fit(X, y)
    with joblib.parallel_config(backend="dask"):
        remote = make_search().set_params(n_jobs=-1).fit(X, y)
    assert remote.best_params_ == local.best_params_
    for key, values in _scores(local).items():
        assert_array_equal(_scores(remote)[key], values, err_msg=key)


# ----------------------------------------------------------------------------
# partial_fit_blocks


@pytest.mark.parametrize("weighted", [False, True])
def test_partial_fit_blocks_is_bit_identical_to_local(client, data, weighted):
    X, y, w = data
    estimator = RMSpropRegressor(random_state=0, batch_size=16, momentum=0.5)
    remote = partial_fit_blocks(
        estimator,
        da.from_array(X, chunks=(250, 4)),
        da.from_array(y, chunks=250),
        sample_weight=da.from_array(w, chunks=250) if weighted else None,
        epochs=2,
    )
    local = _local(clone(estimator), X, y, w if weighted else None, epochs=2)
    assert_array_equal(remote.coef_, local.coef_)
    assert remote.intercept_ == local.intercept_
    assert remote.t_ == local.t_
    assert not hasattr(estimator, "coef_")  # the estimator passed in is untouched


def test_partial_fit_blocks_continues_a_fitted_estimator(client, data):
    X, y, _ = data
    started = RMSpropRegressor(random_state=0).partial_fit(X[:100], y[:100])
    before = started.coef_.copy()
    remote = partial_fit_blocks(
        started, da.from_array(X, chunks=(500, 2)), da.from_array(y, chunks=500)
    )
    local = _local(
        RMSpropRegressor(random_state=0).partial_fit(X[:100], y[:100]), X, y, block=500
    )
    assert_array_equal(remote.coef_, local.coef_)
    assert_array_equal(started.coef_, before)


def test_partial_fit_blocks_on_dataframe_columns(client, data):
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X, columns=list("abcd")).assign(target=y)
    ddf = dd.from_pandas(frame, npartitions=4)
    remote = partial_fit_blocks(
        RMSpropRegressor(random_state=0), ddf[list("abcd")], ddf["target"]
    )
    sizes = ddf.map_partitions(len).compute().tolist()
    local = RMSpropRegressor(random_state=0)
    start = 0
    for size in sizes:
        local.partial_fit(X[start : start + size], y[start : start + size])
        start += size
    assert_array_equal(remote.coef_, local.coef_)


def test_partial_fit_blocks_trains_a_classifier_with_its_classes(client, data):
    X, y, w = data
    labels = np.array(["low", "mid", "high"])[np.digitize(y, [-2.0, 2.0])]
    estimator = RMSpropClassifier(random_state=0, batch_size=16)
    remote = partial_fit_blocks(
        estimator,
        da.from_array(X, chunks=(250, 4)),
        da.from_array(labels, chunks=250),
        sample_weight=da.from_array(w, chunks=250),
        classes=["high", "low", "mid"],
    )
    local = clone(estimator)
    for start in range(0, len(X), 250):
        rows = slice(start, start + 250)
        local.partial_fit(
            X[rows], labels[rows], classes=["high", "low", "mid"], sample_weight=w[rows]
        )
    assert_array_equal(remote.coef_, local.coef_)
    prediction = predict_blocks(remote, da.from_array(X, chunks=(300, 4)))
    assert prediction.dtype == labels.dtype
    assert_array_equal(prediction.compute(), local.predict(X))


def test_predict_blocks_returns_a_lazy_array(client, data):
    X, y, _ = data
    model = RMSpropRegressor(random_state=0, n_iter=5, tol=None).fit(X, y)
    X_dask = da.from_array(X, chunks=(300, 4))
    prediction = predict_blocks(model, X_dask)
    assert isinstance(prediction, da.Array)
    assert prediction.chunks == (X_dask.chunks[0],)
    assert_array_equal(prediction.compute(), model.predict(X))

    multi = RMSpropRegressor(n_iter=3, tol=None).fit(X, np.column_stack([y, -y]))
    prediction = predict_blocks(multi, X_dask)
    assert prediction.shape == (1_000, 2)
    assert_array_equal(prediction.compute(), multi.predict(X))


def test_mismatched_chunks_raise(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="same row blocks"):
        partial_fit_blocks(
            RMSpropRegressor(),
            da.from_array(X, chunks=(250, 4)),
            da.from_array(y, chunks=200),
        )


def test_unknown_chunk_sizes_raise(data):
    X, y, _ = data
    X_dask = da.from_array(X, chunks=(250, 4))
    keep = X_dask[:, 0] > 0
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        partial_fit_blocks(RMSpropRegressor(), X_dask[keep], da.from_array(y)[keep])
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        predict_blocks(RMSpropRegressor().fit(X, y), X_dask[keep])


def test_numpy_input_is_refused(data):
    X, y, _ = data
    with pytest.raises(TypeError, match="Dask array"):
        partial_fit_blocks(RMSpropRegressor(), X, y)


def test_cli_fit_with_a_scheduler_reads_parquet_on_the_cluster(client, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4_000, 3)) * [1.0, 10.0, 0.1]
    y = X @ [2.0, -0.3, 10.0] + 1.0 + 0.1 * rng.normal(size=4_000)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(target=y)
    data = tmp_path / "dataset"
    dd.from_pandas(frame, npartitions=4).to_parquet(data)
    model = tmp_path / "model.skops"

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "sk_rmsprop", *map(str, args)],
            capture_output=True,
            text=True,
        )

    done = run(
        "fit",
        data,
        "--target",
        "target",
        "--scheduler",
        client.scheduler.address,
        "--model",
        model,
        "--n-iter",
        10,
        "--learning-rate",
        0.05,
        "--random-state",
        0,
    )
    assert done.returncode == 0, done.stderr
    assert "fit: " in done.stderr and " epochs in " in done.stderr
    done = run("predict", "--model", model, data)
    assert done.returncode == 0, done.stderr
    predicted = np.array(done.stdout.split()[1:], dtype=float)
    r2 = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.99


def test_cli_fit_with_a_scheduler_skips_an_empty_file_of_the_dataset(client, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2_000, 3))
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(target=X @ [1.0, 2, 3])
    data = tmp_path / "dataset"
    data.mkdir()
    # Three files, the middle one empty: what the local path reads fine.
    frame.iloc[:1_000].to_parquet(data / "part.0.parquet")
    frame.iloc[:0].to_parquet(data / "part.1.parquet")
    frame.iloc[1_000:].to_parquet(data / "part.2.parquet")
    model = tmp_path / "model.skops"
    done = subprocess.run(
        [sys.executable, "-m", "sk_rmsprop", "fit", str(data), "--target",
         "target", "--scheduler", client.scheduler.address, "--model",
         str(model), "--n-iter", "20", "--learning-rate", "0.05"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "sk_rmsprop", "predict", "--model", str(model),
         str(data)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    predicted = np.array(done.stdout.split()[1:], dtype=float)
    y = frame["target"].to_numpy()
    assert 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2) > 0.99


def test_reordered_dataframe_columns_raise_before_any_task(client, data):
    pd = pytest.importorskip("pandas")
    X, y, _ = data
    frame = pd.DataFrame(X, columns=list("abcd"))
    model = RMSpropRegressor(random_state=0, n_iter=3, tol=None).fit(frame, y)
    shuffled = dd.from_pandas(frame[list("dcba")], npartitions=2)
    target = dd.from_pandas(pd.Series(y), npartitions=2)
    with pytest.raises(ValueError, match="feature names"):
        predict_blocks(model, shuffled)
    with pytest.raises(ValueError, match="feature names"):
        partial_fit_blocks(model, shuffled, target)
    # In the right order, the blocks give what local predict gives (to the
    # last bits: a block's memory layout can change the BLAS summation).
    ordered = dd.from_pandas(frame, npartitions=2)
    assert_allclose(
        predict_blocks(model, ordered).compute(), model.predict(frame), rtol=1e-12
    )


def test_predict_blocks_rejects_1d_x(data):
    X, y, _ = data
    model = RMSpropRegressor(n_iter=2, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="2-D"):
        predict_blocks(model, da.from_array(X[:, 0], chunks=250))


def test_cli_fit_with_a_scheduler_trains_a_classifier(client, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("skops")
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3_000, 3)) * [1.0, 10.0, 0.1]
    score = X @ [2.0, -0.3, 10.0] + 0.3 * rng.normal(size=3_000)
    labels = np.where(score > 0, "up", "down")
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(target=labels)
    data = tmp_path / "dataset"
    dd.from_pandas(frame, npartitions=3).to_parquet(data)
    model = tmp_path / "model.skops"
    address = client.scheduler.address
    done = subprocess.run(
        [sys.executable, "-m", "sk_rmsprop", "fit", str(data), "--target", "target",
         "--scheduler", address, "--model", str(model), "--n-iter", "5"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 classes" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "sk_rmsprop", "predict", str(data),
         "--model", str(model)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    predicted = done.stdout.splitlines()[1:]
    assert set(predicted) <= {"up", "down"}
    assert np.mean(np.array(predicted) == labels) > 0.95


def test_the_dask_page_runs_as_written():
    # Every Python snippet of docs/dask.rst, in order, in one namespace.
    from ._pages import DOCS, code_blocks

    page = DOCS / "dask.rst"
    blocks = [code for language, code in code_blocks(page) if language == "python"]
    assert len(blocks) == 2
    namespace = {}
    try:
        for code in blocks:
            exec(compile(code, str(page), "exec"), namespace)
        assert namespace["search"].best_params_
        assert namespace["predictions"].shape == (2_000,)
    finally:
        if "client" in namespace:
            cluster = namespace["client"].cluster
            namespace["client"].close()
            cluster.close()

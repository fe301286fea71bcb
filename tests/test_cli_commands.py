"""The sk-rmsprop commands, run for real in a subprocess: demo, fit, predict."""

from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from ._command import assert_one_line_error, make_frame, run, run_measured

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
pytest.importorskip("skops")
pytest.importorskip("matplotlib")


def test_demo_is_the_default_and_writes_a_png(tmp_path):
    code, out, err = run(cwd=tmp_path)
    assert code == 0, err
    for name in ("RMSpropRegressor", "LinearRegression", "SGDRegressor"):
        assert name in out
    scores = {
        line.split()[0]: float(line.split()[-2])
        for line in out.splitlines()
        if line.startswith(("RMSpropRegressor", "LinearRegression"))
    }
    assert abs(scores["RMSpropRegressor"] - scores["LinearRegression"]) < 0.02
    # What docs/cli.rst shows is what the demo prints.
    page = (Path(__file__).resolve().parents[1] / "docs" / "cli.rst").read_text()
    shown = page.split("   $ sk-rmsprop demo\n", 1)[1].split("\n\n", 1)[0]
    assert out == "\n".join(line[3:] for line in shown.splitlines()) + "\n"
    png = tmp_path / "rmsprop-demo.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_fit_then_predict(tmp_path, suffix):
    frame = make_frame(3_000)
    data = tmp_path / f"train{suffix}"
    if suffix == ".csv":
        frame.to_csv(data, index=False)
    else:
        frame.to_parquet(data)
    model = tmp_path / "model.skops"
    code, out, err = run(
        "fit",
        data,
        "--target",
        "target",
        "--model",
        model,
        "--chunksize",
        700,
        "--n-iter",
        10,
        "--learning-rate",
        0.05,
        "--random-state",
        0,
    )
    assert code == 0, err
    assert "rows/s" in err and "loss" in err  # progress
    assert model.is_file()

    predictions = tmp_path / "predictions.csv"
    code, _, err = run("predict", "--model", model, data, "--output", predictions)
    assert code == 0, err
    predicted = pd.read_csv(predictions)["prediction"].to_numpy()
    assert predicted.shape == (3_000,)
    y = frame["target"].to_numpy()
    r2 = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.99

    code, out, err = run("predict", "--model", model, data)
    assert code == 0, err
    assert out.splitlines()[0] == "prediction"
    assert len(out.splitlines()) == 3_001


def test_fit_on_chosen_features_and_options(tmp_path, csv_file):
    model = tmp_path / "m.skops"
    code, _, err = run(
        "fit",
        csv_file,
        "--target",
        "target",
        "--features",
        "a",
        "c",
        "--model",
        model,
        "--n-iter",
        3,
        "--tol",
        "none",
        "--no-shuffle",
        "--batch-size",
        "none",
    )
    assert code == 0, err
    import skops.io as sio

    saved = sio.load(model, trusted=["sk_rmsprop._regressor.RMSpropRegressor"])
    pipeline = saved.regressor_
    assert list(pipeline[0].feature_names_in_) == ["a", "c"]
    estimator = pipeline[-1]
    assert estimator.batch_size is None and estimator.shuffle is False
    assert len(estimator.loss_curve_) == 3


def test_a_file_of_many_chunks_keeps_memory_bounded(tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    make_frame(1_000).to_csv(small, index=False)
    frame = make_frame(1_000_000)
    frame.to_csv(large, index=False)
    in_memory_kib = frame.memory_usage().sum() / 1024  # 40 MB as float64
    del frame
    args = ("--target", "target", "--n-iter", 1, "--chunksize", 20_000)
    code, err, base_kib = run_measured("fit", small, *args, "--model", tmp_path / "s")
    assert code == 0, err
    code, err, large_kib = run_measured("fit", large, *args, "--model", tmp_path / "l")
    assert code == 0, err
    # Reading the file whole would add at least its in-memory size.
    assert large_kib - base_kib < in_memory_kib / 2, (base_kib, large_kib)


BAD_DATA = {
    "missing column": (lambda f: f.drop(columns="target"), "no column 'target'"),
    "non-numeric": (lambda f: f.assign(b="x"), "column 'b'"),
    "nan": (lambda f: f.assign(c=np.where(f.index == 5, np.nan, f["c"])), "'c'"),
    "inf": (lambda f: f.assign(a=np.where(f.index == 7, np.inf, f["a"])), "'a'"),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_data_gets_one_line_and_keeps_the_old_model(tmp_path, case):
    change, fragment = BAD_DATA[case]
    data = tmp_path / "bad.csv"
    change(make_frame(100)).to_csv(data, index=False)
    model = tmp_path / "model.skops"
    model.write_bytes(b"the previous model")
    code, _, err = run("fit", data, "--target", "target", "--model", model)
    assert_one_line_error(code, err, fragment)
    assert model.read_bytes() == b"the previous model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "model.skops"]


def test_missing_file(tmp_path):
    code, _, err = run("fit", tmp_path / "nope.csv", "--target", "y")
    assert_one_line_error(code, err, "no such file")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _, err = run("fit", empty, "--target", "y", "--model", tmp_path / "m")
    assert_one_line_error(code, err, "empty")
    header_only = tmp_path / "header.csv"
    header_only.write_text("a,y\n")
    code, _, err = run("fit", header_only, "--target", "y", "--model", tmp_path / "m")
    assert_one_line_error(code, err, "no rows")
    assert not (tmp_path / "m").exists()


def test_unreadable_model_file(tmp_path, csv_file):
    model = tmp_path / "broken.skops"
    model.write_bytes(b"not a model")
    output = tmp_path / "out.csv"
    code, _, err = run("predict", "--model", model, csv_file, "--output", output)
    assert_one_line_error(code, err, "not a readable model file")
    assert not output.exists()
    code, _, err = run("predict", "--model", tmp_path / "none.skops", csv_file)
    assert_one_line_error(code, err, "no such model file")


def _load(path):
    import skops.io as sio

    return sio.load(path, trusted=["sk_rmsprop._regressor.RMSpropRegressor"])


def test_parameters_are_checked_before_any_reading(tmp_path):
    model = tmp_path / "model.skops"
    model.write_bytes(b"the previous model")
    # The data file does not exist: the parameter is checked first.
    for value in ("0", "-3"):
        code, _, err = run(
            "fit", tmp_path / "absent.csv", "--target", "y", "--model", model,
            "--n-iter", value,
        )  # fmt: skip
        assert_one_line_error(code, err, "'n_iter' parameter")
    assert model.read_bytes() == b"the previous model"


def test_fits_are_reproducible_by_default_and_say_their_seed(tmp_path, csv_file):
    args = ("fit", csv_file, "--target", "target", "--n-iter", 3)
    outputs, models = [], []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.skops"
        extra = ("--random-state", "none") if name == "c" else ()
        code, out, err = run(*args, "--model", path, *extra)
        assert code == 0, err
        outputs.append(out)
        models.append(_load(path).regressor_[-1])
    assert "random_state=0" in outputs[0] and "random_state=none" in outputs[2]
    assert_array_equal(models[0].coef_, models[1].coef_)
    assert not np.array_equal(models[0].coef_, models[2].coef_)


def test_reaching_n_iter_is_said_in_one_line(tmp_path, csv_file):
    args = ("fit", csv_file, "--target", "target", "--model", tmp_path / "m")
    code, _, err = run(*args, "--n-iter", 2)
    assert code == 0, err
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "--n-iter" in warnings[0], err
    code, _, err = run(*args, "--n-iter", 2, "--tol", "none")  # asked for 2
    assert code == 0 and "warning" not in err, err


def test_saved_model_counts_the_epochs_of_the_run(tmp_path, csv_file):
    model = tmp_path / "model.skops"
    code, out, err = run(
        "fit", csv_file, "--target", "target", "--model", model, "--n-iter", 7,
        "--tol", "none", "--chunksize", 500,
    )  # fmt: skip
    assert code == 0, err
    assert "7 epochs" in out
    assert _load(model).regressor_[-1].n_iter_ == 7


def test_a_target_in_the_thousands_fits_with_the_defaults(tmp_path):
    frame = make_frame(3_000)
    frame["target"] = 5_000 + 1_000 * frame["target"]  # a price
    data = tmp_path / "prices.csv"
    frame.to_csv(data, index=False)
    model = tmp_path / "model.skops"
    code, _, err = run("fit", data, "--target", "target", "--model", model)
    assert code == 0, err
    code, out, err = run("predict", "--model", model, data)
    assert code == 0, err
    predicted = np.array(out.split()[1:], dtype=float)
    y = frame["target"].to_numpy()
    r2 = 1 - np.sum((y - predicted) ** 2) / np.sum((y - y.mean()) ** 2)
    assert r2 > 0.99
    # In original units, loaded with only the project's type trusted.
    saved = _load(model)
    assert abs(saved.transformer_.mean_[0] - y.mean()) < 1e-6 * abs(y.mean())


def test_a_model_file_holding_something_else_is_named(tmp_path, csv_file):
    import skops.io as sio

    model = tmp_path / "dict.skops"
    sio.dump({"coef": [1.0, 2.0]}, model)
    code, _, err = run("predict", "--model", model, csv_file)
    assert_one_line_error(code, err, "holds a dict")


# ----------------------------------------------------------------------------
# Classification


def _labelled_frame(n_samples, seed=0):
    """`make_frame`'s features with three classes named by words."""
    frame = make_frame(n_samples, seed)
    cuts = np.quantile(frame["target"], [0.3, 0.7])
    codes = np.digitize(frame["target"], cuts)
    return frame.assign(target=np.array(["low", "mid", "high"])[codes])


def test_a_target_of_labels_trains_a_classifier(tmp_path):
    frame = _labelled_frame(2_000)
    data = tmp_path / "labels.csv"
    frame.to_csv(data, index=False)
    model = tmp_path / "model.skops"
    code, out, err = run(
        "fit", data, "--target", "target", "--model", model, "--chunksize", 600
    )
    assert code == 0, err
    assert "3 classes" in out
    import skops.io as sio

    saved = sio.load(model, trusted=["sk_rmsprop._classifier.RMSpropClassifier"])
    classifier = saved[-1]
    assert type(classifier).__name__ == "RMSpropClassifier"
    assert classifier.loss == "log_loss" and list(classifier.classes_) == [
        "high", "low", "mid",
    ]  # fmt: skip
    # Labels out, as the saved pipeline predicts them.
    code, out, err = run("predict", data, "--model", model)
    assert code == 0, err
    written = pd.read_csv(StringIO(out))["prediction"].to_numpy()
    X = frame[list("abcd")]
    assert_array_equal(written, saved.predict(X))
    assert np.mean(written == frame["target"]) > 0.9
    # And with --proba, one column per class, summing to 1.
    code, out, err = run("predict", data, "--model", model, "--proba")
    assert code == 0, err
    proba = pd.read_csv(StringIO(out))
    assert list(proba.columns) == ["proba_high", "proba_low", "proba_mid"]
    np.testing.assert_allclose(proba.to_numpy(), saved.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-12)


def test_classify_an_integer_target_with_balanced_weights(tmp_path):
    frame = make_frame(1_500)
    frame["target"] = (frame["target"] > np.quantile(frame["target"], 0.8)).astype(int)
    data = tmp_path / "binary.parquet"
    frame.to_parquet(data)
    model = tmp_path / "model.skops"
    options = ("--classify", "--loss", "hinge", "--class-weight", "balanced")
    code, out, err = run("fit", data, "--target", "target", "--model", model, *options)
    assert code == 0, err
    import skops.io as sio

    saved = sio.load(model, trusted=["sk_rmsprop._classifier.RMSpropClassifier"])
    counts = frame["target"].value_counts()
    expected = {str(label): 1_500 / (2 * n) for label, n in counts.items()}
    assert saved[-1].class_weight == pytest.approx(expected)
    code, out, err = run("predict", data, "--model", model)
    assert code == 0, err
    assert set(pd.read_csv(StringIO(out))["prediction"]) <= {0, 1}
    # A hinge loss gives no probabilities: said in one line.
    code, _, err = run("predict", data, "--model", model, "--proba")
    assert_one_line_error(code, err, "gives no probabilities")


@pytest.mark.parametrize(
    "options, fragment",
    [
        (("--classify", "--loss", "huber"), "--loss huber is a regressor's"),
        (("--class-weight", "balanced"), "--class-weight is for classifiers"),
    ],
)
def test_classification_option_errors(tmp_path, csv_file, options, fragment):
    code, _, err = run(
        "fit", csv_file, "--target", "target", "--model", tmp_path / "m", *options
    )
    assert_one_line_error(code, err, fragment)
    assert not (tmp_path / "m").exists()


def test_a_single_class_or_a_missing_label_is_named(tmp_path):
    frame = _labelled_frame(200).assign(target="low")
    data = tmp_path / "one.csv"
    frame.to_csv(data, index=False)
    code, _, err = run("fit", data, "--target", "target", "--model", tmp_path / "m")
    assert_one_line_error(code, err, "holds one class ('low')")
    frame.loc[5, "target"] = None
    frame.loc[6, "target"] = "mid"
    frame.to_csv(data, index=False)
    code, _, err = run("fit", data, "--target", "target", "--model", tmp_path / "m")
    assert_one_line_error(code, err, "holds a missing label")


def test_proba_of_a_regression_model_is_refused(fitted_model, csv_file):
    code, _, err = run("predict", csv_file, "--model", fitted_model, "--proba")
    assert_one_line_error(code, err, "--proba needs a classifier")


def test_the_session_of_docs_cli_prints_what_the_page_shows(tmp_path):
    # The page's table: 1,000 houses, three features and a price about 100.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 3))
    price = X @ [2.0, -1.0, 0.5] + 100 + 0.1 * rng.normal(size=1_000)
    houses = pd.DataFrame(X, columns=["rooms", "age", "distance"]).round(3)
    houses.assign(price=price.round(2)).to_csv(tmp_path / "houses.csv", index=False)
    houses.head(3).to_csv(tmp_path / "new.csv", index=False)
    page = (Path(__file__).resolve().parents[1] / "docs" / "cli.rst").read_text()
    session = page.split("   $ sk-rmsprop fit houses.csv", 1)[1].split("\n\n", 1)[0]
    lines = [line[3:] for line in session.splitlines()[1:]]
    predict = lines.index("$ sk-rmsprop predict new.csv --model price.skops")
    # fit's standard output is its last line; the progress goes to stderr.
    fit_shown = [line for line in lines[:predict] if line.startswith("saved")]
    predict_shown = lines[predict + 1 :]
    code, out, err = run(
        "fit", "houses.csv", "--target", "price", "--model", "price.skops", cwd=tmp_path
    )
    assert code == 0, err
    assert out.splitlines() == fit_shown
    code, out, err = run("predict", "new.csv", "--model", "price.skops", cwd=tmp_path)
    assert code == 0, err
    assert out.splitlines() == predict_shown

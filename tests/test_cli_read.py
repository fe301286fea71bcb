"""Reading tables (sk_rmsprop.cli._read), through the real command."""

import os
import threading

import numpy as np
import pytest

from ._command import assert_one_line_error, run

pd = pytest.importorskip("pandas")
pytest.importorskip("skops")


@pytest.mark.parametrize(
    "row, line, fragment",
    [("1,2,3,4,5,6", 4, "more fields than the header's 5"),  # one extra field
     ("1,2,3,4,5,6,7", 4, "7 fields, more than the header's 5")],
)  # fmt: skip
def test_a_row_longer_than_the_header_is_an_error_naming_its_line(
    tmp_path, row, line, fragment
):
    data = tmp_path / "data.csv"
    data.write_text("a,b,c,d,target\n1,2,3,4,5\n2,3,4,5,6\n" + row + "\n3,4,5,6,7\n")
    model = tmp_path / "model.skops"
    code, _, err = run("fit", data, "--target", "target", "--model", model)
    assert_one_line_error(code, err, f"line {line}: {fragment}")
    assert not model.exists()


def test_a_wide_first_row_is_not_taken_for_an_index(tmp_path):
    # pandas reads a first row with one field more than the header as an index
    # column, shifting every value; the extra field must be refused instead.
    data = tmp_path / "data.csv"
    data.write_text("a,target\n9,1,2\n3,4\n")
    code, _, err = run("fit", data, "--target", "target", "--model", tmp_path / "m")
    assert_one_line_error(code, err, "line 2: more fields")


def test_predict_reads_standard_input_given_dash(fitted_model, csv_file):
    from_file = run("predict", "--model", fitted_model, csv_file)
    text = csv_file.read_text()
    from_stdin = run("predict", "--model", fitted_model, "-", input=text)
    assert from_stdin[0] == 0, from_stdin[2]
    assert from_stdin[1] == from_file[1]
    assert len(from_stdin[1].splitlines()) == 2_001


@pytest.mark.parametrize("source", ["-", "/dev/stdin"])
def test_fit_reads_standard_input(tmp_path, csv_file, source):
    args = ("--target", "target", "--n-iter", 4, "--tol", "none")
    code, _, err = run("fit", csv_file, *args, "--model", tmp_path / "file.skops")
    assert code == 0, err
    code, _, err = run(
        "fit", source, *args, "--model", tmp_path / "stdin.skops",
        input=csv_file.read_text(),
    )  # fmt: skip
    assert code == 0, err
    import skops.io as sio

    trusted = ["sk_rmsprop._regressor.RMSpropRegressor"]
    models = [
        sio.load(tmp_path / name, trusted=trusted).regressor_[-1]
        for name in ("file.skops", "stdin.skops")
    ]
    np.testing.assert_array_equal(models[0].coef_, models[1].coef_)


def _feed(fifo, text):
    """Write ``text`` into a FIFO from another thread (opening blocks until read)."""

    def write():
        with open(fifo, "w") as stream:
            stream.write(text)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_fit_from_a_fifo_reads_it_once(tmp_path, csv_file):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    writer = _feed(fifo, csv_file.read_text())
    code, _, err = run(
        "fit", fifo, "--target", "target", "--n-iter", 3, "--model",
        tmp_path / "model.skops",
    )  # fmt: skip
    writer.join(timeout=60)
    assert code == 0, err
    assert (tmp_path / "model.skops").is_file()

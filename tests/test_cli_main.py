"""Exit statuses, signals and errors of the command (sk_rmsprop.cli._main)."""

import os
import signal
import subprocess

import pytest

from ._command import COMMAND, leftovers, make_frame, run, start, wait_for

pd = pytest.importorskip("pandas")
pytest.importorskip("skops")


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory):
    """Enough rows that a predict or an epoch takes a few seconds."""
    path = tmp_path_factory.mktemp("large") / "large.csv"
    make_frame(300_000).to_csv(path, index=False)
    return path


SIGNALS = {"SIGINT": (signal.SIGINT, 130, "interrupted"),
           "SIGTERM": (signal.SIGTERM, 143, "terminated")}  # fmt: skip


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_during_predict_leaves_no_temporary_file(
    tmp_path, large_csv, fitted_model, name
):
    number, status, word = SIGNALS[name]
    output = tmp_path / "predictions.csv"
    output.write_text("the previous predictions\n")
    process = start(
        "predict", "--model", fitted_model, large_csv, "--output", output,
        "--chunksize", 1_000,
    )  # fmt: skip
    # Signal once the temporary file is being written.
    wait_for(lambda: leftovers(tmp_path) or process.poll() is not None)
    process.send_signal(number)
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert err.strip() == f"sk-rmsprop: {word}"
    assert leftovers(tmp_path) == []
    assert output.read_text() == "the previous predictions\n"


@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_during_fit_keeps_the_old_model(tmp_path, large_csv, name):
    number, status, word = SIGNALS[name]
    model = tmp_path / "model.skops"
    model.write_bytes(b"the previous model")
    process = start(
        "fit", large_csv, "--target", "target", "--model", model, "--n-iter",
        1_000, "--tol", "none", "--chunksize", 5_000,
    )  # fmt: skip
    # Signal once the command has worked for a while: past its imports
    # (about 2 CPU seconds), into the passes over the data.
    wait_for(lambda: process.poll() is not None or _cpu_seconds(process.pid) > 3)
    process.send_signal(number)
    _, err = process.communicate(timeout=120)
    assert process.returncode == status, err
    assert err.strip().splitlines()[-1] == f"sk-rmsprop: {word}"
    assert "Traceback" not in err
    assert model.read_bytes() == b"the previous model"
    assert leftovers(tmp_path) == []


def _cpu_seconds(pid):
    """CPU seconds used so far by process ``pid`` (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def test_a_closed_pipe_stops_predict_quietly(large_csv, fitted_model):
    predict = subprocess.Popen(
        [*COMMAND, "predict", "--model", str(fitted_model), str(large_csv)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    head = subprocess.run(["head", "-1"], stdin=predict.stdout, capture_output=True)
    predict.stdout.close()  # only head reads the pipe
    err = predict.stderr.read().decode()
    predict.wait(timeout=120)
    assert head.stdout == b"prediction\n"
    assert err == ""
    assert predict.returncode == 141


def test_usage_errors_print_the_usage_and_exit_2(tmp_path, csv_file):
    for args in (["fit", csv_file], ["fit", csv_file, "--target", "t", "--bogus"],
                 ["predict", csv_file, "--model", "m", "--chunksize", 0]):  # fmt: skip
        code, _, err = run(*args)
        assert code == 2, err
        assert err.startswith("usage: sk-rmsprop")
        assert "error:" in err.splitlines()[-1]

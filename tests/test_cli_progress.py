"""Progress on stderr (sk_rmsprop.cli._progress), through the real command."""

import os
import pty
import subprocess

import pytest

from ._command import COMMAND, run

pytest.importorskip("pandas")
pytest.importorskip("skops")
pytest.importorskip("rich")


def test_without_a_terminal_a_long_fit_writes_a_few_lines(tmp_path, csv_file):
    code, _, err = run(
        "fit", csv_file, "--target", "target", "--model", tmp_path / "m",
        "--n-iter", 300, "--tol", "none", "--chunksize", 500,
    )  # fmt: skip
    assert code == 0, err
    lines = err.splitlines()
    # A line at most every 5 seconds, and the summary.
    assert len(lines) <= 1 + 20, err
    assert lines[-1].startswith("fit: 300 epochs in ")
    assert "rows/s" in lines[-1] and "loss" in lines[-1]


def test_on_a_terminal_rich_draws_the_progress(tmp_path, csv_file):
    main, child = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, "fit", str(csv_file), "--target", "target", "--model",
         str(tmp_path / "m"), "--n-iter", "3"],
        stdout=subprocess.DEVNULL,
        stderr=child,
    )  # fmt: skip
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        output += chunk
    os.close(main)
    assert process.wait(timeout=120) == 0
    text = output.decode(errors="replace")
    assert "epoch 3" in text and "━" in text  # rich's bar
    assert "fit: 3 epochs in " in text

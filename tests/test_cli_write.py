"""Writing files safely (sk_rmsprop.cli._write), through the real command."""

import os
import shutil
import stat
import threading

import pytest

from ._command import assert_one_line_error, leftovers, run

pd = pytest.importorskip("pandas")
pytest.importorskip("skops")


def test_a_symlink_is_written_through_to_its_target(tmp_path, csv_file, fitted_model):
    target_dir = tmp_path / "elsewhere"
    target_dir.mkdir()
    target = target_dir / "predictions.csv"
    target.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    code, _, err = run("predict", "--model", fitted_model, csv_file, "--output", link)
    assert code == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("prediction\n")
    assert leftovers(tmp_path) == leftovers(target_dir) == []


def test_a_fifo_is_written_in_place_not_replaced(tmp_path, csv_file, fitted_model):
    # A FIFO stands for every non-regular file (a device such as /dev/null):
    # renaming a regular file over it would replace it for everyone.
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received = []

    def read():
        with open(fifo) as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, _, err = run("predict", "--model", fitted_model, csv_file, "--output", fifo)
    reader.join(timeout=60)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].startswith("prediction\n")
    assert len(received[0].splitlines()) == 2_001


@pytest.mark.parametrize("which", ["data", "model", "data through a symlink"])
def test_an_output_that_is_an_input_is_refused(tmp_path, csv_file, fitted_model, which):
    # Copies, so that a failure cannot spoil the files other tests share.
    csv_file = shutil.copy(csv_file, tmp_path / "data.csv")
    fitted_model = shutil.copy(fitted_model, tmp_path / "model.skops")
    before = {path: path.read_bytes() for path in (csv_file, fitted_model)}
    if which == "data through a symlink":
        output = tmp_path / "alias.csv"
        output.symlink_to(csv_file)
    else:
        output = csv_file if which == "data" else fitted_model
    code, _, err = run("predict", "--model", fitted_model, csv_file, "--output", output)
    assert_one_line_error(code, err, "is also an input")
    assert {path: path.read_bytes() for path in before} == before


def test_fit_refuses_to_save_over_its_data(tmp_path, csv_file):
    csv_file = shutil.copy(csv_file, tmp_path / "data.csv")
    before = csv_file.read_bytes()
    code, _, err = run("fit", csv_file, "--target", "target", "--model", csv_file)
    assert_one_line_error(code, err, "is also an input")
    assert csv_file.read_bytes() == before


def _run_with_umask(mask, *args):
    old = os.umask(mask)
    try:
        return run(*args)
    finally:
        os.umask(old)


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(
    tmp_path, csv_file, fitted_model
):
    new = tmp_path / "new.csv"
    code, _, err = _run_with_umask(
        0o027, "predict", "--model", fitted_model, csv_file, "--output", new
    )
    assert code == 0, err
    assert stat.S_IMODE(new.stat().st_mode) == 0o640
    existing = tmp_path / "existing.csv"
    existing.write_text("old\n")
    existing.chmod(0o604)
    code, _, err = _run_with_umask(
        0o077, "predict", "--model", fitted_model, csv_file, "--output", existing
    )
    assert code == 0, err
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604
    assert existing.read_text().startswith("prediction\n")

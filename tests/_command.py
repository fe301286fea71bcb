"""Running the sk-rmsprop command for real, in a subprocess, and its test data."""

import os
import subprocess
import sys
import time

import numpy as np

COMMAND = [sys.executable, "-m", "sk_rmsprop"]


def run(*args, cwd=None, input=None, env=None, timeout=300):
    """Run ``python -m sk_rmsprop ARGS``; return (exit code, stdout, stderr).

    A command that hangs fails the test after ``timeout`` seconds.
    """
    done = subprocess.run(
        [*COMMAND, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=input,
        env=env,
        timeout=timeout,
    )
    return done.returncode, done.stdout, done.stderr


def start(*args, **kwargs):
    """Start the command; return the running process (stdout and stderr piped)."""
    return subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def run_measured(*args):
    """Run the command; return (exit code, stderr, the child's peak memory in KiB).

    ``os.wait4`` reports the resource use of that one child.
    """
    process = subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    return os.waitstatus_to_exitcode(status), stderr, usage.ru_maxrss


def wait_for(condition, timeout=60.0):
    """Poll ``condition`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the command")
        time.sleep(0.01)


def make_frame(n_samples, seed=0):
    """Four features of different scales and a linear target, as a DataFrame."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, 4)) * [1.0, 10.0, 0.1, 100.0] + [0, 5, 0, -50]
    y = X @ [2.0, -0.3, 10.0, 0.01] + 1.0 + 0.1 * rng.normal(size=n_samples)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["target"] = y
    return frame


def assert_one_line_error(code, stderr, fragment):
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("sk-rmsprop: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in stderr


def leftovers(directory):
    """Hidden (temporary) files the command left in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))

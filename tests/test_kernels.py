"""The RMSprop rule, checked step by step against hand-computed values."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

import sk_rmsprop
from sk_rmsprop._base import _stopping
from sk_rmsprop._kernels import dense_epochs, powers, rmsprop_idle_steps, rmsprop_step
from sk_rmsprop._state import zero_state

LR, RHO, EPS = 0.1, 0.9, 1e-8


def _rule(mu=0.0, centered=False, dtype=np.float64):
    return tuple(dtype(v) for v in (LR, RHO, 1 - RHO, EPS, mu)) + (centered,)


def _step(W, V, M, B, g, mu=0.0, centered=False):
    """One step of the rule on the single parameter held in 1x1 arrays."""
    state = rmsprop_step(W[0, 0], V[0, 0], M[0, 0], B[0, 0], g, _rule(mu, centered))
    W[0, 0], V[0, 0], M[0, 0], B[0, 0] = state


def _zeros():
    return [np.zeros((1, 1)) for _ in range(4)]


@pytest.mark.parametrize("g", [-7.0, 0.25])
def test_first_step_is_learning_rate_over_root_one_minus_rho(g):
    W, V, M, B = _zeros()
    _step(W, V, M, B, g)
    # v = (1 - rho) g^2, so the step is lr * g / (|g| sqrt(1 - rho) + eps).
    assert V[0, 0] == pytest.approx((1 - RHO) * g**2, rel=1e-15)
    expected = -LR * g / (abs(g) * np.sqrt(1 - RHO) + EPS)
    assert_allclose(W[0, 0], expected, rtol=1e-15)
    assert M[0, 0] == 0 and B[0, 0] == 0


def test_second_step_uses_decayed_average():
    W, V, M, B = _zeros()
    _step(W, V, M, B, 2.0)
    w1 = W[0, 0]
    _step(W, V, M, B, -1.0)
    v2 = RHO * (1 - RHO) * 4.0 + (1 - RHO) * 1.0
    assert_allclose(V[0, 0], v2, rtol=1e-15)
    assert_allclose(W[0, 0], w1 + LR * 1.0 / (np.sqrt(v2) + EPS), rtol=1e-15)


def test_centered_step_divides_by_root_of_variance():
    W, V, M, B = _zeros()
    g = 3.0
    _step(W, V, M, B, g, centered=True)
    # v - m^2 = (1 - rho) g^2 - (1 - rho)^2 g^2 = rho (1 - rho) g^2
    denom = np.sqrt(RHO * (1 - RHO)) * g + EPS
    assert_allclose(M[0, 0], (1 - RHO) * g, rtol=1e-15)
    assert_allclose(W[0, 0], -LR * g / denom, rtol=1e-14)


def test_momentum_accumulates_normalised_steps():
    W, V, M, B = _zeros()
    mu = 0.5
    _step(W, V, M, B, 1.0, mu=mu)
    b1 = 1.0 / (np.sqrt(1 - RHO) + EPS)
    assert_allclose(B[0, 0], b1, rtol=1e-15)
    assert_allclose(W[0, 0], -LR * b1, rtol=1e-15)
    _step(W, V, M, B, 1.0, mu=mu)
    b2 = mu * b1 + 1.0 / (np.sqrt(RHO * (1 - RHO) + (1 - RHO)) + EPS)
    assert_allclose(B[0, 0], b2, rtol=1e-15)
    assert_allclose(W[0, 0], -LR * b1 - LR * b2, rtol=1e-15)


def _epoch(X, Y, sw, perm, batch_size, W, fit_intercept=True):
    """One dense epoch from parameters ``W``, updated in place (state at zero).

    ``Y`` and ``sw`` are in visiting order, as the kernel takes them. Returns
    the epoch's objective and the number of updates.
    """
    state = zero_state(W.shape[1] - 1, W.shape[0], X.dtype)
    state["W"][...] = W
    rule = _rule(dtype=X.dtype.type)
    order = (False, perm, 0, 0, False, Y, sw, False)  # the visit is given
    loss = np.empty(1)
    n_run, n_updates, _ = dense_epochs(
        X,
        batch_size,
        state["S"],
        rule,
        X.dtype.type(0),
        fit_intercept,
        (0, *(X.dtype.type(v) for v in (1.35, 0.1, 0.5, 0.5, 0.5))),  # squared error
        None,  # no averaging
        order,
        (perm, Y, sw),
        _stopping(X, Y, sw, state, LR),
        (loss, np.empty(1)),
    )
    assert n_run == 1
    W[...] = state["W"]
    return loss[0], n_updates


def test_epoch_full_batch_step_matches_hand_computation():
    # x = [1, 3], y = [2, 4], start at zero: errors -2 and -4, so the slope's
    # gradient is mean([-2, -12]) = -7 and the intercept's is -3.
    X = np.array([[1.0], [3.0]])
    Y = np.array([[2.0], [4.0]])
    W = np.zeros((1, 2))
    objective, n_updates = _epoch(X, Y, np.ones(2), np.arange(2), 2, W)
    assert n_updates == 1
    assert_allclose(objective, (4 + 16) / 2 / 2)  # half the mean squared error
    assert_allclose(
        W[0],
        [LR * 7 / (7 * np.sqrt(0.1) + EPS), LR * 3 / (3 * np.sqrt(0.1) + EPS)],
        rtol=1e-15,
    )


def test_epoch_skips_batches_without_weight_and_keeps_intercept_fixed():
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    Y = np.array([[1.0], [2.0], [3.0], [4.0]])
    W = np.zeros((1, 2))
    sw = np.array([0.0, 0.0, 1.0, 1.0])
    objective, n_updates = _epoch(X, Y, sw, np.arange(4), 2, W, fit_intercept=False)
    assert n_updates == 1
    assert_allclose(objective, (9 + 16) / 2 / 2)  # the weighted rows only
    assert W[0, 1] == 0
    assert W[0, 0] > 0


@pytest.mark.parametrize("mu, centered", [(0.0, False), (0.0, True), (0.9, False)])
@pytest.mark.parametrize("n_steps", [1, 7])
def test_idle_steps_equal_zero_gradient_steps(mu, centered, n_steps):
    rng = np.random.RandomState(0)
    start = [rng.uniform(0.5, 1.5, size=(1, 1)) for _ in range(4)]
    stepped = [a.copy() for a in start]
    for _ in range(n_steps):
        _step(*stepped, 0.0, mu=mu, centered=centered)
    jumped = [a.copy() for a in start]
    rho_n, mu_n = powers(RHO, n_steps)[n_steps], powers(mu, n_steps)[n_steps]
    mu_sum = sum(mu**i for i in range(1, n_steps + 1))
    state = rmsprop_idle_steps(
        *(a[0, 0] for a in jumped), rho_n, mu_n, mu_sum, _rule(mu, centered)
    )
    for array, value in zip(jumped, state, strict=True):
        array[0, 0] = value
    for a, b in zip(jumped, stepped, strict=True):
        # A power and a geometric sum in place of repeated products.
        assert_allclose(a, b, rtol=1e-14)
    if mu > 0:
        assert jumped[0][0, 0] != start[0][0, 0]  # momentum keeps moving w


def test_import_and_fit_without_any_writable_cache_location(tmp_path):
    # A read-only install: the package's own directory cannot hold a cache
    # (its __pycache__ is a file, so not even root can create it) and neither
    # can HOME. The kernels must then compile in memory instead.
    package = Path(sk_rmsprop.__file__).parent
    copy = tmp_path / "site" / "sk_rmsprop"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "__pycache__").write_text("")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    for path in [copy, *copy.iterdir()]:
        path.chmod(path.stat().st_mode & ~0o222)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("NUMBA_CACHE") and key != "PYTHONPATH"
    }
    env.update(
        HOME=str(blocker / "home"),
        XDG_CACHE_HOME=str(blocker / "cache"),
        PYTHONPATH=str(copy.parent),
    )
    code = (
        "import numpy as np, sk_rmsprop\n"
        f"assert sk_rmsprop.__file__.startswith({str(copy)!r})\n"
        "X = np.arange(20.0).reshape(10, 2); y = X @ [1.0, 2.0]\n"
        "m = sk_rmsprop.RMSpropRegressor(n_iter=3, tol=None).fit(X, y)\n"
        "print(np.isfinite(m.predict(X)).all())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True"

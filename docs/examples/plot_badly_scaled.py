"""
RMSprop, SGD and Adam on badly scaled features
==============================================

Eight features with standard deviations from 0.01 to 100, left unscaled. A
single SGD step size small enough for the largest feature is far too small
for the others, and any larger one diverges. RMSprop divides each
coefficient's gradient by its own running root mean square. Adam
(MLPRegressor with no hidden layer) does the same with momentum added.

Counted in epochs, Adam (learning rate 0.01) and RMSprop (learning rate
0.001) both come within a few percent of the least-squares optimum, and SGD
never does. RMSprop at 0.01 stalls at about five times the optimum. Its
steps of about the learning rate are too coarse for the coefficient of the
largest-scale feature: the learning rate bounds the final accuracy (see the
user guide). Counted in seconds, RMSpropRegressor's compiled epochs cost a
small fraction of MLPRegressor's; the benchmarks page has the timings.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor
from sklearn.neural_network import MLPRegressor

from sk_rmsprop import RMSpropRegressor

rng = np.random.default_rng(0)
scales = np.logspace(-2, 2, 8)
X = rng.normal(size=(5_000, 8)) * scales
y = X @ rng.normal(size=8) + 3.0 + 0.5 * rng.normal(size=5_000)
X_train, X_test, y_train, y_test = X[:4_000], X[4_000:], y[:4_000], y[4_000:]
A = np.column_stack([X_train, np.ones(len(X_train))])
solution = np.linalg.lstsq(A, y_train, rcond=None)[0]
best_mse = np.mean((X_test @ solution[:-1] + solution[-1] - y_test) ** 2)

models = {
    "RMSprop, lr=0.001": RMSpropRegressor(learning_rate=0.001, random_state=0),
    "RMSprop, lr=0.01": RMSpropRegressor(learning_rate=0.01, random_state=0),
    "SGD, eta0=1e-4": SGDRegressor(learning_rate="constant", eta0=1e-4, random_state=0),
    "Adam, lr=0.01": MLPRegressor(
        hidden_layer_sizes=(), learning_rate_init=0.01, batch_size=32, random_state=0
    ),
}
curves = {}
with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, model in models.items():
        mse = []
        for _ in range(30):
            model.partial_fit(X_train, y_train)
            mse.append(np.mean((model.predict(X_test) - y_test) ** 2))
        curves[name] = np.array(mse) / best_mse
        print(
            f"{name}: held-out MSE / optimum after 30 epochs = {curves[name][-1]:.3g}"
        )

# %%
fig, ax = plt.subplots(figsize=(7, 4))
for name, ratio in curves.items():
    ax.plot(np.arange(1, 31), ratio, label=name)
ax.axhline(1.01, color="gray", linestyle=":", label="within 1% of the optimum")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("held-out MSE / least-squares MSE")
ax.legend()
fig.tight_layout()

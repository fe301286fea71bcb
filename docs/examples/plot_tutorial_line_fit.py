"""
The classic one-feature line fit
================================

Full-batch RMSprop on six points, from slope 3 and intercept 5, with the
classic NumPy loop's settings: learning rate 0.001, decay rate 0.9, epsilon
1e-8, 5000 iterations. RMSpropRegressor reproduces its published result,
slope 0.54935276 and intercept 5.24240429.
"""

import matplotlib.pyplot as plt
import numpy as np

from sk_rmsprop import LossCurveDisplay, RMSpropRegressor

x = np.array([5, 15, 25, 35, 45, 55], dtype=float).reshape(-1, 1)
y = np.array([5, 20, 14, 32, 22, 38], dtype=float)

model = RMSpropRegressor(
    learning_rate=0.001, n_iter=5000, batch_size=None, shuffle=False, tol=None
)
model.fit(x, y, coef_init=[3.0], intercept_init=5.0)
rmse = np.mean((y - model.predict(x)) ** 2) ** 0.5
print(f"slope {model.coef_[0]:.8f}, intercept {model.intercept_:.8f}, RMSE {rmse}")

# %%
# The fitted line, and the objective epoch by epoch.
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
left.scatter(x[:, 0], y, label="data")
left.plot(x[:, 0], model.predict(x), color="C3", label="RMSprop fit")
left.set_xlabel("x")
left.set_ylabel("y")
left.legend()
LossCurveDisplay.from_estimator(model, ax=right)
right.set_yscale("log")
fig.tight_layout()

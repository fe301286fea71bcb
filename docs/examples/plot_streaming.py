"""
Streaming with partial_fit
==========================

Data that arrives in chunks: a first pass fits the scaler, then each pass
over the chunks is one RMSprop epoch. The optimizer state carries over from
chunk to chunk, and the model can be pickled between chunks.
"""

import pickle

import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler

from sk_rmsprop import LossCurveDisplay, RMSpropRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(20_000, 5)) * [1, 10, 100, 0.1, 1] + [0, 50, 0, 0, -3]
y = X @ [1.0, 0.2, -0.01, 5.0, 0.5] + 2.0 + 0.1 * rng.normal(size=20_000)


def chunks(size=2_500):
    for start in range(0, len(X), size):
        yield X[start : start + size], y[start : start + size]


scaler = StandardScaler()
for X_chunk, _ in chunks():
    scaler.partial_fit(X_chunk)

model = RMSpropRegressor(learning_rate=0.01, random_state=0)
for _ in range(5):
    for X_chunk, y_chunk in chunks():
        model.partial_fit(scaler.transform(X_chunk), y_chunk)
    model = pickle.loads(pickle.dumps(model))  # resumes exactly
print(f"{model.t_} updates; R² = {model.score(scaler.transform(X), y):.5f}")

# %%
# One point per chunk: ``loss_curve_`` grows with every ``partial_fit`` call.
display = LossCurveDisplay.from_estimator(model, name="per chunk")
display.ax_.set_yscale("log")
display.ax_.set_xlabel("partial_fit call")
plt.show()

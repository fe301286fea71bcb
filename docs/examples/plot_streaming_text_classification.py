"""
Classifying a stream of text-like data
======================================

Word counts are sparse, and their frequencies follow Zipf's law: a few words
appear in most documents, most words in very few. RMSprop gives each
coefficient a step of its own, so a rare word's coefficient moves as far per
update as a common one's. Here documents arrive in chunks, as in
scikit-learn's out-of-core text example, and both :class:`~sk_rmsprop.RMSpropClassifier`
and :class:`~sklearn.linear_model.SGDClassifier` learn from each chunk once
with ``partial_fit``. Held-out log loss and accuracy are tracked after every
chunk.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, log_loss

from sk_rmsprop import RMSpropClassifier

rng = np.random.default_rng(0)
n_documents, n_words, words_per_document = 30_000, 2**14, 20

# Each document draws its words with Zipf frequencies; the label depends on
# a linear model of its words through a logistic, so it is noisy.
frequency = 1.0 / np.arange(1, n_words + 1)
words = rng.choice(
    n_words, size=(n_documents, words_per_document), p=frequency / frequency.sum()
)
rows = np.repeat(np.arange(n_documents, dtype=np.int32), words_per_document)
columns = words.ravel().astype(np.int32)
X = sp.csr_array((np.ones(rows.size), (rows, columns)), shape=(n_documents, n_words))
weights = rng.normal(size=n_words)
score = X @ weights
y = np.where(
    rng.uniform(size=n_documents) < expit(3 * (score - score.mean()) / score.std()),
    "positive",
    "negative",
)
X_test, y_test = X[-5_000:], y[-5_000:]


def chunks(size=1_000):
    for start in range(0, n_documents - 5_000, size):
        yield X[start : start + size], y[start : start + size]


# %%
# One pass over the stream. The classes must be given to the first
# ``partial_fit``, since a chunk need not hold them all.
models = {
    "RMSpropClassifier": RMSpropClassifier(
        learning_rate=0.003, decay_rate=0.999, random_state=0
    ),
    "SGDClassifier": SGDClassifier(
        loss="log_loss", learning_rate="constant", eta0=0.01, penalty=None,
        random_state=0,
    ),
}  # fmt: skip
curves = {name: [] for name in models}
classes = np.unique(y)
for X_chunk, y_chunk in chunks():
    for name, model in models.items():
        model.partial_fit(X_chunk, y_chunk, classes=classes)
        curves[name].append(log_loss(y_test, model.predict_proba(X_test)))
for name, model in models.items():
    accuracy = accuracy_score(y_test, model.predict(X_test))
    print(f"{name}: held-out log loss {curves[name][-1]:.4f}, accuracy {accuracy:.3f}")

# %%
# The held-out log loss after each chunk.
fig, ax = plt.subplots(figsize=(7, 4))
for name, curve in curves.items():
    ax.plot(np.arange(1, len(curve) + 1) * 1_000, curve, label=name)
ax.set_xlabel("documents seen")
ax.set_ylabel("held-out log loss")
ax.legend()
plt.show()

# %%
# The model's probabilities are those of a logistic regression: with two
# classes, ``predict_proba`` is the logistic function of
# ``decision_function``, and ``classes_`` keeps the labels as given.
model = models["RMSpropClassifier"]
print(model.classes_, model.predict_proba(X_test[:3]).round(3))

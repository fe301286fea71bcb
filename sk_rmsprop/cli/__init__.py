"""The sk-rmsprop command: a demo, and streaming fit / predict on CSV or Parquet.

One room per concern, each importing only inward (toward the estimator):

- `_arguments`: the parser, with the estimator's options read from its
  source (so that ``--help`` imports neither numba nor scikit-learn);
- `_read`: tables in chunks, and streams made rereadable;
- `_write`: files written whole or not at all, never over the wrong thing;
- `_progress`: progress on stderr;
- `_commands`: demo, fit and predict;
- `_main`: exit statuses, signals and one-line errors.
"""

from ._arguments import build_parser
from ._main import main, main_entry

__all__ = ["build_parser", "main", "main_entry"]

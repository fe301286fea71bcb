"""Reading tables in chunks: CSV, Parquet files and Parquet directories.

Standard input (``-``), FIFOs and other files that cannot be read twice are
first copied to a temporary file (`rereadable`): ``fit`` reads its data once
per pass.
"""

import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ._errors import CommandError, raise_if_signalled

# The column that catches a field beyond the header's (see `chunks`).
_EXTRA = "\0extra field"


def is_parquet(path):
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in (".parquet", ".pq")


@contextmanager
def rereadable(source):
    """Yield a path from which ``source`` can be read any number of times.

    A regular file or a directory is its own path. Standard input (``-``) and
    other streams are copied once to a temporary file, removed on exit, that
    keeps the source's suffix (so a Parquet stream stays Parquet).
    """
    if source != "-":
        path = Path(source)
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        if path.is_file() or path.is_dir():
            yield path
            return
    suffix = "" if source == "-" else Path(source).suffix
    with tempfile.TemporaryDirectory(prefix="sk-rmsprop-") as directory:
        copy = Path(directory) / f"input{suffix or '.csv'}"
        with open(copy, "wb") as sink:
            if source == "-":
                shutil.copyfileobj(sys.stdin.buffer, sink)
            else:
                with open(source, "rb") as stream:
                    shutil.copyfileobj(stream, sink)
        yield copy


def columns_of(path):
    """Column names of a CSV file, a Parquet file or a directory of them."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise CommandError(f"no such file: {path}")
    if is_parquet(path):
        import pyarrow.dataset as ds

        schema = ds.dataset(path, format="parquet").schema
        # A stored pandas/Dask index is not data.
        index = (schema.pandas_metadata or {}).get("index_columns", [])
        return [name for name in schema.names if name not in index]
    try:
        return list(pd.read_csv(path, nrows=0).columns)
    except pd.errors.EmptyDataError as exc:
        raise CommandError(f"{path} is empty") from exc


def check_columns(columns, available, path):
    missing = [c for c in columns if c not in available]
    if missing:
        raise CommandError(
            f"{path} has no column {', '.join(map(repr, missing))}; "
            f"its columns are {', '.join(map(repr, available))}"
        )


def chunks(path, columns, chunksize):
    """Yield non-empty DataFrames of at most ``chunksize`` rows of ``columns``.

    ``path`` is a CSV file, a Parquet file, or a directory of Parquet files. A
    CSV row with more fields than the header is an error naming its line: one
    column more than the header catches a single extra field, and the parser
    rejects more.
    """
    path = Path(path)
    available = columns_of(path)
    check_columns(columns, available, path)
    if is_parquet(path):
        import pyarrow.dataset as ds

        dataset = ds.dataset(path, format="parquet")
        for batch in dataset.to_batches(columns=columns, batch_size=chunksize):
            raise_if_signalled()
            if batch.num_rows:
                yield batch.to_pandas()
        return
    yield from _csv_chunks(path, available, columns, chunksize)


def _csv_chunks(path, names, columns, chunksize):
    import re

    import pandas as pd

    reader = pd.read_csv(
        path, header=None, skiprows=1, names=[*names, _EXTRA], chunksize=chunksize
    )
    try:
        for frame in reader:
            raise_if_signalled()
            extra = frame[_EXTRA].notna().to_numpy()
            if extra.any():
                # Rows are numbered from 0 after the header (line 1).
                line = int(frame.index[extra][0]) + 2
                raise CommandError(
                    f"{path}, line {line}: more fields than the header's {len(names)}"
                )
            if len(frame):
                yield frame[columns]
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected \d+ fields in line (\d+), saw (\d+)", str(exc))
        if not found:
            raise CommandError(f"{path} is not a readable CSV file ({exc})") from exc
        line, fields = found.groups()
        raise CommandError(
            f"{path}, line {line}: {fields} fields, more than the header's {len(names)}"
        ) from exc


def numeric(frame, columns, path):
    """The columns of ``frame`` as float64, or a clear error if they are not numbers."""
    import numpy as np

    for column in columns:
        kind = frame[column].dtype.kind
        if kind not in "biuf":
            raise CommandError(f"column {column!r} of {path} is not numeric")
    values = frame[columns].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(values)):
        bad = [c for c in columns if not np.all(np.isfinite(frame[c].to_numpy(float)))]
        raise CommandError(
            f"column {bad[0]!r} of {path} holds a missing, NaN or infinite value"
        )
    return values


def is_numeric(frame, column):
    """Whether ``column`` of ``frame`` holds numbers (booleans are labels)."""
    return frame[column].dtype.kind in "iuf"


def labels(frame, column, path):
    """The class labels of ``column``, as text, or a clear error if one is missing.

    As text, a label reads the same in every chunk, whatever type the reader
    inferred for that chunk, and is written back as it was read.
    """
    values = frame[column]
    if values.isna().any():
        raise CommandError(f"column {column!r} of {path} holds a missing label")
    return values.astype(str).to_numpy(dtype=object)

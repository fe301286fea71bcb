"""Writing files safely: whole or not at all, and never over the wrong thing.

A model or prediction file is written under a temporary name beside its
target and renamed over it at the end, so a failed or interrupted run never
leaves a partial file or replaces an earlier one. A symlink is written
through, to the file it points at; a device or FIFO (``/dev/null``,
``/dev/stdout``) is written in place, since renaming a regular file over it
would replace it; an output that is one of the command's inputs is refused.
New files get the permissions the umask allows, and a replaced file keeps
its own.
"""

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ._errors import CommandError, raise_if_signalled


def _same_file(a, b):
    """Whether paths ``a`` and ``b`` name the same file (through links)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet)
        return os.path.realpath(a) == os.path.realpath(b)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def written_safely(path, inputs=(), suffix=".tmp"):
    """Yield the path to write ``path``'s new content to; put it in place on success.

    ``inputs`` are the paths the command reads: ``path`` must not be one of
    them. On any failure, including an interruption, the temporary file is
    removed and ``path`` is left as it was.
    """
    for source in inputs:
        if source is not None and source != "-" and _same_file(path, source):
            raise CommandError(
                f"{path} is also an input of this command; write to another path"
            )
    target = Path(os.path.realpath(path))  # through symlinks, to their target
    if target.is_dir():
        raise CommandError(f"{path} is a directory")
    if target.exists() and not target.is_file():  # a device or a FIFO
        yield str(target)
        return
    if not target.parent.is_dir():
        raise CommandError(f"no such directory: {Path(path).parent}")
    if target.exists():
        mode = stat.S_IMODE(target.stat().st_mode)
    else:
        mode = 0o666 & ~_umask()
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix, dir=target.parent
    )
    os.close(handle)
    try:
        yield temporary
        raise_if_signalled()  # one dropped while writing still stops the rename
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

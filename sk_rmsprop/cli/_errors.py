"""The errors the command reports as one line, and its signals.

SIGINT and SIGTERM raise an exception where the program is (KeyboardInterrupt,
`Terminated`), so that every ``with`` block unwinds: temporary files are
removed and no output is replaced. An exception raised where Python cannot
propagate it (a destructor, a callback of a C library) is dropped with a
message; the passes over the data therefore also call `raise_if_signalled`
between chunks, which raises it again.
"""

import signal


class CommandError(Exception):
    """An error to report as one line on stderr, with exit status 1."""


class Terminated(BaseException):
    """SIGTERM, raised where the program is; a BaseException, like
    KeyboardInterrupt, so that no ``except Exception`` on the way swallows it."""


_EXCEPTIONS = {signal.SIGINT: KeyboardInterrupt, signal.SIGTERM: Terminated}
_received = []


def _on_signal(signum, frame):
    _received.append(signum)
    raise _EXCEPTIONS[signum]


def handle_signals():
    """Install the handlers of SIGINT and SIGTERM."""
    for signum in _EXCEPTIONS:
        signal.signal(signum, _on_signal)


def raise_if_signalled():
    """Raise the exception of a signal received before, if any."""
    if _received:
        raise _EXCEPTIONS[_received[0]]

"""``main``: run a command, and turn what can go wrong into exit statuses.

- an error of the data, the files or the values given: one line on stderr,
  status 1 (`CommandError`, and any other exception, without a traceback);
- a usage error (an unknown option, a missing argument): argparse's usage
  and message, status 2;
- Ctrl-C: "interrupted", status 130; SIGTERM: "terminated", status 143. Both
  unwind the program, so temporary files are removed and no output is
  replaced;
- a closed standard output (``predict ... | head -1``): stop quietly, status
  141, as a process that SIGPIPE ends.
"""

import os
import sys

from ._arguments import PROG, parse
from ._errors import CommandError, Terminated, handle_signals


def _run(args):
    from . import _commands

    handlers = {
        "demo": _commands.command_demo,
        "fit": _commands.command_fit,
        "predict": _commands.command_predict,
    }
    handlers[args.command](args)


def _error(message):
    print(f"{PROG}: {message}", file=sys.stderr)


def main(argv=None):
    """Run the command line; return the exit status."""
    handle_signals()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse(argv)  # exits with status 2 on a usage error
        _run(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Terminated:
        _error("terminated")
        return 143
    except BrokenPipeError:
        # Nothing more can be written; keep the interpreter's final flush of
        # stdout from failing too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except CommandError as exc:
        _error(f"error: {exc}")
        return 1
    except ImportError as exc:
        _error(
            f"error: {exc.name or exc} is needed; install it with "
            "pip install 'sk-rmsprop[cli]'"
        )
        return 1
    except Exception as exc:  # any failure: one line, no traceback
        text = str(exc).strip()
        _error(f"error: {text.splitlines()[0] if text else type(exc).__name__}")
        return 1
    return 0


def main_entry():
    """Console-script entry point."""
    sys.exit(main())

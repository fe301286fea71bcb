"""Progress of the passes over the data, on stderr.

On a terminal, rich's live display (the library scikit-learn's own
``ProgressBar`` callback draws with): a bar per pass with rows, rows per second
and the loss. Elsewhere (a log file, a pipe), a line at most every
``interval`` seconds, and a summary when the fit ends.
"""

import sys
import time


class Progress:
    """Report passes of ``total`` rows (unknown for the first pass)."""

    def __init__(self, stream=None, interval=5.0):
        self.stream = sys.stderr if stream is None else stream
        self.interval = interval
        self.live = self.stream.isatty()
        self.began = time.perf_counter()
        self.last_line = self.began
        self.display = self.task = None
        if self.live:
            self._start_display()

    def _start_display(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.display = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows, {task.fields[rate]:,.0f} rows/s{task.fields[loss]}"),
            TimeElapsedColumn(),
            console=Console(file=self.stream),
            transient=False,
        )
        self.display.start()

    def start(self, label, total=None):
        """A pass over the data begins."""
        self.label, self.total = label, total
        self.pass_began = time.perf_counter()
        if self.display is not None:
            self.task = self.display.add_task(label, total=total, rate=0.0, loss="")

    def advance(self, rows, loss=None):
        """``rows`` rows of the current pass are done; ``loss`` is its loss so far."""
        now = time.perf_counter()
        rate = rows / max(now - self.pass_began, 1e-9)
        if self.display is not None:
            self.display.update(
                self.task, completed=rows, rate=rate, loss=_loss_text(loss)
            )
        elif now - self.last_line >= self.interval:
            self.last_line = now
            of = f"/{self.total:,}" if self.total else ""
            self.stream.write(
                f"{self.label}: {rows:,}{of} rows, {rate:,.0f} rows/s"
                f"{_loss_text(loss)}\n"
            )
            self.stream.flush()

    def finish(self, rows, loss=None):
        """The current pass is done."""
        self.advance(rows, loss)
        seconds = time.perf_counter() - self.pass_began
        self.rows, self.rate, self.loss = rows, rows / max(seconds, 1e-9), loss

    def stop(self):
        """End the live display, if any; safe to call more than once."""
        if self.display is not None:
            self.display.stop()
            self.display = None

    def summarize(self, summary):
        """Write ``summary`` and the last pass's figures as the closing line."""
        self.stop()
        seconds = time.perf_counter() - self.began
        self.stream.write(
            f"{summary} in {seconds:.2f} s: {self.rows:,} rows a pass, "
            f"{self.rate:,.0f} rows/s{_loss_text(self.loss)}\n"
        )
        self.stream.flush()


def _loss_text(loss):
    return "" if loss is None else f", loss {loss:.6g}"

"""Progbar: a Keras-style text progress bar; print_msg: messages that share its stream.

    Epoch 3/10
    123/469 ━━━━━━━━━━──────────────────── 1s (ETA 2s) 4ms/step 31,250 samples/s - loss: 0.2875

On a terminal the bar redraws in place ('\\r'), at most every `interval` seconds. On any
other stream (a log file, a CI console) it writes one line when it finishes, so logs are not
filled with redraws. verbose=2 writes that one summary line, without the bar, everywhere.
"""
import shutil
import sys
import time

__all__ = ["Progbar", "print_msg"]

# The stream whose last line a live bar left unfinished; print_msg ends that line first.
_open_line = None


def _resolve(stream):
    # Looked up at call time, so redirection (pytest's capsys, contextlib.redirect_stdout)
    # is honoured.
    return sys.stdout if stream is None else stream


def _isatty(stream):
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


def print_msg(message, stream=None):
    """Writes `message` as a line, to sys.stdout unless a stream is given."""
    global _open_line
    stream = _resolve(stream)
    if _open_line is stream:
        stream.write("\n")
        _open_line = None
    stream.write(f"{message}\n")
    stream.flush()


def _bar_glyphs(stream):
    # Consoles with a legacy code page cannot encode box-drawing characters.
    try:
        "━─".encode(getattr(stream, "encoding", None) or "utf-8")
        return "━", "─"
    except (UnicodeEncodeError, LookupError):
        return "=", "."


def _format_duration(seconds):
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{seconds:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def _format_per_unit(seconds, unit_name):
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_rate(rate):
    if rate >= 100:
        return f"{rate:,.0f}"
    return f"{rate:.1f}" if rate >= 10 else f"{rate:.2f}"


def _is_number(value):
    if isinstance(value, (str, bytes)):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _format_value(value):
    if not _is_number(value):
        return str(value)
    value = float(value)
    # Four decimals, switching to scientific notation where they would show only zeros.
    return f"{value:.4f}" if value == 0 or not abs(value) < 1e-3 else f"{value:.4e}"


class Progbar:
    """A progress bar for `target` steps (None when the count is unknown).

    ``update(current, values)`` reports that `current` steps are done; ``add(n, values)``
    advances by n. `values` is a list of (name, value) pairs: each is averaged over the
    steps it was reported for, except names in `stateful_metrics`, shown as given.

    verbose: 0 silent, 1 a live bar (one final line when not on a terminal), 2 one summary
    line when finished. Keyword-only extras: `batch_size` (samples per step, to show
    throughput in samples/s), `samples` (the total, so a short last batch is counted right),
    `title` (e.g. 'Epoch 3/10': its own line above a live bar, else the summary's prefix),
    `stream` (default: sys.stdout at the time of writing).
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step", *, batch_size=None, samples=None, title=None, stream=None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self.batch_size = batch_size
        self.samples = samples
        self.title = title
        self.stream = stream
        self._values = {}        # name -> [weighted sum, weight]
        self._seen = 0
        self._start = time.perf_counter()
        self._first = None       # (steps, time) of the first update: later updates time
        self._last_draw = None   # steps from there, leaving out first-step warm-up
        self._drawn_width = 0
        if self.title and self._dynamic(_resolve(stream)):
            print_msg(self.title, stream)

    def _dynamic(self, stream):
        return self.verbose == 1 and _isatty(stream)

    def add(self, n, values=None):
        """Advances by `n` steps."""
        self.update(self._seen + n, values)

    def update(self, current, values=None, finalize=None):
        """Records that `current` steps are done and redraws; `finalize` (default: whether
        the target is reached) ends the bar's line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        step_weight = max(current - self._seen, 1)
        for name, value in values or ():
            if name in self.stateful_metrics or not _is_number(value):
                self._values[name] = [value, 1]
            elif name in self._values:
                self._values[name][0] += float(value) * step_weight
                self._values[name][1] += step_weight
            else:
                self._values[name] = [float(value) * step_weight, step_weight]
        self._seen = current
        now = time.perf_counter()
        if self._first is None:
            self._first = (current, now)
        if not self.verbose:
            return

        global _open_line
        stream = _resolve(self.stream)
        if self._dynamic(stream):
            at_target = self.target is not None and current >= self.target
            if (not finalize and not at_target and self._last_draw is not None
                    and now - self._last_draw < self.interval):
                return
            line = self._line(current, now, finalize, self.width)
            if not finalize:
                # '\r' cannot redraw a line the terminal wrapped: shorten the bar, then cut.
                room = max(shutil.get_terminal_size().columns - 1, 20)
                if len(line) > room and self.target:
                    narrower = max(self.width - (len(line) - room), 10)
                    line = self._line(current, now, finalize, narrower)
                line = line[:room]
            stream.write("\r" + line.ljust(self._drawn_width) + ("\n" if finalize else ""))
            self._drawn_width = len(line)
            _open_line = None if finalize else stream
        elif finalize:
            line = self._line(current, now, True, self.width if self.verbose == 1 else 0)
            if self.title:
                line = f"{self.title} - {line}"
            stream.write(line + "\n")
        else:
            return
        self._last_draw = now
        stream.flush()

    def _time_per_unit(self, current, now):
        first_steps, first_time = self._first
        if current > first_steps:
            return (now - first_time) / (current - first_steps)
        return (now - self._start) / current if current else 0.0

    def _line(self, current, now, finalize, bar_width):
        if self.target is not None:
            digits = len(str(self.target))
            parts = [f"{current:>{digits}}/{self.target}"]
        else:
            parts = [f"{current}/Unknown"]
        if bar_width and self.target:
            done_glyph, todo_glyph = _bar_glyphs(_resolve(self.stream))
            done = int(bar_width * min(current / self.target, 1.0))
            parts.append(done_glyph * done + todo_glyph * (bar_width - done))

        elapsed = now - self._start
        timing = _format_duration(elapsed)
        per_unit = self._time_per_unit(current, now)
        if not finalize and self.target is not None and current < self.target:
            timing += f" (ETA {_format_duration(per_unit * (self.target - current))})"
        parts.append(timing)
        if current:
            parts.append(_format_per_unit(per_unit, self.unit_name))
        if self.batch_size and elapsed > 0 and current:
            seen = current * self.batch_size
            if self.samples:
                seen = min(seen, self.samples)
            parts.append(f"{_format_rate(seen / elapsed)} samples/s")

        head = (" " if bar_width else " - ").join(parts)
        shown = [f"{name}: {_format_value(total if weight == 1 else total / weight)}"
                 for name, (total, weight) in self._values.items()]
        return " - ".join([head] + shown)

"""The demo in the terminal, with rich: a progress bar, the gates, and two charts drawn in text."""
import contextlib
import math

from rich.color import Color
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.style import Style
from rich.table import Table
from rich.text import Text

from demo.measure import unit_title

BAR = 18          # width of a chart bar, in characters
ROWS = (("i", "input gate"), ("f", "forget gate"), ("o", "output gate"), ("c", "cell state"))


def _gate_style(value):
    """Dark for a shut gate, bright yellow for an open one."""
    v = min(max(value, 0.0), 1.0)
    colour = Color.from_rgb(30 + 220 * v, 30 + 180 * v, 60 - 30 * v)
    return Style(color="black" if v > 0.55 else "white", bgcolor=colour)


def _cell_style(value, scale):
    """Blue for negative, red for positive, white near zero."""
    v = max(-1.0, min(1.0, value / scale)) if scale else 0.0
    fade = 255 * (1 - abs(v))
    colour = Color.from_rgb(255, fade, fade) if v > 0 else Color.from_rgb(fade, fade, 255)
    return Style(color="black", bgcolor=colour)


class Advance:
    """Moves the progress bar one training step per call."""

    def __init__(self, progress, task):
        self.progress, self.task = progress, task

    def __call__(self):
        self.progress.advance(self.task)

    def describe(self, text):
        self.progress.update(self.task, description=text)


class View:
    def __init__(self, console=None):
        self.console = console or Console(highlight=False)

    def intro(self, whose):
        self.console.rule("[bold]lstm-kit demo: does your LSTM remember Sarah?")
        self.console.print(whose)

    def note(self, text):
        self.console.print(text, style="dim")

    @contextlib.contextmanager
    def progress(self, total):
        columns = (TextColumn("{task.description:<26}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console) as progress:
            yield Advance(progress, progress.add_task("training", total=total))

    def show(self, r):
        out = self.console
        out.print("\n" + headline(r), style="bold")
        out.print(f"Trained a plain RNN and an LSTM (H = {r.hidden}, {r.steps} steps each, the same "
                  f"train) on sentences with 5 to 20 fillers. Held-out accuracy: RNN {r.accuracy['rnn']:.1%}, "
                  f"LSTM {r.accuracy['lstm']:.1%}. " + _mixed_text(r.accuracy))
        out.rule("1. The gates at work")
        out.print(f"The LSTM reads \"{' '.join(r.tokens)}\" (and the same with John). Shown: the "
                  f"{len(r.units)} hidden units that do most to tell \"she\" from \"he\".")
        self.draw_gates(r)
        out.print(Text(r.summary, style="italic"))
        out.rule("2. The bucket brigade")
        out.print("How much of a unit-sized gradient at the last word survives the trip back to the first "
                  "word, k fillers earlier (median over 64 sentences, log scale, trained models):")
        self.draw_reach(r)
        out.print(" ".join(f"{cell.upper()}: x{_per_word(r.reach[cell]):.2f} per word on average."
                           for cell in ("rnn", "lstm")))
        out.rule("3. Accuracy against distance")
        out.print("A fresh RNN and LSTM trained on sentences with exactly k fillers (no short ones to "
                  "learn from first), the same budget for both, tested on new sentences. 50% is a coin toss.")
        self.draw_accuracy(r)
        out.print(" ".join(_longest_text(cell, r.by_distance) for cell in ("rnn", "lstm")))

    # The three pictures, drawn in text; a notebook's view draws them as figures instead.

    def draw_gates(self, r):
        """Each unit's gates as a table, then the story's claims checked on that unit."""
        for (unit, share), checks, happened in zip(r.units, r.findings, r.happened):
            self.console.print(self.gate_table(r, unit, share))
            self.print_story(checks, happened)

    def draw_reach(self, r):
        self.console.print(self.reach_chart(r.reach))

    def draw_accuracy(self, r):
        self.console.print(self.accuracy_chart(r.by_distance))

    def print_story(self, checks, happened):
        """One unit's claims, each with its numbers and what "yes" takes, then what the unit did."""
        for f in checks:
            mark = Text("  yes  ", style="bold green") if f.holds else Text("  no   ", style="bold red")
            self.console.print(mark + Text(f"{f.claim}: {f.evidence}") + Text(f" ({f.criterion})", style="dim"))
        self.console.print(Text(f"  {happened[1]}", style="italic"))

    def gate_table(self, r, unit, share):
        table = Table(title=unit_title(unit, share), title_justify="left",
                      show_edge=False, pad_edge=False, padding=(0, 1))
        table.add_column("")
        for token in r.tokens:
            table.add_column(token, justify="center")
        scale = max(abs(r.sarah["c"][:, unit]).max(), abs(r.john["c"][:, unit]).max())
        for key, label in ROWS:
            values = r.sarah[key][:, unit]
            styled = [_cell_style(v, scale) if key == "c" else _gate_style(v) for v in values]
            table.add_row(label, *(Text(f"{v:+.2f}" if key == "c" else f"{v:.2f}", style=s)
                                   for v, s in zip(values, styled)))
        john = r.john["c"][:, unit]
        table.add_row("cell, John", *(Text(f"{v:+.2f}", style=_cell_style(v, scale)) for v in john))
        return table

    def reach_chart(self, reach):
        values = [v for rows in reach.values() for _, v in rows if v > 0]
        lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        table = Table(show_edge=False, box=None, padding=(0, 1))
        table.add_column("k", justify="right")
        for cell, colour in (("rnn", "red"), ("lstm", "green")):
            table.add_column(f"{cell.upper()}  (log: 1e{lo} .. 1e{hi})", style=colour, no_wrap=True)
        for (k, rnn), (_, lstm) in zip(reach["rnn"], reach["lstm"]):
            table.add_row(str(k), *(_log_bar(v, lo, hi) for v in (rnn, lstm)))
        return table

    def accuracy_chart(self, by_distance):
        table = Table(show_edge=False, box=None, padding=(0, 1))
        table.add_column("k", justify="right")
        table.add_column("RNN  (50% .. 100%)", style="red", no_wrap=True)
        table.add_column("LSTM  (50% .. 100%)", style="green", no_wrap=True)
        for k, accuracy in by_distance:
            table.add_row(str(k), *(_bar((accuracy[cell] - 0.5) / 0.5, f"{accuracy[cell]:.0%}")
                                    for cell in ("rnn", "lstm")))
        return table


def headline(r):
    """The demo's first line: the two results that tell the LSTM from the RNN, at the longest
    distances measured, whichever way they came out."""
    k, accuracy = r.by_distance[-1]
    rnn, lstm = accuracy["rnn"], accuracy["lstm"]
    if lstm - rnn >= 0.1:
        said = (f"At k = {k} fillers the LSTM labels {lstm:.0%} of new sentences right, the plain RNN {rnn:.0%} "
                f"(50% is a coin toss).")
    elif rnn - lstm >= 0.1:
        said = f"At k = {k} fillers the plain RNN did better than the LSTM on this run: {rnn:.0%} against {lstm:.0%}."
    else:
        budget = " with this budget (try more --steps)" if max(rnn, lstm) < 0.9 else ""
        said = f"At k = {k} fillers the two are level{budget}: RNN {rnn:.0%}, LSTM {lstm:.0%} (50% is a coin toss)."
    (far, rnn_reach), (_, lstm_reach) = r.reach["rnn"][-1], r.reach["lstm"][-1]
    said += f" Of a gradient sent back from the blank over {far} fillers, {lstm_reach:.1e} reaches the name in the LSTM"
    if rnn_reach > 0 and lstm_reach >= 10 * rnn_reach:
        return said + f", {rnn_reach:.1e} in the RNN: about 10^{math.log10(lstm_reach / rnn_reach):.0f} times as much."
    return said + f" and {rnn_reach:.1e} in the RNN."


def _mixed_text(accuracy, good=0.9):
    if accuracy["rnn"] >= good and accuracy["lstm"] >= good:
        return ("With short sentences in the mix, a plain RNN learns this too; sections 2 and 3 show "
                "where it stops.")
    if accuracy["lstm"] >= good:
        return "The plain RNN did not learn it with this budget; the LSTM did."
    return "Neither model reached 90% with this budget: try more --steps."


def _per_word(rows):
    """The average factor the gradient shrinks by per extra word, from the first and last k."""
    (k0, v0), (k1, v1) = rows[0], rows[-1]
    return (v1 / v0) ** (1 / (k1 - k0)) if v0 > 0 and v1 > 0 and k1 != k0 else 0.0


def _longest_text(cell, by_distance, good=0.9):
    passed = [str(k) for k, accuracy in by_distance if accuracy[cell] >= good]
    return f"The {cell.upper()} reached {good:.0%} at k = {', '.join(passed) if passed else 'none of these'}."


def _bar(fraction, label):
    n = round(BAR * min(max(fraction, 0.0), 1.0))
    return f"{'█' * n}{'·' * (BAR - n)} {label:>7}"


def _log_bar(value, lo, hi):
    if value <= 0:
        return _bar(0, "0")
    return _bar((math.log10(value) - lo) / (hi - lo or 1), f"{value:.1e}")

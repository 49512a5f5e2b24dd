"""lstm-kit in a notebook: ``from lstm_kit import check, hint, show_memory``.

``check("forget_gate")`` grades one step, ``check()`` every step up to the first one not passing,
``hint()`` shows the next hint for the step you are on, and ``show_memory()`` trains your LSTM
and draws why it remembers. See grader/commands/check.py.
"""
from grader.commands.check import check, hint, show_memory

__all__ = ["check", "hint", "show_memory"]

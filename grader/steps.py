"""The graded path: every step, the file it lives in, and the steps it builds on.

Points are not kept here: each test carries its own (``@pytest.mark.step(name, points=...)``),
so an instructor can re-weight a path by editing tests alone.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    name: str          # the function the learner writes
    file: str          # where it lives in the submission folder
    requires: tuple = ()  # steps whose failure makes this one's failure expected


STEPS = tuple(Step(n, *fields) for n, fields in enumerate([
    ("sigmoid", "gates.py"),
    ("forget_gate", "gates.py", ("sigmoid",)),
    ("input_gate", "gates.py", ("sigmoid",)),
    ("candidate", "gates.py"),
    ("cell_update", "gates.py"),
    ("output_gate", "gates.py", ("sigmoid",)),
    ("hidden_state", "gates.py"),
    ("lstm_step_forward", "cell.py", ("sigmoid",)),
    ("lstm_step_backward", "cell.py", ("lstm_step_forward",)),
    ("lstm_forward", "sequence.py", ("lstm_step_forward",)),
    ("lstm_backward", "sequence.py", ("lstm_forward", "lstm_step_backward")),
], start=1))

BY_NAME = {step.name: step for step in STEPS}
FILES = tuple(dict.fromkeys(step.file for step in STEPS))


def module_of(function_name):
    """The module (file name without .py) that defines a step's function."""
    return BY_NAME[function_name].file[:-3]

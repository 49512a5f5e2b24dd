"""The graded path: every step, the file it lives in, and the steps it builds on.

Points are not kept here: each test carries its own (``@pytest.mark.step(name, points=...)``),
so an instructor can re-weight a path by editing tests alone.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int
    name: str          # the step's name; also the function the learner writes, unless `functions` says otherwise
    file: str          # where it lives in the submission folder
    requires: tuple = ()  # steps whose failure makes this one's failure expected
    functions: tuple = ()  # the functions the learner writes in this step (default: just `name`)

    def __post_init__(self):
        if not self.functions:
            object.__setattr__(self, "functions", (self.name,))


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
    ("rnn_step", "memory.py", (), ("rnn_step_forward", "rnn_step_backward")),
    ("classifier_loss", "memory.py", ("lstm_forward", "lstm_backward")),
    ("train", "memory.py", ("classifier_loss",)),
], start=1))

BY_NAME = {step.name: step for step in STEPS}
BY_FUNCTION = {function: step for step in STEPS for function in step.functions}
FILES = tuple(dict.fromkeys(step.file for step in STEPS))


def builds_on(step):
    """Every step that ``step`` (a name) builds on, directly or through another, in path order."""
    found, todo = set(), list(BY_NAME[step].requires)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(BY_NAME[name].requires)
    return sorted(found, key=lambda name: BY_NAME[name].number)


def module_of(function_name):
    """The module (file name without .py) that defines a step's function."""
    return BY_FUNCTION[function_name].file[:-3]


def functions_text(step):
    """The step's functions as a learner reads them: "sigmoid()", "a() and b()"."""
    return " and ".join(f"{function}()" for function in step.functions)

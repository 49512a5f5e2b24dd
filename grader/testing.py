"""What a graded test needs from the grader, in one import: ``from grader.testing import ...``.

The public tests (tests/steps) and hidden ones (tests/hidden, an instructor's own) import
nothing else of the grader. Guide: docs/writing-tests.md.

- Inputs: ``SEEDS`` (the public seeds), ``sizes(seed) -> (N, T, D, H)``, ``describe(seed)``,
  and the makers ``gate_args``, ``cell_update_args``, ``hidden_state_args``, ``step_args``,
  ``sequence_args``, ``classifier_args`` and ``upstream``. A seed outside the public and square
  ones draws a new non-square shape of its own.
- Checks, each raising ``CheckFailed`` with the learner's message: ``expect_array``,
  ``expect_numbers`` (a list of numbers, 0-d arrays or NumPy scalars is as good as an array),
  ``expect_close``, ``expect_all_close``, ``expect_tuple``, ``expect_inputs_kept``,
  ``expect_matches_reference``; ``expect_keeps_inputs``, ``expect_backward_keeps_inputs`` and
  ``expect_inputs_kept_while`` are a step's check of its own that its functions leave their
  inputs unchanged (the value and gradient checks judge the math alone); ``noted`` adds a note
  to a failure, ``mistake_failed`` names a catalogued mistake, ``recorded`` keeps what a check
  looked at so the grader can name one.
  ``TIME`` and ``GATES`` say what an axis means in ``axes``; ``type_name`` names what a value is
  as the learner wrote it (for a message).
- Backward passes: ``expect_backward`` (gradients against central differences of the reference's
  forward, once the learner's matches it) and ``expect_backward_matches_reference``; the
  lower-level ``gradient_check`` takes the reference's forward, or an explicit
  ``without_reference=True``.
- The pronoun task (``tasks``: batches, starting weights, accuracy), for the training step.
"""
from grader.course import tasks
from grader.course.inputs import (
    SEEDS,
    SQUARE_SEED,
    cell_update_args,
    classifier_args,
    describe,
    gate_args,
    hidden_state_args,
    sequence_args,
    sizes,
    step_args,
    upstream,
)
from grader.judge.checks import (
    ATOL,
    GATES,
    RTOL,
    TIME,
    CheckFailed,
    expect_all_close,
    expect_array,
    expect_close,
    expect_inputs_kept,
    expect_matches_reference,
    expect_numbers,
    expect_tuple,
    mistake_failed,
    noted,
    type_name,
)
from grader.judge.evidence import recorded
from grader.judge.gradients import (
    BACKWARDS,
    GRAD_TOL,
    expect_backward,
    expect_backward_matches_reference,
    gradient_check,
)
from grader.judge.side_effects import expect_backward_keeps_inputs, expect_inputs_kept_while, expect_keeps_inputs

__all__ = [
    "SEEDS", "SQUARE_SEED", "sizes", "describe", "gate_args", "cell_update_args", "hidden_state_args", "step_args",
    "sequence_args", "classifier_args", "upstream",
    "RTOL", "ATOL", "TIME", "GATES", "CheckFailed", "expect_array", "expect_numbers", "expect_close",
    "expect_all_close", "expect_tuple", "expect_inputs_kept", "expect_matches_reference", "expect_keeps_inputs",
    "expect_backward_keeps_inputs", "expect_inputs_kept_while", "noted", "mistake_failed", "recorded", "type_name",
    "GRAD_TOL", "BACKWARDS", "expect_backward", "expect_backward_matches_reference", "gradient_check",
    "tasks",
]

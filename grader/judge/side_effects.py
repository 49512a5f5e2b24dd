"""A step's check that its functions keep their inputs, apart from the checks of their values.

Changing an input in place is a real fault (the caller's array changes, and a second call gives
another answer), but a small one beside wrong math. The worker runs every call on its own copy
of the inputs, so the value and gradient checks judge the math alone, and a step's side-effect
check, worth a small share of it, fails on the side effect, saying whether the values were
right. That check also wants the values right on its inputs, so a function that is wrong earns
nothing from it either. Whether an input changed is judged here, in the grader's process: the
worker sends back each array argument, and each dict of arrays (``params``), as the call left
it, and ``changed_inputs`` compares them with what the grader sent. The worker's own word
(``mutated``) is not taken, so a submission that patches NumPy's comparisons in the worker hides
nothing.
"""
import numpy as np

from grader.judge.checks import CheckFailed, expect_inputs_kept, expect_matches_reference
from grader.judge.gradients import _pair, expect_backward_matches_reference


def _same_array(sent, left):
    return (isinstance(left, np.ndarray) and left.shape == sent.shape and left.dtype == sent.dtype
            and np.array_equal(left, sent, equal_nan=sent.dtype.kind in "fc"))


def _kept(sent, left):
    """Whether an argument the call was sent is as it was: an array, or a dict of them (params)."""
    if isinstance(sent, np.ndarray):
        return _same_array(sent, left)
    if isinstance(sent, dict) and sent and all(isinstance(v, np.ndarray) for v in sent.values()):
        return (isinstance(left, dict) and left.keys() == sent.keys()
                and all(_same_array(v, left[k]) for k, v in sent.items()))
    return True  # nothing the worker sends back: not compared


def changed_inputs(sent, after):
    """Indices of the arguments ``sent`` that the call changed, by the worker's ``after`` (each
    argument as the call left it). A reply without a well-formed ``after`` counts every array
    argument as changed: the check fails closed."""
    if not isinstance(after, list) or len(after) != len(sent):
        after = [None] * len(sent)
    return [k for k, (a, b) in enumerate(zip(sent, after)) if not _kept(a, b)]


class _Watched:
    """A learner's function that keeps its last reply to a call, with the inputs that call changed
    judged in the grader's process, so they can be reported after the check of its values."""

    def __init__(self, function):
        self.function, self.name, self.reply = function, function.name, None

    def call(self, *args, keep=()):
        self.reply = self.function.call(*args, keep=keep, inputs_back=True)
        self.reply["mutated"] = changed_inputs(args, self.reply.pop("after", None))
        return self.reply

    def __call__(self, *args, keep=()):
        return self.call(*args, keep=keep)["value"]

    def __getattr__(self, name):  # is_stub, perturbed: as the function's own
        return getattr(self.function, name)


class _Watching:
    """A submission whose function ``watched`` is a ``_Watched``; its other functions as they are."""

    def __init__(self, submission, watched):
        self._submission, self.watched = submission, watched

    def __getattr__(self, name):
        return self.watched if name == self.watched.name else getattr(self._submission, name)


def _judge(check_values, watched, arg_names):
    """Runs ``check_values()``, which calls ``watched``; then an input that call changed fails
    the check, saying whether the values were right; else a failure of the values is the verdict."""
    try:
        check_values()
    except CheckFailed:
        if watched.reply is not None:  # None: the check failed before the call (its forward was wrong)
            expect_inputs_kept(watched.reply, watched.name, arg_names)
        raise
    expect_inputs_kept(watched.reply, watched.name, arg_names, values_right=True)


def expect_inputs_kept_while(function, arg_names, check):
    """``check(f)`` judges the values of the learner's ``function`` through ``f``, which stands
    for it and keeps its last reply; then the inputs of that last call must be as they were
    (``arg_names`` names them). For a function the two below do not fit, such as one returning
    a dict: ``expect_inputs_kept_while(submission.classifier_loss, names, my_value_check)``."""
    watched = _Watched(function)
    _judge(lambda: check(watched), watched, arg_names)


def expect_keeps_inputs(function, reference, args, arg_names, out_names, axes=None, keep=()):
    """``expect_matches_reference`` with the same arguments, then the learner's ``function``
    must have left ``args`` as they were: a step's check of side effects."""
    expect_inputs_kept_while(function, arg_names, lambda f: expect_matches_reference(
        f, reference, args, arg_names, out_names, axes, keep))


def expect_backward_keeps_inputs(submission, reference, backward, args, douts):
    """``expect_backward_matches_reference`` with the same arguments, then the learner's
    ``backward`` (say, "lstm_step_backward") must have left its upstream gradients ``douts`` as
    they were (the forward's own inputs are its own step's to check)."""
    pair = _pair(backward, "expect_backward_keeps_inputs", args, douts)
    watched = _Watched(getattr(submission, backward))
    _judge(lambda: expect_backward_matches_reference(_Watching(submission, watched), reference, backward, args, douts),
           watched, (*pair.upstream, "cache"))

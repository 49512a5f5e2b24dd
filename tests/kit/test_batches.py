"""A gradient check's batch of evaluations of a learner's function, with a real worker: a function
slow but within the call limit on each call gets every output, however many evaluations the
batch holds; a function slow on one call is told how long that call took; an endless loop on
any of the evaluations is stopped within the call limit, and the run's time limit still holds.
The graded case is test_handout.py's, where every gradient check batches the learner's forward."""
import re
import subprocess
import time

import numpy as np
import pytest

from grader.sandbox.client import NotJudged, Submission, TimedOut, Worker
from grader.sandbox.perturb import perturbed_outputs

LIMIT = 1.0   # seconds per call
SLOW = 0.02   # seconds per call of a slow but correct function: 100 of them take twice the limit
SLOWER = 0.4  # seconds per call of one slow on each call: under the limit, over the allowance
GATES = f'''
import time

import numpy as np

def forward(x, W):
    return np.tanh(x @ W)

def forget_gate(x, W):  # slow but correct
    time.sleep({SLOW})
    return forward(x, W)

def input_gate(x, W):  # slow on one call
    time.sleep({SLOWER})
    return forward(x, W)

calls = [0]

def candidate(x, W):  # an endless loop from its 21st call on
    calls[0] += 1
    while calls[0] > 20:
        pass
    return forward(x, W)

first = []

def output_gate(x, W):  # an endless loop on any input but the first it sees
    first.append(first[0] if first else x.copy())
    while not np.array_equal(x, first[0]):
        pass
    return forward(x, W)
'''


@pytest.fixture(scope="module")
def submission(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batches")
    (folder / "gates.py").write_text(GATES)
    worker = Worker(str(folder), timeout=LIMIT)
    yield Submission(worker)
    worker.close()


def inputs():
    rng = np.random.default_rng(0)
    x, W = rng.standard_normal((4, 5)), rng.standard_normal((5, 6))
    moves = [(k, j, sign * 1e-5) for k, a in enumerate((x, W)) for j in range(a.size) for sign in (1, -1)]
    return [x, W], moves  # 100 moves


def timed(call):
    started = time.monotonic()
    try:
        return call(), time.monotonic() - started
    except Exception as exc:
        return exc, time.monotonic() - started


def test_a_slow_but_correct_function_gets_every_output(submission):
    args, moves = inputs()
    got, seconds = timed(lambda: submission.forget_gate.perturbed(args, moves, [None]))
    assert not isinstance(got, Exception), got
    assert seconds > len(moves) * SLOW > LIMIT  # more than one call may take, in all
    want = perturbed_outputs(lambda a: np.tanh(a[0] @ a[1]), args, moves, [None])
    assert len(got) == 1 and np.array_equal(got[0], want[0])


def test_a_function_slow_on_one_call_is_told_how_long_it_took(submission):
    args, moves = inputs()
    failure, seconds = timed(lambda: submission.input_gate.perturbed(args, moves, [None]))
    assert isinstance(failure, TimedOut), failure
    message = str(failure)
    took = re.match(r"input_gate took ([0-9.]+) s a call on the gradient check's evaluations", message)
    assert took and SLOWER <= float(took.group(1)) < LIMIT, message  # its sleep, and what a loaded machine adds
    assert "make input_gate faster" in message and "endless loop" not in message
    assert seconds < 5 * SLOWER  # told after its first few evaluations, not after all of them


def test_an_endless_loop_after_some_evaluations_is_stopped_within_the_call_limit(submission):
    args, moves = inputs()
    failure, seconds = timed(lambda: submission.candidate.perturbed(args, moves, [None]))
    assert isinstance(failure, TimedOut), failure
    assert "candidate did not answer within 1 s: is there an endless loop?" in str(failure)
    assert "of the gradient check's 100 evaluations, after 16 that took" in str(failure)
    assert seconds < LIMIT + 4  # the call limit, and a loaded machine's slack


def test_an_endless_loop_on_the_first_evaluation_is_stopped_within_the_call_limit(submission):
    args, moves = inputs()
    submission.output_gate(*args)  # the plain call, right, as a gradient check makes first
    failure, seconds = timed(lambda: submission.output_gate.perturbed(args, moves, [None]))
    assert isinstance(failure, TimedOut), failure
    assert str(failure).endswith("is there an endless loop? (on the gradient check's first evaluation, its "
                                 "inputs with one entry moved)")
    assert seconds < LIMIT + 4


def test_the_runs_time_limit_still_holds(submission):
    args, moves = inputs()
    ending = Submission(submission.worker, deadline=time.monotonic() + LIMIT)
    failure, seconds = timed(lambda: ending.forget_gate.perturbed(args, moves, [None]))
    assert isinstance(failure, NotJudged) and "time limit for the whole run" in str(failure), failure
    assert seconds < LIMIT + 2


def test_a_child_the_host_had_before_the_worker_does_not_cost_it_its_state(tmp_path):
    """The grader is a subreaper, so a process it adopts after a call (one the call detached)
    gets a fresh worker. A child of the host from before the worker started (a notebook
    kernel's, or the orphans of an earlier test's browser) is not one: the worker, and what its
    module keeps between calls, stay."""
    (tmp_path / "gates.py").write_text(GATES)
    older = subprocess.Popen(["sleep", "60"])
    worker = Worker(str(tmp_path), timeout=LIMIT)
    try:
        args, _ = inputs()
        submission = Submission(worker)
        submission.output_gate(*args)  # output_gate keeps the first input it sees
        assert worker.proc is not None, "the worker was ended after its first call"
        first = worker.proc.pid
        assert np.array_equal(submission.output_gate(*args), np.tanh(args[0] @ args[1]))
        assert worker.proc is not None and worker.proc.pid == first
    finally:
        worker.close()
        older.kill()
        older.wait()

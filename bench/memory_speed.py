"""How fast the reference LSTM runs, and how long the pronoun task takes to learn.

1. The reference's lstm_forward + lstm_backward at (N, T, D, H) = (32, 50, 64, 128), float64,
   beside the step-by-step loop the docstrings teach (tests/kit/as_taught.py) and, where torch
   is installed, torch.nn.LSTM's forward + backward. Target: the reference within 1.2x of
   torch. torch is never a dependency of the kit: `make bench-torch` runs this script in a
   venv of its own that has it.
2. The reference's train on the pronoun task (k from 5 to 20, as `make demo` trains it): wall time
   until held-out accuracy first reaches 95%. Target: under 10 s. Also the time of step 14's
   graded training run.

Figures are the best of several runs (the least disturbed by other work on the machine), in
milliseconds or seconds of wall-clock time; the implementations compared take turns, so a
burst of load hits them alike. BLAS (and torch) run on one thread, as in grading: two threads
gain little at these sizes and collapse when the other core is busy, which would make the
figures measure the machine's load instead of the code.
"""
import os
import sys
import time

from grader.kit import KIT_ROOT, use_one_blas_thread

use_one_blas_thread()  # before numpy loads

import numpy as np  # noqa: E402

from demo.models import REFERENCE, load_code, patched  # noqa: E402
from grader.course import tasks  # noqa: E402

SIZE = (32, 50, 64, 128)
RUNS = 15
FRAMEWORK_TARGET, TRAIN_TARGET = 1.2, 10.0


def best_ms(*fns, runs=RUNS):
    """The best time of each function in milliseconds, running them in turn."""
    times = [[] for _ in fns]
    for _ in range(runs + 1):  # the first round warms up
        for fn, kept in zip(fns, times):
            started = time.perf_counter()
            fn()
            kept.append(time.perf_counter() - started)
    return [1000 * min(kept[1:]) for kept in times]


def torch_step(x, dh):
    """A function running torch.nn.LSTM forward + backward at the same size, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    N, T, D = x.shape
    lstm = torch.nn.LSTM(D, dh.shape[2], batch_first=True).double()
    xt, dht = torch.tensor(x, requires_grad=True), torch.tensor(dh)

    def step():
        lstm.zero_grad()
        out, _ = lstm(xt)
        out.backward(dht)
    return step


def sequence_speed(code):
    N, T, D, H = SIZE
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, H))
    Wx, Wh, b = rng.standard_normal((D, 4 * H)) / 8, rng.standard_normal((H, 4 * H)) / 11, np.zeros(4 * H)
    dh = rng.standard_normal((N, T, H))

    def pair(forward, backward):
        def run():
            h, cache = forward(x, h0, Wx, Wh, b)
            return h, backward(dh, cache)
        return run

    sys.path.insert(0, os.path.join(KIT_ROOT, "tests", "kit"))
    import as_taught  # its cell functions are the reference's, which load_code imported as `cell`
    reference, taught = pair(code.lstm_forward, code.lstm_backward), pair(as_taught.lstm_forward, as_taught.lstm_backward)
    (h_ref, g_ref), (h_taught, g_taught) = reference(), taught()
    assert np.allclose(h_ref, h_taught) and all(np.allclose(a, b_) for a, b_ in zip(g_ref, g_taught)), \
        "the reference and the step-by-step loop must compute the same"
    framework = torch_step(x, dh)
    ref, loop, *tor = best_ms(reference, taught, *([framework] if framework else []))
    print(f"lstm_forward + lstm_backward at (N, T, D, H) = {SIZE}, float64, "
          f"BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"  reference (batched over time):                 {ref:7.1f} ms")
    print(f"  step by step, as the docstrings teach:         {loop:7.1f} ms")
    if not tor:
        print("  torch.nn.LSTM: not installed here, so the target is not judged; `make bench-torch` judges it")
        return
    print(f"  torch.nn.LSTM:                                 {tor[0]:7.1f} ms")
    ratio = ref / tor[0]
    print(f"  reference / torch: {ratio:.2f}x (target <= {FRAMEWORK_TARGET}x) -> "
          f"{'met' if ratio <= FRAMEWORK_TARGET else 'MISSED'}")


def time_to_target(code, data, held_out, hidden, steps, target=0.95, every=5):
    """(seconds, steps) until held-out accuracy first reaches ``target``, or None."""
    snapshots = []
    loss = code.memory.classifier_loss
    started = time.perf_counter()

    def recording(x, y, params):
        calls = len(snapshots) + 1
        snapshots.append((time.perf_counter() - started, {k: v.copy() for k, v in params.items()})
                         if calls % every == 0 else None)
        return loss(x, y, params)

    with patched(code.memory, classifier_loss=recording):
        code.memory.train(tasks.init_params(hidden, seed=0), data, steps, 0.01, 5.0)
    total = time.perf_counter() - started
    for step, snap in enumerate(snapshots, 1):
        if snap and tasks.accuracy(code.lstm_forward, snap[1], held_out) >= target:
            return snap[0], step - 1, total   # the params seen at a step are those after step - 1 updates
    return None, None, total


def training_speed(code):
    data, held_out = tasks.batches(64, 32, seed=1), tasks.batches(16, 64, seed=99)
    seconds, steps, total = time_to_target(code, data, held_out, hidden=16, steps=300)
    print("pronoun task, k from 5 to 20, H = 16, batch 32, Adam lr 0.01 (as `make demo` trains it)")
    if seconds is None:
        print(f"  95% held-out accuracy: NOT reached in 300 steps ({total:.2f} s) -> MISSED")
    else:
        print(f"  95% held-out accuracy after {steps} steps: {seconds:6.2f} s (target < {TRAIN_TARGET:g} s) -> "
              f"{'met' if seconds < TRAIN_TARGET else 'MISSED'}; all 300 steps: {total:.2f} s")
    sys.path.insert(0, os.path.join(KIT_ROOT, "tests", "steps"))
    from test_memory import TRAIN, pronoun_setup
    params, data, _ = pronoun_setup()
    [graded] = best_ms(lambda: code.memory.train(params, data, TRAIN["steps"], TRAIN["lr"], TRAIN["clip"]), runs=5)
    print(f"  step 14's graded run ({TRAIN['steps']} steps, H = {TRAIN['hidden']}, k from "
          f"{TRAIN['ks'][0]} to {TRAIN['ks'][-1]}): {graded / 1000:.2f} s")


def main():
    code = load_code(REFERENCE)
    sequence_speed(code)
    training_speed(code)


if __name__ == "__main__":
    main()

"""How long ``check()`` takes in a real Jupyter kernel, as a learner runs it from a cell.

The kernel defines the reference's functions from the learner's notebook's cells, then times,
inside the kernel: the first ``check("forget_gate")`` (the worker starts then), the same check
warm, and ``check()`` of all 14 steps warm. Targets: a warm one-step check under 0.3 s, a warm
check of every step under 1.5 s; the first check is reported.
"""
import os
import statistics
import tempfile

from grader.kit import KIT_ROOT, SOLUTIONS

ROUNDS = 7
ONE_STEP, EVERY_STEP = 0.3, 1.5
TIMED = 'import time as _t\n_s = _t.perf_counter()\n{call}\nprint("SECONDS", _t.perf_counter() - _s)'


def reference_cells():
    """The code cells of the learner's notebook with the reference in them, checks left out."""
    from instructor.notebook import notebook_for

    cells = notebook_for(SOLUTIONS)["cells"]
    return ["".join(c["source"]) for c in cells
            if c["cell_type"] == "code" and not c["id"].endswith("-check") and c["id"] not in ("check-all", "show-memory")]


class Kernel:
    """A kernel started as Jupyter starts one, with the kit importable."""

    def __init__(self, cwd):
        from jupyter_client.manager import start_new_kernel

        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [KIT_ROOT, os.environ.get("PYTHONPATH")])),
               "LSTM_KIT_STATE": os.path.join(cwd, "state.json")}
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=cwd, env=env)

    def run(self, code):
        """What the cell printed; raises if it failed."""
        printed, errors = [], []

        def output(message):
            content = message["content"]
            if message["msg_type"] == "stream":
                printed.append(content["text"])
            elif message["msg_type"] == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")
        self.client.execute_interactive(code, timeout=300, output_hook=output)
        if errors:
            raise RuntimeError(errors[0])
        return "".join(printed)

    def seconds(self, call):
        printed = self.run(TIMED.format(call=call))
        return float(printed.rsplit("SECONDS", 1)[1])

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def verdict(seconds, target):
    return f"{'met' if seconds < target else 'MISSED'} (target < {target} s)"


def main():
    try:
        import ipykernel  # noqa: F401
        import jupyter_client  # noqa: F401
    except ImportError as exc:
        print(f"check() in a notebook: skipped, {exc.name} is not installed (it comes with requirements-test.txt)")
        return
    print(f"check() in a real Jupyter kernel, the reference defined in its cells (median of {ROUNDS})")
    with tempfile.TemporaryDirectory() as tmp:
        kernel = Kernel(tmp)
        try:
            kernel.run("from lstm_kit import check")
            for code in reference_cells():
                kernel.run(code)
            first = kernel.seconds('check("forget_gate")')
            one = statistics.median(kernel.seconds('check("forget_gate")') for _ in range(ROUNDS))
            every = statistics.median(kernel.seconds("check()") for _ in range(ROUNDS))
        finally:
            kernel.close()
    print(f"  first check in a fresh kernel (starts the worker)   {first:6.3f} s")
    print(f"  check(\"forget_gate\"), warm                          {one:6.3f} s  -> {verdict(one, ONE_STEP)}")
    print(f"  check() of all 14 steps, warm                        {every:6.3f} s  -> {verdict(every, EVERY_STEP)}")
    print("  (timed inside the kernel, around the call: grading and the inline report)")


if __name__ == "__main__":
    main()

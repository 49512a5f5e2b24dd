"""The reference's outputs on a gradient check's moved inputs are kept for the next run: read back
when the reference and the batch are the same, made again when either changed or the file is
damaged, and never kept on disk for a function whose name does not say what it computes."""
import importlib.util
import os

import numpy as np
import pytest

from grader.judge import trusted_stacks as kept
from grader.sandbox.perturb import perturbed_outputs

SOURCE = "import numpy as np\n\n\ndef forward(x, w):\n    return np.tanh(x @ w){extra}\n"
MOVES = [(k, j, sign * 1e-5) for k in (0, 1) for j in range(6) for sign in (1, -1)]


def reference_in(folder, extra=""):
    """``forward`` of a reference file written to ``folder`` (``extra`` changes its bytes)."""
    folder.mkdir(exist_ok=True)
    path = folder / "ref.py"
    path.write_text(SOURCE.format(extra=extra))
    spec = importlib.util.spec_from_file_location(f"ref_{abs(hash((str(folder), extra)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.forward


def batch():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((2, 3)), rng.standard_normal((3, 2))]


def files(folder):
    cache = folder / kept.CACHE
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


@pytest.fixture
def fresh(monkeypatch):
    """No batch in memory; and ``computed``, the batches evaluated rather than read back."""
    monkeypatch.setattr(kept, "_memory", {})
    computed = []

    def counting(call, base, perturb, outputs):
        computed.append(len(perturb))
        return perturbed_outputs(call, base, perturb, outputs)
    monkeypatch.setattr(kept, "perturbed_outputs", counting)
    return computed


def test_a_batch_is_read_back_in_the_next_run_as_it_was_made(tmp_path, fresh):
    forward = reference_in(tmp_path / "solutions")
    made = kept.trusted_stacks(forward, batch(), MOVES, [None])
    assert fresh == [len(MOVES)] and len(files(tmp_path / "solutions")) == 1
    kept._memory.clear()  # as another process would start
    again = kept.trusted_stacks(forward, batch(), MOVES, [None])
    assert fresh == [len(MOVES)]  # read, not evaluated again
    assert np.array_equal(again[0], made[0]) and again[0].shape == (len(MOVES), 2, 2)
    assert np.array_equal(made[0], perturbed_outputs(lambda a: forward(*a), batch(), MOVES, [None])[0])
    mode = os.stat(tmp_path / "solutions" / kept.CACHE).st_mode & 0o777
    assert mode == 0o700  # the reference's derived data: its owner's alone


def test_another_reference_or_other_inputs_make_their_own(tmp_path, fresh):
    forward = reference_in(tmp_path / "solutions")
    kept.trusted_stacks(forward, batch(), MOVES, [None])
    moved = batch()
    moved[0][0, 0] = np.nextafter(moved[0][0, 0], np.inf)  # one bit
    kept.trusted_stacks(forward, moved, MOVES, [None])
    changed = reference_in(tmp_path / "solutions", extra=" * 2")
    kept._memory.clear()
    doubled = kept.trusted_stacks(changed, batch(), MOVES, [None])
    assert fresh == [len(MOVES)] * 3 and len(files(tmp_path / "solutions")) == 3
    assert np.allclose(doubled[0], 2 * perturbed_outputs(lambda a: forward(*a), batch(), MOVES, [None])[0])


def test_a_damaged_or_wrong_sized_file_is_made_again(tmp_path, fresh):
    forward = reference_in(tmp_path / "solutions")
    made = kept.trusted_stacks(forward, batch(), MOVES, [None])
    (name,) = files(tmp_path / "solutions")
    path = tmp_path / "solutions" / kept.CACHE / name
    path.write_bytes(path.read_bytes()[:100])
    kept._memory.clear()
    assert np.array_equal(kept.trusted_stacks(forward, batch(), MOVES, [None])[0], made[0])
    np.savez(path, s0=np.zeros((3, 2, 2)))  # readable, but not this batch's size
    kept._memory.clear()
    assert np.array_equal(kept.trusted_stacks(forward, batch(), MOVES, [None])[0], made[0])
    assert fresh == [len(MOVES)] * 3


def test_a_reference_folder_where_nothing_can_be_kept_still_grades(tmp_path, fresh):
    forward = reference_in(tmp_path / "solutions")
    (tmp_path / "solutions" / "__pycache__").write_text("a file where the folder would go")  # even root cannot write there
    for _ in range(2):
        kept._memory.clear()
        assert kept.trusted_stacks(forward, batch(), MOVES, [None])[0].shape == (len(MOVES), 2, 2)
    assert fresh == [len(MOVES)] * 2


def test_a_lambda_or_a_closure_is_kept_in_memory_only(tmp_path, fresh):
    forward = reference_in(tmp_path / "solutions")
    scale = 3.0
    for fn in (lambda x, w: forward(x, w), lambda x, w: scale * forward(x, w)):
        kept.trusted_stacks(fn, batch(), MOVES, [None])
    assert fresh == [len(MOVES)] * 2  # the two lambdas, named alike, never share a batch
    assert files(tmp_path / "solutions") == []


def test_past_its_size_the_cache_keeps_the_most_recently_used(tmp_path, fresh, monkeypatch):
    monkeypatch.setattr(kept, "ON_DISK", 2)
    forward = reference_in(tmp_path / "solutions")
    seen = set()
    for k in range(3):
        kept.trusted_stacks(forward, batch(), MOVES[: 2 * (k + 1)], [None])
        for name in set(files(tmp_path / "solutions")) - seen:  # the file just written: stamped in order of use
            os.utime(tmp_path / "solutions" / kept.CACHE / name, (1000 + k, 1000 + k))
            seen.add(name)
    assert len(files(tmp_path / "solutions")) == 2
    kept._memory.clear()
    kept.trusted_stacks(forward, batch(), MOVES[:4], [None])  # second used: still there
    kept.trusted_stacks(forward, batch(), MOVES[:2], [None])   # first used: gone, made again
    assert fresh == [2, 4, 6, 2]

"""The pronoun task's generator, `make demo` and `show_memory()`: the task is what it claims, the
story checks report what the numbers say, the terminal demo runs without the optional extras, and
in a notebook the same run shows its three pictures as figures, or as the terminal's tables."""
import os
import re
import subprocess
import sys
import types

import numpy as np
import pytest
from rich.console import Console

from demo import models, story
from demo.experiment import Settings
from demo.figures import NAMES, Picture
from demo.inline import NO_MATPLOTLIB, NotebookView, Stopped, run_apart, show_memory
from demo.measure import gradient_reach, trace_gates
from demo.models import REFERENCE, choose_folder, load_code
from demo.terminal import headline
from grader.course import tasks
from grader.course.steps import FILES
from grader.kit import KIT_ROOT

from conftest import ALL_STEPS, build_submission

# Runs the demo with matplotlib made unimportable, as on a machine without the optional extras.
WITHOUT_MATPLOTLIB = "import sys, runpy; sys.modules['matplotlib'] = None; runpy.run_module('demo', run_name='__main__')"
MODULES = tuple(name[:-3] for name in FILES)   # gates, cell, ...: the bare names a folder's code loads under
SIZES = {"steps": 60, "distances": (5, 30), "reach": (1, 10, 30)}
SMALL = ["--steps", "60", "--distances", "5,30", "--reach", "1,10,30"]   # SIZES, as python -m demo takes them


def run_demo(*args):
    return subprocess.run([sys.executable, "-c", WITHOUT_MATPLOTLIB, *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "100"})


def test_batches_are_seeded_and_labelled_by_the_first_name_only():
    first, again = tasks.batches(6, 16, ks=(3, 7), seed=4), tasks.batches(6, 16, ks=(3, 7), seed=4)
    for (x, y), (x2, y2) in zip(first, again):
        assert np.array_equal(x, x2) and np.array_equal(y, y2)
    for j, (x, y) in enumerate(first):
        k = (3, 7)[j % 2]
        assert x.shape == (16, k + 2, tasks.VOCAB_SIZE)
        assert np.array_equal(x.sum(axis=2), np.ones((16, k + 2)))            # one-hot
        tokens = [[tasks.VOCAB[i] for i in row] for row in x.argmax(axis=2)]
        assert all(t[-1] == tasks.BLANK for t in tokens)
        assert [tasks.label_of(t[0]) for t in tokens] == list(y)
    labels = np.concatenate([y for _, y in tasks.batches(10, 64, seed=5)])
    assert 0.4 < labels.mean() < 0.6                                           # both labels, about evenly


def test_fillers_can_hold_other_names_so_only_the_first_one_decides():
    x, y = tasks.batch(400, 12, np.random.default_rng(0))
    later_names = x[:, 1:-1, :len(tasks.FEMALE) + len(tasks.MALE)].sum(axis=(1, 2))   # names after the first
    assert 0.2 < np.mean(later_names > 0) < 1
    for label in (0, 1):   # distractors come as often whatever the label
        assert abs(np.mean(later_names[y == label] > 0) - np.mean(later_names > 0)) < 0.1


def test_task_rejects_what_it_cannot_encode():
    with pytest.raises(ValueError, match="one length"):
        tasks.encode([["Sarah", tasks.BLANK], ["John", "went", tasks.BLANK]])
    with pytest.raises(ValueError, match="not one of the task's names"):
        tasks.label_of("Zorro")


def _trace(T, H, **rows):
    trace = {name: np.full((T, H), 0.5) for name in "ifgoch"}
    for name, row in rows.items():
        trace[name][:, 0] = row
    return trace


def test_story_checks_report_what_the_gates_do():
    textbook = _trace(5, 2, i=[0.9, 0.1, 0.1, 0.1, 0.1], f=[0.5, 0.98, 0.97, 0.99, 0.9],
                      o=[0.2, 0.1, 0.2, 0.1, 0.95], c=[0.8, 0.8, 0.8, 0.8, 0.8])
    other = _trace(5, 2, c=[-0.8] * 5)
    assert [f.holds for f in story.findings(0, textbook, other)] == [True] * 4
    leaky = _trace(5, 2, i=[0.6] * 5, f=[0.5, 0.7, 0.6, 0.7, 0.9], o=[0.9] * 5, c=[0.8, 0.6, 0.5, 0.4, 0.3])
    assert [f.holds for f in story.findings(0, leaky, _trace(5, 2, c=[0.2] * 5))] == [False] * 4
    assert story.summary([story.findings(0, textbook, other)]).startswith("All 4 checks hold")
    assert story.summary([story.findings(0, leaky, other)]).startswith("1 of 4 checks hold")
    assert all(f.criterion.startswith("yes if ") and re.search(r"\d\.\d\d", f.criterion)
               for f in story.findings(0, leaky, other))                     # each yes/no says what it takes


def test_the_story_says_what_the_unit_did_instead():
    """Stored at the name and held, or built up word by word over the fillers, with the numbers."""
    textbook = _trace(5, 2, f=[0.5, 0.98, 0.97, 0.99, 0.9], c=[0.8] * 5)
    kind, said = story.what_happened(0, textbook, _trace(5, 2, c=[-0.8] * 5))
    assert kind == "stored" and "1.60 apart right after the name and 1.60 at the blank" in said
    growing = _trace(5, 2, f=[0.5, 0.8, 0.8, 0.8, 0.8], c=[0.1, 0.4, 0.8, 1.2, 1.6])
    kind, said = story.what_happened(0, growing, _trace(5, 2, c=[-0.1, -0.4, -0.8, -1.2, -1.6]))
    assert kind == "built up" and said.startswith("Built up over the fillers, not stored at the name")
    assert "only 0.20 apart after the name (6% of the final gap)" in said and "grows at 4 of the 4 words" in said
    assert "keeps 80% of the cell" in said
    checked = [story.findings(0, growing, _trace(5, 2, c=[-0.1, -0.4, -0.8, -1.2, -1.6]))]
    assert "What happened instead, on 1 of the 1 units" in story.summary(checked, [(kind, said)])
    assert story.what_happened(0, growing, growing)[0] == "little"


def results_at(by_distance, reach):
    return types.SimpleNamespace(by_distance=by_distance, reach=reach)


def test_the_first_line_leads_with_the_longest_distance_whichever_way_it_went():
    reach = {"rnn": [(1, 0.5), (60, 4e-44)], "lstm": [(1, 0.6), (60, 1e-7)]}
    won = headline(results_at([(10, {"rnn": 1.0, "lstm": 1.0}), (40, {"rnn": 0.49, "lstm": 1.0})], reach))
    assert won == ("At k = 40 fillers the LSTM labels 100% of new sentences right, the plain RNN 49% (50% is a coin toss). "
                   "Of a gradient sent back from the blank over 60 fillers, 1.0e-07 reaches the name in the LSTM, "
                   "4.0e-44 in the RNN: about 10^36 times as much.")
    level = headline(results_at([(30, {"rnn": 0.45, "lstm": 0.46})], {"rnn": [(30, 2e-4)], "lstm": [(30, 2e-5)]}))
    assert level.startswith("At k = 30 fillers the two are level with this budget (try more --steps): RNN 45%, LSTM 46%")
    assert level.endswith("2.0e-05 reaches the name in the LSTM and 2.0e-04 in the RNN.")


def test_trace_gates_follows_the_cell_equations():
    params = tasks.init_params(3, seed=2)
    trace = trace_gates(["Sarah", "went", tasks.BLANK], params, load_code(REFERENCE).modules["gates"])
    i, f, g, o, c, h = (trace[name] for name in "ifgoch")
    assert np.allclose(c[1], f[1] * c[0] + i[1] * g[1]) and np.allclose(h, o * np.tanh(c))
    assert np.allclose(c[0], i[0] * g[0])                                      # the cell starts empty
    x = tasks.encode([["Sarah", "went", tasks.BLANK]])
    h_seq, _ = load_code(REFERENCE).lstm_forward(x, np.zeros((1, 3)), params["Wx"], params["Wh"], params["b"])
    assert np.allclose(h, h_seq[0])                                            # the gates, in the order i, f, g, o


def test_trace_gates_runs_the_codes_own_gates(tmp_path):
    """A learner's gates are the ones traced: a forget gate that always holds shows as 1 everywhere."""
    holding = "def forget_gate(x, h_prev, Wx, Wh, b):\n    return np.ones((x.shape[0], Wh.shape[1]))\n"
    folder = build_submission(tmp_path / "holds", done=ALL_STEPS, replace={"forget_gate": holding})
    trace = trace_gates(["Sarah", tasks.BLANK], tasks.init_params(3, seed=2), load_code(folder).modules["gates"])
    assert np.array_equal(trace["f"], np.ones((2, 3)))


def test_a_plain_rnn_loses_the_gradient_geometrically():
    rnn = load_code(REFERENCE).rnn
    params = tasks.init_params(8, seed=3, cell="rnn")
    params["Wh"] *= 0.5
    reach = [gradient_reach(rnn.forward, rnn.backward, params, k) for k in (1, 5, 10)]
    assert reach[0] > 10 * reach[1] > 100 * reach[2] > 0


def rnn_case(T=5):
    rng = np.random.default_rng(4)
    params = tasks.init_params(6, seed=3, cell="rnn")
    x = rng.standard_normal((3, T, tasks.VOCAB_SIZE))
    return x, np.zeros((3, 6)), params, rng.standard_normal((3, T, 6))


def test_a_learners_plain_rnn_runs_through_their_own_sequence_loop(tmp_path):
    """The same numbers as the kit's loop for the reference, computed by the learner's lstm_forward
    and lstm_backward with their rnn_step_* in the cell's place."""
    learner = load_code(build_submission(tmp_path / "done", done=ALL_STEPS))
    assert isinstance(learner.rnn, models.RNNThroughTheSequence)
    x, h0, p, dh = rnn_case()
    ours, kits = (code.rnn for code in (learner, load_code(REFERENCE)))
    h, cache = ours.forward(x, h0, p["Wx"], p["Wh"], p["b"])
    h_kit, cache_kit = kits.forward(x, h0, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(h, h_kit, rtol=1e-12)
    for got, expected in zip(ours.backward(dh, cache), kits.backward(dh, cache_kit)):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)
    sequence = learner.modules["sequence"]
    assert sequence.lstm_step_forward.__name__ == "lstm_step_forward"          # the cell is back after the run


def batched_submission(tmp_path):
    """Every step passing, with the reference's sequence steps: batched over time, they never call the cell."""
    batched = open(os.path.join(KIT_ROOT, "solutions", "sequence.py")).read().split("import numpy as np", 1)[1]
    return build_submission(tmp_path / "batched", done=ALL_STEPS, replace={"lstm_forward": batched})


def test_a_sequence_batched_over_time_cannot_carry_the_rnn_and_says_why(tmp_path):
    folder = batched_submission(tmp_path)
    x, h0, p, _ = rnn_case()
    with pytest.raises(models.NotThroughTheCell, match="your lstm_forward called the cell 0 times for 5 time steps"):
        load_code(folder).rnn.forward(x, h0, p["Wx"], p["Wh"], p["b"])


def test_demo_runs_the_reference_for_stubs_and_the_learner_once_everything_passes(tmp_path):
    folder, whose = choose_folder(build_submission(tmp_path / "stubs"))
    assert folder == REFERENCE and "scores 0/100 (next step: sigmoid)" in whose
    done = build_submission(tmp_path / "done", done=ALL_STEPS)
    assert choose_folder(done) == (done, f"Running your code from {os.path.relpath(done)}/: every step passes.")


def test_demo_shows_both_pictures_in_a_plain_terminal_without_matplotlib():
    result = run_demo("--reference", *SMALL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for text in ("1. The gates at work", "forget gate", "cell, John", "Sarah", "___",
                 "2. The bucket brigade", "per word", "3. Accuracy against distance", "RNN", "LSTM"):
        assert text in out, text
    assert "checks hold" in out
    assert "\x1b[" not in out                                                 # NO_COLOR: plain text


def test_png_without_matplotlib_says_how_to_get_it():
    result = run_demo("--reference", "--png", "figures", *SMALL)
    assert result.returncode == 2
    assert "requirements-extra.txt" in result.stderr


LSTM_ONLY_LOSS = '''
def classifier_loss(x, y, params):
    N, H = x.shape[0], params["Wx"].shape[1] // 4
    h, cache = lstm_forward(x, np.zeros((N, H)), params["Wx"], params["Wh"], params["b"])
    scores = h[:, -1] @ params["Wy"] + params["by"]
    z = scores - scores.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    p = np.exp(log_p)
    ds = p.copy()
    ds[np.arange(N), y] -= 1
    ds /= N
    dh = np.zeros_like(h)
    dh[:, -1] = ds @ params["Wy"].T
    _, _, dWx, dWh, db = lstm_backward(dh, cache)
    return -log_p[np.arange(N), y].mean(), {"Wx": dWx, "Wh": dWh, "b": db, "Wy": h[:, -1].T @ ds, "by": ds.sum(axis=0)}
'''


def test_demo_trains_the_rnn_baseline_with_the_reference_when_the_learners_loss_is_lstm_only(tmp_path):
    folder = build_submission(tmp_path / "lstm-only", done=ALL_STEPS, replace={"classifier_loss": LSTM_ONLY_LOSS})
    result = run_demo("--submission", str(folder), *SMALL)
    assert result.returncode == 0, result.stderr
    assert "Running your code from" in result.stdout
    assert "the RNN baseline uses the reference's instead" in " ".join(result.stdout.split())


def test_in_the_kit_a_batched_learner_gets_the_kits_rnn_baseline(tmp_path):
    folder = batched_submission(tmp_path)
    result = run_demo("--submission", str(folder), *SMALL)
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    assert "Running your code from" in said and "called the cell 0 times" in said
    assert "the RNN baseline uses the reference's instead" in said


class Notebook:
    """Stands in for IPython's display: keeps what is shown, and what each display handle is updated to."""

    def __init__(self):
        self.shown, self.updates = [], []

    def __call__(self, obj, display_id=False):
        self.shown.append(obj)
        return self if display_id else None

    def update(self, obj):
        self.updates.append(str(obj))


@pytest.fixture(scope="module")
def terminal_demo():
    """What python -m demo prints for the reference at SIZES, without matplotlib."""
    result = run_demo("--reference", *SMALL)
    assert result.returncode == 0, result.stderr
    return result.stdout


def after_training(text):
    """The demo's text from the first result on (the progress lines before it tell the time)."""
    return text[text.index("At k = "):]


def test_in_a_notebook_the_three_pictures_are_figures_and_the_story_is_text(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "gates", types.ModuleType("gates"))    # a kernel's own module of that name
    kernel = {name: sys.modules.get(name) for name in MODULES}
    notebook = Notebook()
    assert show_memory(reference=True, **SIZES, display=notebook) is None
    out = " ".join(capsys.readouterr().out.split())
    pictures = [obj for obj in notebook.shown if isinstance(obj, Picture)]
    assert [p.name for p in pictures] == list(NAMES)
    gates, reach, accuracy = (p.figure for p in pictures)
    for picture in pictures:
        assert picture._repr_png_().startswith(b"\x89PNG")                   # what the notebook shows
        assert picture.figure.canvas.manager is None                          # made without pyplot
    titles = [ax.get_title() for ax in gates.axes]
    assert len(titles) == 3 and all(re.fullmatch(r"unit \d+ \(\d+% of the she/he score difference\)", t) for t in titles)
    for title in titles:                                                      # each unit's claims, checked, as text
        assert f"{title} yes" in out or f"{title} no" in out
    for claim in ("the input gate opens at the name:", "the forget gate holds over the fillers:",
                  "the output gate opens at the blank:", "the cell state still tells the two names apart"):
        assert out.count(claim) == 3
    assert "checks hold" in out and "cell, John" not in out                   # the story, and no text tables
    assert [list(line.get_xdata()) for line in reach.axes[0].get_lines()] == [list(SIZES["reach"])] * 2
    rnn, lstm = accuracy.axes[0].get_lines()[:2]
    for cell, line in (("LSTM", lstm), ("RNN", rnn)):                         # the figure plots what the text says
        said = re.search(rf"The {cell} reached 90% at k = ([^.]*)\.", out).group(1)
        plotted = [str(k) for k, a in zip(line.get_xdata(), line.get_ydata()) if a >= 0.9]
        assert (", ".join(plotted) or "none of these") == said
    assert notebook.updates[-1].startswith("trained 6 models: 360/360 steps")
    assert {name: sys.modules.get(name) for name in MODULES} == kernel           # the kernel's modules, left alone


def test_in_a_notebook_without_matplotlib_the_pictures_are_the_terminals_tables(terminal_demo, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)                     # as if not installed
    monkeypatch.setenv("COLUMNS", "100")
    notebook = Notebook()
    show_memory(reference=True, **SIZES, display=notebook)
    shown = after_training(capsys.readouterr().out)
    assert not any(isinstance(obj, Picture) for obj in notebook.shown)
    tables = after_training(terminal_demo)
    assert shown.startswith(tables) and " ".join(shown[len(tables):].split()) == NO_MATPLOTLIB


def test_outside_a_notebook_show_memory_prints_the_terminal_demo(terminal_demo, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    show_memory(reference=True, **SIZES)
    assert after_training(capsys.readouterr().out) == after_training(terminal_demo)


def test_show_memory_says_what_to_do_instead_of_exiting(tmp_path, capsys, monkeypatch):
    for sizes in ({"steps": 0}, {"distances": (2.5,)}, {"reach": ()}, {"hidden": "16"}):
        with pytest.raises(ValueError, match="whole numbers, 1 or more"):
            show_memory(**sizes)
    notebook = Notebook()
    show_memory(tmp_path / "nowhere", display=notebook)
    assert "no folder at" in capsys.readouterr().out
    monkeypatch.setattr(models, "REFERENCE", str(tmp_path / "no-solutions"))  # a handout
    show_memory(build_submission(tmp_path / "stubs"), name="your notebook's functions", display=notebook)
    said = " ".join(capsys.readouterr().out.split())
    assert said.startswith("your notebook's functions scores 0/100 (next step: sigmoid).")
    assert said.endswith("show_memory() runs your code once every step passes.")
    assert notebook.shown == []                                               # nothing trained, nothing drawn


FAILING_TRAIN = '''
def train(params, data, steps, lr, clip):
    print("step 0: loss 0.69")
    raise FloatingPointError("loss is nan")
'''


def test_the_run_apart_passes_on_what_the_code_prints_and_why_it_stopped(tmp_path, capsys):
    folder = build_submission(tmp_path / "nan", done=ALL_STEPS, replace={"train": FAILING_TRAIN})
    with pytest.raises(Stopped, match="^FloatingPointError: loss is nan$"):
        run_apart(str(folder), Settings(steps=2, distances=(1,), reach=(1,)), NotebookView(Console(), Notebook()))
    assert "step 0: loss 0.69" in capsys.readouterr().out

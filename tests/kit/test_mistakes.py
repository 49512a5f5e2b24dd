"""Named mistakes, both directions: every catalogued mistake, written as a learner writes it, fails
its step under its own name; wrong code outside the catalogue gets no name; the reference and
valid alternative styles keep full marks. Plus the catalogue's own soundness, in-process."""
import functools
import importlib.util
import os
import sys
import types
import warnings

import numpy as np
import pytest

from grader.course.inputs import (
    SEEDS,
    SQUARE_SEED,
    cell_update_args,
    classifier_args,
    gate_args,
    hidden_state_args,
    sequence_args,
    sizes,
    step_args,
    upstream,
)
from grader.course.mistakes import CATALOGUE
from grader.course.steps import BY_FUNCTION, BY_NAME
from grader.judge import forms_index, variants
from grader.judge.checks import CheckFailed
from grader.judge.diagnosis import compared, load_reference, name_mistake, same
from grader.judge.evidence import Evidence
from grader.judge.variants import FORMS, correct
from grader.kit import KIT_ROOT

from bundles import GROUPS, affected, defined_functions
from conftest import ALL_STEPS
from mistakes import MISTAKES, UNCATALOGUED

# The mistakes the catalogue must cover (the kit's promise to learners).
REQUIRED = {"gate_tanh", "candidate_sigmoid", "missing_bias", "swapped_weights", "transposed_weights",
            "gates_swapped", "plus_for_times", "h_without_tanh", "tanh_of_product", "overflow_sigmoid",
            "cs231n_order", "block_order", "interleaved_blocks", "cell_state_reset", "h0_ignored",
            "h_path_missing", "dc_prev_h_path_missing", "where_both_branches", "dc_ignored", "tanh_prime_missing",
            "sigmoid_prime_missing", "dW_overwritten", "db_wrong_axis", "dh_not_added", "dh0_missing", "mutated_input",
            # steps 10-13: the sequence, the plain RNN's backward and the classifier's loss
            "c0_from_h0", "bias_added_twice", "dh0_from_last_step", "cache_buffer_overwritten", "averaged_over_time",
            "bias_outside_tanh", "tanh_prime_not_squared", "tanh_prime_of_preactivation", "transposed_dW",
            "db_averaged", "loss_summed", "gradients_averaged_twice", "labels_by_column", "softmax_wrong_axis",
            "gradient_every_step", "dh_rebound"}
# Recognised from the worker's warnings and its report of inputs changed in place.
DETECTED_WITHOUT_FORMS = {"overflow_sigmoid", "where_both_branches", "softmax_overflow", "log_of_zero", "mutated_input"}

# Partial forms of a catalogued mistake (one gradient of three, one path of two, one gate of four)
# are named with the part they get wrong: case -> the words its message must hold.
PARTIAL = {"lstm_backward_overwrites_dWx_only": "In yours only dWx is overwritten; dWh and db add up.",
           "rnn_step_backward_dh_prev_skips_the_tanh": "In yours only dh_prev skips it",
           "lstm_forward_adds_the_forget_bias_again": "In yours only the forget gate's block gets it twice.",
           "step_backward_without_sigmoid_derivative": "In yours all three gates lack it.",
           "step_backward_per_gate_slices_drop_a_term": "In yours the output gate's share is missing from dh_prev.",
           "classifier_loss_sums_the_loss": "In yours the gradients are averaged; the loss alone is summed."}
# The steps that teach with the plain RNN, the loss and training: most of the kit's own learner-style
# mistakes there (catalogued or not) must be named, and named right.
LATE_STEPS = ("rnn_step", "classifier_loss", "train")
NAMED_SHARE = 0.8


def group_of(kind, case):
    return next(k for k, group in enumerate(GROUPS[kind]) if case in group)


@pytest.fixture(scope="module")
def graded(group_grades):
    """graded(kind, k) -> Graded for the k-th group of ``kind`` (graded once for the session)."""
    return group_grades


# -- graded as a learner would be -----------------------------------------------------------------

@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_catalogued_mistake_fails_its_step_under_its_own_name(graded, case):
    step, key, _ = MISTAKES[case]
    result = graded("mistakes", group_of("mistakes", case))
    assert result.status(step) == "failed", result.output
    assert result.points(step) < result.steps[step]["max_points"]
    message = result.message(step)
    assert result.steps[step]["mistake"] == key, message
    assert message.startswith(f"This looks like {CATALOGUE[key].name}: {CATALOGUE[key].message} ")
    assert " Details: " in message
    if key == "swapped_weights" or "raised" in message:
        assert "On inputs with D = H" in message.split(" Details: ")[0]


@pytest.mark.parametrize("case", sorted(PARTIAL))
def test_a_partial_form_is_named_with_the_part_it_gets_wrong(graded, case):
    step, key, _ = MISTAKES[case]
    message = graded("mistakes", group_of("mistakes", case)).message(step)
    explained = message.split(" Details: ")[0]
    assert explained.startswith(f"This looks like {CATALOGUE[key].name}: ") and PARTIAL[case] in explained, message


def test_a_softmax_over_the_batch_is_not_named_the_log_of_zero(graded):
    """It warns about a log on scores near +-1000 (the log of a column sum that rounded to 0), but
    no probability it takes the log of is 0: the stability check names nothing, the values name it."""
    case = "classifier_loss_softmax_over_the_batch"
    result = graded("mistakes", group_of("mistakes", case))
    assert result.steps["classifier_loss"]["mistake"] == "softmax_wrong_axis"
    stable = next(t for t in result.results["tests"] if t["extra_data"]["nodeid"].endswith("test_classifier_loss_is_stable"))
    assert stable["extra_data"]["outcome"] == "failed" and stable["extra_data"]["mistake"] != "log_of_zero"
    assert "divide by zero encountered in log" in stable["output"]
    assert CATALOGUE["log_of_zero"].name not in stable["output"]


def test_most_learner_style_mistakes_of_the_late_steps_are_named(graded, report_figure):
    """Per step 12-14: of the kit's own learner-style mistakes there (tests/kit/mistakes.py, the
    catalogued ones and the others), the share named, and named with the right name."""
    shares = {}
    for step in LATE_STEPS:
        cases = [("mistakes", case, key) for case, (s, key, _) in MISTAKES.items() if s == step]
        cases += [("uncatalogued", case, None) for case, (s, _, _) in UNCATALOGUED.items() if s == step]
        named = [case for kind, case, key in cases if key and graded(kind, group_of(kind, case)).steps[step]["mistake"] == key]
        shares[step] = (len(named), len(cases))
    figures = ", ".join(f"{step} {n}/{total} ({n / total:.0%})" for step, (n, total) in shares.items())
    report_figure(f"named among the kit's learner-style mistakes: {figures}")
    assert all(n >= NAMED_SHARE * total for n, total in shares.values()), figures


@pytest.mark.parametrize("k", range(len(GROUPS["mistakes"])))
def test_steps_untouched_by_the_mistakes_keep_their_points(graded, k):
    result = graded("mistakes", k)
    touched = affected({MISTAKES[case][0] for case in GROUPS["mistakes"][k]})
    for step in set(ALL_STEPS) - touched:
        assert result.status(step) == "passed", (step, result.message(step))


@pytest.mark.parametrize("case", sorted(UNCATALOGUED))
def test_wrong_code_outside_the_catalogue_gets_no_name(graded, case):
    step, _, expected = UNCATALOGUED[case]
    result = graded("uncatalogued", group_of("uncatalogued", case))
    assert result.status(step) == "failed"
    assert result.steps[step]["mistake"] == ""
    assert expected in result.message(step) and "This looks like" not in result.message(step)


@pytest.mark.parametrize("k", range(len(GROUPS["alternatives"])))
def test_valid_alternatives_get_full_marks(graded, k):
    result = graded("alternatives", k)
    assert result.exit_code == 0, (GROUPS["alternatives"][k], result.output)
    assert result.score == 100
    assert all(s["mistake"] == "" for s in result.steps.values())


def test_the_figures_follow_the_name(graded):
    result = graded("mistakes", group_of("mistakes", "lstm_forward_resets_cell_state"))
    message = result.message("lstm_forward")
    assert "h has wrong values: first at h[" in message and "(time step " in message and "seed 0" in message


# -- the catalogue itself, in-process ----------------------------------------------------------

REFERENCE = load_reference(os.path.join(KIT_ROOT, "solutions"))


def function_inputs(name, seed):
    """The inputs a form of function ``name`` takes: its arguments (then the upstream gradients)."""
    N, T, _, H = sizes(seed)
    return {
        "sigmoid": lambda: (np.random.default_rng(seed).uniform(-12, 12, (4, 7)),),
        "cell_update": lambda: cell_update_args(seed),
        "hidden_state": lambda: hidden_state_args(seed),
        "lstm_step_forward": lambda: step_args(seed),
        "lstm_forward": lambda: sequence_args(seed),
        "lstm_step_backward": lambda: (*step_args(seed), *upstream(seed, (N, H), (N, H))),
        "lstm_backward": lambda: (*sequence_args(seed), *upstream(seed, (N, T, H))),
        "rnn_step_backward": lambda: (*gate_args(seed), *upstream(seed, (N, H))),
        "classifier_loss": lambda: classifier_args(seed),
    }.get(name, lambda: gate_args(seed))()


def outputs(fn, *args):
    return compared(fn(*args))


def test_catalogue_covers_the_required_mistakes_with_names_and_messages():
    assert len(CATALOGUE) >= 20
    assert REQUIRED <= set(CATALOGUE)
    assert len({m.name for m in CATALOGUE.values()}) == len(CATALOGUE)
    with_forms = {(key, BY_FUNCTION[function].name) for key, function in FORMS}
    for key, mistake in CATALOGUE.items():
        assert mistake.key == key and mistake.name and len(mistake.message) > 40
        assert set(mistake.steps) <= set(ALL_STEPS)
        has_forms = all((key, step) in with_forms for step in mistake.steps)
        assert has_forms or key in DETECTED_WITHOUT_FORMS, key
    named = {step for _, step in with_forms} | {s for k in DETECTED_WITHOUT_FORMS - {"mutated_input"}
                                                for s in CATALOGUE[k].steps}
    # Every step has mistakes of its own, beyond mutation (training's: its short runs' clipping and Adam).
    assert named == set(ALL_STEPS)


def test_every_catalogued_mistake_has_a_learner_written_case_on_each_of_its_functions():
    written = {(key, function) for step, key, source in MISTAKES.values() for function in defined_functions(source)}
    # bundles.pack keeps cases apart by the steps they define: each must define its own step's function
    assert all(defined_functions(source) & set(BY_NAME[step].functions) for step, _, source in MISTAKES.values())
    assert set(FORMS) <= written
    assert set(CATALOGUE) == {key for key, _ in written}


def test_the_parts_of_partial_forms_are_said_for_forms_that_exist():
    for key, by_function in forms_index.PARTS.items():
        for function, sentences in by_function.items():
            assert len(sentences) == len(FORMS[(key, function)]) >= 2, (key, function)
            assert all(s == "" or (s.startswith("In yours") and s.endswith(".")) for s in sentences)
    assert forms_index.part("gate_tanh", "forget_gate", 0) == ""


def test_the_index_of_forms_counts_the_forms_and_tries_them_in_the_catalogues_order():
    """A handout has forms_index.py and not variants.py: the two must describe the same forms."""
    assert forms_index.counted() == {place: len(forms) for place, forms in FORMS.items()}
    assert forms_index.functions() == sorted({function for _, function in FORMS})
    for name in forms_index.functions():
        tried = [(key, k) for key in CATALOGUE for k in range(len(FORMS.get((key, name), ())))]
        assert forms_index.positions(name) == tried


@pytest.mark.parametrize("seed", [*SEEDS, SQUARE_SEED])
def test_forms_differ_from_the_reference_and_from_each_other(seed):
    for name in {function for _, function in FORMS} - {"train"}:  # train's: below, on its graded runs
        inputs = function_inputs(name, seed)
        right = outputs(correct, REFERENCE, name, *inputs)
        seen = []
        for (key, function), forms in FORMS.items():
            if function != name:
                continue
            for form in forms:
                try:
                    out = outputs(form, REFERENCE, name, *inputs)
                except ValueError:  # a product whose shapes only fit when D == H
                    assert seed != SQUARE_SEED and key in ("swapped_weights", "transposed_weights"), key
                    continue
                assert not same(out, right), (key, name, seed)
                assert not any(same(out, other) for other_key, other in seen if other_key != key), (key, name)
                seen.append((key, out))


def test_forms_are_the_reference_with_nothing_but_the_mistake():
    """With the mistaken piece put right, each helper gives the reference's outputs."""
    seed = 0
    args = step_args(seed)
    step_in = function_inputs("lstm_step_backward", seed)
    seq_in = function_inputs("lstm_backward", seed)
    ref = REFERENCE
    assert same(outputs(variants._in_block_order, ref, *args, (0, 1, 2, 3)),
                outputs(correct, ref, "lstm_step_forward", *args))
    assert same(outputs(variants._cell_with, ref, *args), outputs(correct, ref, "lstm_step_forward", *args))
    assert same(outputs(variants._with_da, ref, step_in, (1, 1, 1, 1)),
                outputs(correct, ref, "lstm_step_backward", *step_in))
    assert same(outputs(variants._unrolled, ref, *sequence_args(seed), lambda h, c: (h, c)),
                outputs(correct, ref, "lstm_forward", *sequence_args(seed)))
    assert same(outputs(variants._sequence_grads, variants._per_step_grads(ref, *seq_in, variants._both_routes)),
                outputs(correct, ref, "lstm_backward", *seq_in))
    assert same(outputs(variants._overwritten(()), ref, "lstm_backward", *seq_in),
                outputs(correct, ref, "lstm_backward", *seq_in))
    rnn_in = function_inputs("rnn_step_backward", seed)
    assert same(outputs(variants._rnn_with, ref, *rnn_in, lambda h, a: 1 - h**2),
                outputs(correct, ref, "rnn_step_backward", *rnn_in))
    loss_in = classifier_args(seed)
    assert same(outputs(variants._classifier_with, ref, *loss_in), outputs(correct, ref, "classifier_loss", *loss_in))
    assert same(outputs(variants._scaled_grads, ref, *loss_in), outputs(correct, ref, "classifier_loss", *loss_in))
    for run in short_runs()[0]:
        assert same(outputs(variants._trained, ref, *run), outputs(correct, ref, "train", *run))
        momentum = outputs(lambda *inputs: variants._trained(*inputs, update=variants._momentum), ref, *run)
        assert same(momentum, outputs(ref.train, *run, "momentum"))


@functools.cache
def short_runs():
    """The inputs of the graded short runs of train (tests/steps/test_memory.py), its first step
    among them (where a division by zero shows), and that module."""
    path = os.path.join(KIT_ROOT, "tests", "steps", "test_memory.py")
    spec = importlib.util.spec_from_file_location("graded_test_memory", path)
    memory = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():  # its markers are the grader plugin's, not registered here
        warnings.simplefilter("ignore", pytest.PytestUnknownMarkWarning)
        spec.loader.exec_module(memory)
    params, data, _ = memory.pronoun_setup()
    lr = memory.TRAIN["lr"]
    return [(params, data, 1, lr, memory.TRAIN["clip"]),
            *((params, data, memory.SHORT_STEPS, lr, clip) for clip in memory.SHORT_CLIPS)], memory


def test_the_short_runs_clip_every_step_or_none():
    """What the graded messages say of the two clips: over every step's gradient norm, or under it."""
    runs, memory = short_runs()
    for params, data, steps, lr, clip in runs:
        for s in range(steps):
            at = REFERENCE.train(params, data, s, lr, clip)[0]
            norm = np.sqrt(sum(np.sum(g**2) for g in REFERENCE.classifier_loss(*data[s], at)[1].values()))
            assert (norm > clip) == ("every step" in memory.SHORT_CLIPS[clip]), (clip, s, norm)


def test_train_forms_differ_from_both_sanctioned_runs_and_from_each_other():
    """Each of train's forms leaves, on one of the graded runs at least, where Adam and SGD with
    momentum end and where every other mistake's form ends: the runs together name each one."""
    runs, _ = short_runs()
    with np.errstate(all="ignore"):  # the forms that divide by zero, as the diagnosis evaluates them
        ends = {(key, k): [outputs(form, REFERENCE, "train", *inputs) for inputs in runs]
                for (key, function), forms in FORMS.items() if function == "train" for k, form in enumerate(forms)}
    sanctioned = [[outputs(REFERENCE.train, *inputs, how) for inputs in runs] for how in ("adam", "momentum")]
    for place, mine in ends.items():
        for other in [*sanctioned, *(theirs for where, theirs in ends.items() if where[0] != place[0])]:
            assert not all(same(a, b) for a, b in zip(mine, other)), place


def failure_with_evidence(name, inputs, got):
    failure = CheckFailed("f has wrong values")
    failure.evidence = Evidence(name, inputs, got)
    return failure


def test_diagnosis_names_a_matching_output_and_nothing_else():
    inputs = gate_args(0)
    tanh_gate = REFERENCE.candidate(*inputs)
    key, message = name_mistake(failure_with_evidence("forget_gate", inputs, tanh_gate), "f has wrong values",
                                os.path.join(KIT_ROOT, "solutions"))
    assert key == "gate_tanh" and message.endswith("Details: f has wrong values")
    assert name_mistake(failure_with_evidence("forget_gate", inputs, tanh_gate + 1e-3), "m",
                        os.path.join(KIT_ROOT, "solutions")) == ("", "m")


def test_without_a_reference_there_is_no_diagnosis_and_no_crash(tmp_path, monkeypatch):
    inputs = gate_args(0)
    failure = failure_with_evidence("forget_gate", inputs, REFERENCE.candidate(*inputs))
    assert name_mistake(failure, "f has wrong values", str(tmp_path / "no-solutions")) == ("", "f has wrong values")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("gates.py", "cell.py", "sequence.py"):
        (broken / name).write_text("raise RuntimeError('not a reference')\n")
    assert name_mistake(failure, "f has wrong values", str(broken)) == ("", "f has wrong values")  # names taken
    for module in ("gates", "cell", "sequence"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    import grader.judge.diagnosis
    monkeypatch.setattr(grader.judge.diagnosis, "_references", {})
    assert name_mistake(failure, "f has wrong values", str(broken)) == ("", "f has wrong values")


def test_a_reference_that_raises_gives_no_name():
    def explode(*args):
        raise KeyError("no stored output for these inputs")
    ref = types.SimpleNamespace(**{name: explode for name in BY_FUNCTION})
    from grader.judge.diagnosis import LiveForms, diagnose
    assert diagnose(Evidence("forget_gate", gate_args(0), np.zeros((3, 6))), LiveForms(ref)) == (None, False, "")

"""Steps 12-14: the plain RNN cell, a sequence classifier, and training on the pronoun task."""
from contextlib import contextmanager

import numpy as np
import pytest

from grader.testing import (
    GATES,
    SEEDS,
    CheckFailed,
    classifier_args,
    describe,
    expect_array,
    expect_backward,
    expect_backward_keeps_inputs,
    expect_backward_matches_reference,
    expect_close,
    expect_inputs_kept_while,
    expect_keeps_inputs,
    expect_matches_reference,
    expect_numbers,
    expect_tuple,
    gate_args,
    gradient_check,
    mistake_failed,
    noted,
    recorded,
    sizes,
    tasks,
    type_name,
    upstream,
)

RNN_ARGS = ("x", "h_prev", "Wx", "Wh", "b")
PARAMS = ("Wx", "Wh", "b", "Wy", "by")
GRAD_NAMES = tuple(f"grads['{k}']" for k in PARAMS)
AXES = {"grads['Wx']": {1: GATES}, "grads['Wh']": {1: GATES}, "grads['b']": {0: GATES}}

# Training is graded by outcome on the kit's pronoun task, at short distances so a full grade
# stays fast: the reference needs about 25 of these steps, SGD with momentum about 150.
TRAIN = dict(hidden=8, ks=tuple(range(5, 11)), batches=20, batch_size=32, steps=200, lr=0.01, clip=5.0)
TARGET = 0.95
TRAIN_ARGS = ("params", "data", "steps", "lr", "clip")
# And by what it does: a few steps from the same start must land where one of the docstring's two
# optimisers does (the reference's train computes both), with a clip so small that every step is
# clipped (their gradient norms are about 0.1 to 0.2), and with TRAIN's, which none reaches.
SHORT_STEPS = 3
SHORT_CLIPS = {0.01: "every step's gradient norm is over it, so every step is clipped",
               TRAIN["clip"]: "no step's gradient norm reaches it, so no step is clipped"}
OPTIMISERS = {"Adam": (), "SGD with momentum": ("momentum",)}  # the reference train's extra argument
RUN_TOL = 1e-4  # of a parameter's largest move: equivalent computations agree to ~1e-12
CHANCE = float(np.log(tasks.CLASSES))  # the mean loss of a model that gives every class the same probability
FITTED = 0.05  # a batch's loss under which the trained weights fit it (the reference ends near 0.001 on each)
NOT_FINITE = ("contains NaN at", "contains inf at", "is nan;", "is inf;", "is -inf;")  # expect_array's, expect_loss's
OTHER_FUNCTION = ("your classifier_loss (or the LSTM under it) does not give the reference's loss and gradients "
                  "on the starting weights, so the loop descends another function: fix those steps first")


# Step 12: the plain RNN

def rnn_backward_inputs(seed):
    """The cell's inputs and the upstream dh for ``seed``."""
    N, _, _, H = sizes(seed)
    return gate_args(seed), upstream(seed, (N, H))


@pytest.mark.step("rnn_step", points=2.5)
def test_rnn_step_forward(submission, reference):
    """rnn_step_forward matches tanh(x Wx + h_prev Wh + b)"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_matches_reference(submission.rnn_step_forward, reference.rnn_step_forward, gate_args(seed),
                                     RNN_ARGS, ("h", "cache"), keep=(1,))


@pytest.mark.step("rnn_step", points=3)
def test_rnn_step_backward_gradient_check(submission, reference):
    """rnn_step_backward agrees with central differences of rnn_step_forward"""
    for seed in SEEDS[:2]:
        with noted(describe(seed)):
            expect_backward(submission, reference, "rnn_step_backward", *rnn_backward_inputs(seed))


@pytest.mark.step("rnn_step", points=1.5)
def test_rnn_step_backward_matches_reference(submission, reference):
    """rnn_step_backward matches the reference gradients"""
    for seed in SEEDS:
        with noted(describe(seed)):
            expect_backward_matches_reference(submission, reference, "rnn_step_backward", *rnn_backward_inputs(seed))


@pytest.mark.step("rnn_step", points=1)
def test_rnn_step_keeps_its_inputs(submission, reference):
    """rnn_step_forward and rnn_step_backward leave their inputs unchanged"""
    seed = SEEDS[0]
    with noted(describe(seed)):
        expect_keeps_inputs(submission.rnn_step_forward, reference.rnn_step_forward, gate_args(seed), RNN_ARGS,
                            ("h", "cache"), keep=(1,))
        expect_backward_keeps_inputs(submission, reference, "rnn_step_backward", *rnn_backward_inputs(seed))


# Step 13: the classifier's loss and gradients

def expect_loss(value, name="loss"):
    """A single float64 number (a Python float or a 0-d array)."""
    if isinstance(value, np.ndarray) and value.shape != ():
        raise CheckFailed(f"{name} is an array of shape {value.shape}; expected a single number, "
                          f"the mean over the batch")
    if isinstance(value, (float, np.floating, np.ndarray)) and not np.isfinite(value):
        raise CheckFailed(f"{name} is {float(value)}; expected a finite number")
    return expect_array(value, name, np.empty(()))


def expect_params(value, like, name):
    """A dict with exactly the keys of ``like``, each an array shaped like its counterpart."""
    if not isinstance(value, dict):
        raise CheckFailed(f"{name} is a {type_name(value)}; expected a dict with the keys of params "
                          f"({', '.join(like)})")
    missing, extra = [k for k in like if k not in value], [k for k in value if k not in like]
    if missing:
        raise CheckFailed(f"{name} has no {missing[0]!r}: it needs one entry per key of params ({', '.join(like)})")
    if extra:
        raise CheckFailed(f"{name} has a key {extra[0]!r} that params does not have: use the same keys as params")
    return {k: expect_array(value[k], f"{name}['{k}']", like[k], AXES.get(f"grads['{k}']")) for k in like}


@contextmanager
def learner_loss(classifier_loss, x, y, params, reply=None):
    """The learner's (loss, grads), checked for structure (inputs changed in place are
    test_classifier_loss_keeps_its_inputs's to judge).

    A check failing inside carries them, so the grader can name a catalogued mistake.
    """
    with recorded("classifier_loss", (x, y, params)) as evidence:
        reply = reply or classifier_loss.call(x, y, params)
        evidence.got = reply["value"]
        loss, grads = expect_tuple(reply["value"], "classifier_loss", ("loss", "grads"))
        yield expect_loss(loss), expect_params(grads, params, "grads")


def expect_loss_matches_reference(classifier_loss, reference, seed):
    """The learner's loss and gradients on ``seed``'s inputs equal the reference's."""
    x, y, params = classifier_args(seed)
    with noted(describe(seed)), learner_loss(classifier_loss, x, y, params) as (loss, grads):
        want_loss, want_grads = reference.classifier_loss(x, y, params)
        sizes = dict(zip(("N", "T", "D"), x.shape))  # a sum where a mean belongs is N times too large
        expect_close(loss, np.asarray(want_loss), "loss", sizes=sizes)
        for k in PARAMS:
            expect_close(grads[k], want_grads[k], f"grads['{k}']", AXES.get(f"grads['{k}']"), sizes)


@pytest.mark.step("classifier_loss", points=2.5)
def test_classifier_loss_matches_reference(submission, reference):
    """classifier_loss matches the reference loss and gradients"""
    for seed in SEEDS:
        expect_loss_matches_reference(submission.classifier_loss, reference, seed)


@pytest.mark.step("classifier_loss", points=2.5)
def test_classifier_loss_gradient_check(submission, reference):
    """classifier_loss's grads agree with central differences of the loss"""
    seed = SEEDS[1]  # the smallest parameter count: every coordinate is checked
    x, y, params = classifier_args(seed)
    with noted(describe(seed)), learner_loss(submission.classifier_loss, x, y, params) as (loss, grads):
        with noted("(the loss itself: this check needs it right)"):
            expect_close(loss, np.asarray(reference.classifier_loss(x, y, params)[0]), "loss")
        gradient_check(submission.classifier_loss, [x, y, params], [(2, k) for k in PARAMS], [0],
                       (np.ones(()),), [grads[k] for k in PARAMS], GRAD_NAMES, AXES,
                       reference=reference.classifier_loss)


def _leaves(value):
    """The numbers in what classifier_loss returned (through tuples, lists and dicts), as arrays."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _leaves(v)]
    if isinstance(value, (int, float, np.ndarray, np.generic)) and not isinstance(value, bool):
        array = np.asarray(value)
        return [array] if array.dtype.kind in "iuf" else []
    return []


def _unstable(warnings, value):
    """The failure of a classifier_loss that warned on scores near +-1000. A mistake is named only
    when the values bear the warning out: the log of a probability that is exactly 0 makes the loss
    +inf, and an overflowing softmax leaves values that are not finite. A warning alone names
    nothing (a softmax over the wrong axis warns about its log too)."""
    warning = warnings[0]
    detail = f"classifier_loss warned when the scores were near +-1000 ({warning})"
    loss = value[0] if isinstance(value, (tuple, list)) and value else None
    if any("in log" in w for w in warnings) and _leaves(loss) and np.all(np.isposinf(_leaves(loss)[0])):
        return mistake_failed("log_of_zero", f"{detail}, and your loss is inf: the -log of a probability of exactly 0")
    if any("overflow" in w for w in warnings) and not all(np.all(np.isfinite(a)) for a in _leaves(value)):
        return mistake_failed("softmax_overflow", f"{detail}, and your outputs are not all finite")
    return CheckFailed(f"{detail}: subtract each row's largest score before exp, and take log p as "
                       f"z - log(sum(exp(z))), with z the shifted scores")


@pytest.mark.step("classifier_loss", points=2)
def test_classifier_loss_is_stable(submission, reference):
    """classifier_loss stays finite, with no warning, when scores are near +-1000"""
    x, y, params = classifier_args(SEEDS[1])
    C = params["by"].shape[0]
    params = {**params, "by": 1000.0 * (-1) ** np.arange(C)}  # scores near +1000 and -1000
    reply = submission.classifier_loss.call(x, y, params)
    if reply["warnings"]:
        with recorded("classifier_loss", (x, y, params)) as evidence:  # the values may still name a mistake
            evidence.got = reply["value"]
            raise _unstable(reply["warnings"], reply["value"])
    with learner_loss(submission.classifier_loss, x, y, params, reply) as (loss, _):
        expect_close(loss, np.asarray(reference.classifier_loss(x, y, params)[0]), "loss (scores near +-1000)")


@pytest.mark.step("classifier_loss", points=1)
def test_classifier_loss_keeps_its_inputs(submission, reference):
    """classifier_loss leaves x, y and params unchanged"""
    expect_inputs_kept_while(submission.classifier_loss, ("x", "y", "params"),
                             lambda classifier_loss: expect_loss_matches_reference(classifier_loss, reference, SEEDS[0]))


# Step 14: training, graded by what the loop does and by what the trained model can do

def pronoun_setup():
    """Starting params, training batches and held-out batches, all from fixed seeds."""
    params = tasks.init_params(TRAIN["hidden"], seed=0)
    data = tasks.batches(TRAIN["batches"], TRAIN["batch_size"], TRAIN["ks"], seed=1)
    held_out = tasks.batches(8, 64, TRAIN["ks"], seed=2)
    return params, data, held_out


def learner_training(train, params, data, steps, clip=TRAIN["clip"], evidence=None):
    """The learner's (params, losses, the call's reply) after ``steps`` updates, checked for
    structure; ``evidence``, if given, holds what train returned before anything is checked.
    A NaN or an inf is told after the first warning the run raised, which points at its cause."""
    reply = train.call(params, data, steps, TRAIN["lr"], clip)
    if evidence is not None:
        evidence.got = as_compared(reply["value"])
    try:
        return (*trained_and_losses(reply["value"], params, steps), reply)
    except CheckFailed as failure:
        warned = first_warning(reply)
        if warned and any(sign in str(failure) for sign in NOT_FINITE):
            failure.args = (f"{warned[0].upper()}{warned[1:]}; then {failure}",)
        raise


def first_warning(reply):
    """The first warning the call of ``reply`` raised, with the learner's line that raised it when
    it was one of theirs; "" when there was none."""
    texts = reply.get("warnings") or []
    if not texts:
        return ""
    places = reply.get("warned_at") or [None]
    place = places[0] if isinstance(places[0], dict) else None
    line = f", at {place['file']}, line {place['line']}: {place['source']}" if place else ""
    return f"the first warning of the run was {texts[0]}{line}"


def as_compared(value):
    """What train returned, with losses given as a list of floats made an array, as the
    catalogued mistakes' runs give them, so the diagnosis compares like with like."""
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], list) \
            and all(isinstance(v, float) for v in value[1]):
        return value[0], np.array(value[1])
    return value


def trained_and_losses(value, params, steps):
    """What train returned, checked for structure: (params, losses as an array)."""
    trained, losses = expect_tuple(value, "train", ("params", "losses"))
    return expect_params(trained, params, "params"), expect_numbers(losses, "losses", steps)


def _own_first_loss(submission, losses, x, y, params):
    """Whether losses[0] is the learner's own classifier_loss on the starting params: then the
    loop records the loss right, and a wrong loss is classifier_loss's fault, graded there."""
    try:
        return bool(np.isclose(losses[0], float(submission.classifier_loss(x, y, params)[0]), rtol=1e-5, atol=1e-8))
    except Exception:  # no loss of its own to compare with
        return False


@pytest.mark.step("train", points=1)
@pytest.mark.timeout(60)
def test_train_records_each_loss_and_updates(submission, reference):
    """train returns new params and one loss per step, the first being the starting loss"""
    expect_records_and_updates(submission.train, submission, reference)


def expect_records_and_updates(train, submission, reference):
    """One step, then five, of ``train`` (the learner's, or one standing for it): finite params
    after the first, a loss per step, the first the starting loss, and params that moved."""
    params, data, _ = pronoun_setup()
    expect_first_step(train, params, data)
    trained, losses, _ = learner_training(train, params, data, 5)
    x, y = data[0]
    first = reference.classifier_loss(x, y, params)[0]
    if not np.isclose(losses[0], first, rtol=1e-5, atol=1e-8) and not _own_first_loss(submission, losses, x, y, params):
        raise CheckFailed(f"losses[0] is {losses[0]:.6g}, but the loss of the starting params on data[0] is "
                          f"{first:.6g}: record each step's loss from classifier_loss, before that step's update")
    if all(np.array_equal(trained[k], params[k]) for k in params):
        raise CheckFailed("train returned the starting params unchanged after 5 steps: is each update "
                          "written back into the params used by the next step and returned?")


def expect_first_step(train, params, data):
    """A single step from the start leaves every parameter finite. Where a mistake turns the
    weights to NaN at once (a division by zero in the update), which entries are NaN, and the
    values of the others, tell which one it is: the run is kept for the diagnosis."""
    steps, lr, clip = 1, TRAIN["lr"], TRAIN["clip"]
    with recorded("train", (params, data, steps, lr, clip)) as evidence, \
            noted(f"(after the first step, lr {lr}, clip {clip:g})"):
        learner_training(train, params, data, steps, clip, evidence)


def _why_not_learned(submission, reference, trained, losses, held_out, params, data, got):
    """Why the reference's LSTM on the learned weights misses the target, from what the run left:
    its losses, which training batches the weights fit, and how far they moved. The optimiser is
    to blame only where the learner's own LSTM and loss are the reference's."""
    start, end = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
    if end <= 0.9 * start:  # the loss fell: perhaps the weights suit the learner's own LSTM only
        try:
            own = tasks.accuracy(submission.lstm_forward, trained, held_out)
        except Exception:  # the learner's own forward cannot give a second opinion
            own = None
        if own is not None and own >= TARGET:
            return (f"your loop trains: with your own lstm_forward these weights label {own:.0%}, with the "
                    f"reference's {got:.0%}. So your LSTM computes something other than the kit's (are the "
                    f"gate blocks in the order i, f, g, o?): fix lstm_step_forward and lstm_forward first")
    if not _same_loss_and_gradients(submission, reference, params, *data[0]):
        return OTHER_FUNCTION
    per_batch = _losses_per_batch(reference, trained, data)
    fit = _batches_fitted(per_batch, len(data))
    if fit:
        return fit
    if end > start:
        return "the loss went up: is the update's sign right (params move against the gradient)?"
    return _how_far_moved(trained, losses, params, end)


def _losses_per_batch(reference, trained, data):
    """The loss of the trained weights on each training batch, or None where it cannot be had (a
    handout's stand-in for the reference's classifier_loss that is not yet to be trusted)."""
    try:
        with np.errstate(all="ignore"):
            return np.array([float(reference.classifier_loss(x, y, trained)[0]) for x, y in data])
    except Exception:
        return None


def _batches_fitted(per_batch, count):
    """What the trained weights' losses on the training batches say when they fit some batches and
    not the others: the run trained on those alone. "" when that is not so."""
    if per_batch is None:
        return ""
    fitted = np.flatnonzero(per_batch < FITTED)
    others = np.delete(per_batch, fitted)
    if not 0 < len(fitted) <= count // 2 or others.mean() < 10 * FITTED:
        return ""
    if list(fitted) == [0]:
        which = f"data[0] alone (loss {float(per_batch[0]):.3g} there"
    else:
        which = (f"only {len(fitted)} of them, data[{', '.join(map(str, fitted))}] (loss "
                 f"{float(per_batch[fitted].max()):.3g} or less there")
    return (f"of the {count} training batches your trained weights fit {which}, {float(others.mean()):.3f} on "
            f"average on the other {len(others)}): the steps trained on {'it' if len(fitted) == 1 else 'those'} "
            f"alone, and what the model learned there does not carry over to new sentences. Step s takes its "
            f"batch from data[s % len(data)]")


def _how_far_moved(trained, losses, params, end):
    """What the loss and the params' moves say: the loss stuck at chance, the params moved far
    further than Adam can take them at this lr (lr not used), one step's worth (updates not kept)
    or hardly at all. An Adam step moves each weight by about lr at most (the reference's run here
    moves none by more than 0.3 lr a step on average), whatever the gradient's size."""
    steps, lr = len(losses), TRAIN["lr"]
    moved = max(float(np.max(np.abs(trained[k] - params[k]))) for k in params)
    at_chance = abs(end - CHANCE) < 0.05 and np.mean(np.abs(losses[10:] - CHANCE) < 0.05) >= 0.9
    said = (f"your loss stayed at chance, ln 2 = {CHANCE:.3f} (the mean loss of a model that gives both pronouns "
            f"the same probability), and " if at_chance else "")
    figures = f"your params moved {moved:.3g} at most from where they started"
    bound = f"an Adam step moves a weight by about lr = {lr} at most, {steps} steps by {lr * steps:.3g}"
    if moved > 3 * lr * steps:
        return f"{said}{figures}, where {bound}: is lr used in the update, as given?"
    if moved <= 1.5 * lr:
        return f"{said}{figures}, one step's worth at lr {lr}, in {steps} steps: is each update kept for the next step?"
    if moved < 0.1 * lr * steps:
        return (f"{said}{figures}, where {bound} and the docstring's Adam moves some by a third of that: your steps "
                f"are far too small. Compare m, v and their bias corrections with the docstring's equations (which "
                f"beta goes with which), and check that lr is used as given")
    if at_chance:
        return f"{said}{figures}: compare your update with the Adam equations in the docstring"
    return "the loss fell, but not far enough: compare your update with the Adam equations in the docstring"


def _same_loss_and_gradients(submission, reference, params, x, y):
    try:
        loss, grads = submission.classifier_loss(x, y, params)
        ref_loss, ref_grads = reference.classifier_loss(x, y, params)
        return bool(np.isclose(loss, ref_loss, rtol=1e-5)) and all(
            np.allclose(grads[k], ref_grads[k], rtol=1e-4, atol=1e-8) for k in ref_grads)
    except Exception:  # no loss or gradients of its own to compare with
        return False


@pytest.mark.step("train", points=2)
@pytest.mark.timeout(60)
def test_train_follows_adam_or_momentum(submission, reference):
    """train's first steps move every parameter as Adam or SGD with momentum does, clipped or not"""
    for clip in SHORT_CLIPS:
        expect_sanctioned_run(submission, reference, clip)


def expect_sanctioned_run(submission, reference, clip):
    """A short run of the learner's train with ``clip`` ends where one of the sanctioned optimisers,
    run by the reference from the same start, ends; every parameter moved."""
    params, data, _ = pronoun_setup()
    steps, lr = SHORT_STEPS, TRAIN["lr"]
    setting = f"{steps} steps with lr {lr} and clip {clip:g} ({SHORT_CLIPS[clip]})"
    with recorded("train", (params, data, steps, lr, clip)) as evidence:
        trained, losses, _ = learner_training(submission.train, params, data, steps, clip)
        evidence.got = (trained, losses)
        unmoved = [k for k in params if np.array_equal(trained[k], params[k])]
        if unmoved:
            raise CheckFailed(f"after {setting}, train returned params[{unmoved[0]!r}] as it started: every "
                              f"parameter is updated at every step ({', '.join(unmoved)} included)")
        runs = {name: reference.train(params, data, steps, lr, clip, *how)[0] for name, how in OPTIMISERS.items()}
        gaps = {name: _run_gap(trained, run, params) for name, run in runs.items()}
        if min(gap for gap, _ in gaps.values()) <= RUN_TOL:
            return
        if all(_agreement(trained, run, params) < 0 for run in runs.values()):
            raise CheckFailed(f"after {setting}, your params moved away from where either optimiser takes them: "
                              f"is the update's sign right (params move against the gradient)?")
        if not _same_loss_and_gradients(submission, reference, params, *data[0]):
            raise CheckFailed(f"after {setting}, your params are not where the docstring's optimisers take "
                              f"them: {OTHER_FUNCTION}")
        name = min(runs, key=lambda n: max(np.max(np.abs(trained[k] - runs[n][k])) for k in params))
        gap, key = gaps[name]  # the closer in distance: an SGD step is far smaller than Adam's
        off = f"params[{key!r}] is off from where {name} takes it by {gap:.2g} of its largest move"
        raise CheckFailed(f"after {setting}, your params are neither Adam's nor SGD with momentum's from the same "
                          f"start: the closest is {name}, and {off}. Compare your clipping (by the norm of all the "
                          f"gradients together) and your update with the docstring's equations.",
                          named_detail=f"after {setting}, {off}.")


def _agreement(trained, run, params):
    """The cosine between the learner's move of all the params together and ``run``'s."""
    mine, theirs = (np.concatenate([(p[k] - params[k]).ravel() for k in params]) for p in (trained, run))
    return float(mine @ theirs / (np.linalg.norm(mine) * np.linalg.norm(theirs)))


def _run_gap(trained, run, params):
    """(the largest gap between the learner's move of a parameter and ``run``'s, relative to
    ``run``'s largest move of it; that parameter) over every parameter."""
    gaps = {}
    for k in params:
        move = run[k] - params[k]
        gaps[k] = float(np.max(np.abs(trained[k] - run[k])) / max(np.max(np.abs(move)), 1e-300))
    key = max(gaps, key=gaps.get)
    return gaps[key], key


@pytest.mark.step("train", points=4)
@pytest.mark.timeout(120)
def test_train_learns_the_pronoun_task(submission, reference):
    """a model trained with your code remembers the name: >= 95% on held-out sentences"""
    params, data, held_out = pronoun_setup()
    steps = TRAIN["steps"]
    trained, losses, reply = learner_training(submission.train, params, data, steps)
    got = tasks.accuracy(reference.lstm_forward, trained, held_out)
    if got < TARGET:
        start, end = float(np.mean(losses[:10])), float(np.mean(losses[-10:]))
        why = _why_not_learned(submission, reference, trained, losses, held_out, params, data, got)
        warned = first_warning(reply)
        raise CheckFailed(f"after {steps} steps (lr {TRAIN['lr']}, clip {TRAIN['clip']}) your model labels "
                          f"{got:.0%} of {sum(len(y) for _, y in held_out)} held-out sentences right; it needs "
                          f"{TARGET:.0%}. Your mean loss went from {start:.3f} (first 10 steps) to {end:.3f} "
                          f"(last 10): {why}" + (f". Also, {warned}" if warned else ""))


@pytest.mark.step("train", points=1)
@pytest.mark.timeout(60)
def test_train_keeps_its_params(submission, reference):
    """train leaves the params it is given unchanged"""
    expect_inputs_kept_while(submission.train, TRAIN_ARGS,
                             lambda train: expect_records_and_updates(train, submission, reference))

"""The catalogue of common mistakes: a name, the steps where it happens, and what it means.

Text for the learner, editable like the hints. How each mistake is recognised lives elsewhere:
most have *forms* in ``grader.judge.variants`` (the reference with that one mistake, compared with the
learner's output by ``grader.judge.diagnosis``; a handout has not the forms but their recorded
outputs, and ``grader.judge.forms_index``); the others are recognised from what the worker
reports (a warning, an input changed in place) by the check that sees it.
"""
from dataclasses import dataclass

from grader.course.steps import STEPS

GATES = ("forget_gate", "input_gate", "output_gate")
AFFINE = GATES + ("candidate",)  # every step of the form act(x @ Wx + h_prev @ Wh + b)
EVERY_STEP = tuple(step.name for step in STEPS)


@dataclass(frozen=True)
class Mistake:
    key: str
    name: str          # what the learner reads: "This looks like <name>: <message>"
    steps: tuple
    message: str       # what the mistake does and what to look at, without giving the code


CATALOGUE = {m.key: m for m in [
    Mistake("overflow_sigmoid", "an overflow-prone sigmoid", ("sigmoid",),
            "1 / (1 + exp(-z)) asks for exp(1000) at z = -1000, which overflows float64 and makes "
            "NumPy warn. Only ever take exp of a number that is zero or negative, and choose the "
            "form of the fraction by the sign of z."),
    Mistake("where_both_branches", "np.where computing both branches", ("sigmoid",),
            "your sigmoid already picks the fraction by the sign of z, but np.where(cond, A, B) computes A "
            "and B on every element before it picks, so the fraction meant for z < 0 still runs at z = 1000 "
            "and the other at z = -1000, and each overflows there. Build both fractions from one exp of "
            "-|z|, which never exceeds 1, so that neither can overflow anywhere."),
    Mistake("sigmoid_mirrored", "a mirrored sigmoid, 1 - sigmoid(z)", ("sigmoid",),
            "your values are sigmoid(-z) = 1 - sigmoid(z), every one mirrored around 0.5. Check the sign "
            "inside each exp, and which form of the fraction goes with which sign of z."),
    Mistake("gate_tanh", "tanh instead of sigmoid on a gate", GATES,
            "a gate is a fraction in (0, 1), which is what sigmoid gives; tanh gives (-1, 1), so the "
            "gate could go negative. Squash the sum with the sigmoid you wrote in step 1."),
    Mistake("candidate_sigmoid", "a sigmoid on the candidate", ("candidate", "lstm_step_forward"),
            "the candidate g is content, not a gate: it needs a sign, so it is squashed with tanh into "
            "(-1, 1). With a sigmoid it stays in (0, 1) and could only ever add to the memory. In the "
            "fused cell, only the g block takes tanh."),
    Mistake("missing_bias", "a missing bias", AFFINE + ("lstm_step_forward", "rnn_step"),
            "your output matches the right formula with b left out. The bias is part of the "
            "pre-activation; it has one entry per column and broadcasts over the batch rows."),
    Mistake("swapped_weights", "x and h_prev weights swapped", AFFINE + ("lstm_step_forward",),
            "Wx multiplies x and Wh multiplies h_prev: Wx has D rows to meet x's D columns, Wh has H "
            "rows to meet h_prev's H columns. Swapped, the products only fit when D equals H."),
    Mistake("transposed_weights", "a transposed weight matrix", AFFINE,
            "the weights are stored (inputs, outputs), so x @ Wx and h_prev @ Wh are already (N, H) "
            "and need no .T. A square Wh (H, H) still multiplies when transposed, with wrong values."),
    Mistake("gates_swapped", "forget and input gates swapped", ("cell_update", "lstm_step_forward"),
            "the forget gate scales the old cell state (what to keep) and the input gate scales the "
            "candidate (what to write); yours has them the other way round. In the fused cell, also "
            "check which block each gate is read from."),
    Mistake("plus_for_times", "+ instead of * in a gate product", ("cell_update", "hidden_state"),
            "a gate acts by multiplying, elementwise: a fraction of 0.3 keeps 30% of what it scales. "
            "Adding the gate shifts the values instead. Look for a + between a gate and what it scales."),
    Mistake("h_without_tanh", "h = o * c (no tanh)", ("hidden_state", "lstm_step_forward"),
            "the cell state accumulates and can grow beyond 1, so it is squashed into (-1, 1) with "
            "tanh before the output gate picks what to show."),
    Mistake("tanh_of_product", "h = tanh(o * c)", ("hidden_state", "lstm_step_forward"),
            "tanh squashes the cell state, and the output gate then scales the squashed value; yours "
            "applies tanh after the gate, so the gate no longer acts as a plain fraction of it."),
    Mistake("cs231n_order", "gate blocks in CS231n's order (i, f, o, g)", ("lstm_step_forward",),
            "this kit stacks the four blocks as i, f, g, o, as PyTorch and Keras do; CS231n's notebook "
            "uses i, f, o, g. Read g from the third block of H columns and o from the fourth."),
    Mistake("block_order", "gate blocks read in the wrong order", ("lstm_step_forward",),
            "a holds four blocks of H columns, in the order i, f, g, o; your gates are read from other "
            "blocks than their own. Check the start and end of each slice."),
    Mistake("interleaved_blocks", "gate columns read interleaved, not as blocks", ("lstm_step_forward",),
            "a holds four contiguous blocks of H columns (i, f, g, o), not the four gates of each unit "
            "side by side: a[:, k::4], or a reshape to (N, H, 4), mixes the gates together."),
    Mistake("cell_state_reset", "cell state not carried through time", ("lstm_forward",),
            "each step must receive the c that the step before it returned; yours starts every step "
            "from a zero cell state, so nothing is remembered beyond one step. Only the first step "
            "starts from zeros."),
    Mistake("h0_ignored", "h0 ignored", ("lstm_forward",),
            "the first step's previous hidden state is the argument h0; your output matches a run "
            "that starts from zeros instead."),
    Mistake("hidden_state_reset", "hidden state not carried through time", ("lstm_forward",),
            "each step's h_prev is the h that the step before it returned; yours gives h0 to every step."),
    Mistake("c0_from_h0", "the cell state started from h0", ("lstm_forward",),
            "h0 is the only state given; the cell state starts empty (c = 0) at the first step, and yours "
            "starts it from h0. Start c from zeros of h0's shape."),
    Mistake("bias_added_twice", "the bias added twice", ("lstm_forward",),
            "b enters each step's pre-activation once, a = x_t @ Wx + h_prev @ Wh + b; yours adds it again "
            "(to every block, or to one gate's block, as an extra forget bias), so the gates see twice their "
            "bias. Add b in one place only."),
    Mistake("h_path_missing", "the h-path term missing from dc", ("lstm_step_backward",),
            "c reaches the loss along the belt (the incoming dc) and also through this step's own "
            "h = o * tanh(c). The gradient of c is the sum of both routes: add the second one, into a "
            "new array, before dc is used anywhere else."),
    Mistake("dc_prev_h_path_missing", "dc_prev from the incoming dc alone", ("lstm_step_backward",),
            "your gate gradients use the total gradient of c (the incoming dc plus the share that reaches c "
            "through h = o * tanh(c)), but dc_prev is f times the incoming dc only. c_prev reaches the loss "
            "through c = f * c_prev + i * g, so it receives f times the same total: use it there too."),
    Mistake("dc_ignored", "the incoming dc (dnext_c) ignored", ("lstm_step_backward",),
            "dc is the gradient that arrives along the conveyor belt from the next step; yours keeps "
            "only what comes through h. Both routes into c add up."),
    Mistake("tanh_prime_missing", "tanh' missing", ("lstm_step_backward", "rnn_step"),
            "every tanh of the forward pass puts its derivative 1 - tanh**2 on the way back (in the "
            "LSTM cell: where h = o * tanh(c) hands the gradient to c, and for the candidate g; in the "
            "plain RNN: h = tanh(...) itself), and every gradient that flows back through that tanh carries "
            "it, dx and dh_prev as well as the weights'. Somewhere it is missing."),
    Mistake("tanh_prime_of_c", "tanh' taken from c, not from tanh(c)", ("lstm_step_backward",),
            "the share of dh that reaches c goes through h = o * tanh(c), so it carries tanh'(c) = "
            "1 - tanh(c)**2; yours is 1 - c**2, which takes c itself for its tanh. Square the tanh(c) the "
            "forward pass used (keep it in the cache)."),
    Mistake("do_without_tanh", "do from c, not from tanh(c)", ("lstm_step_backward",),
            "h = o * tanh(c), so the gradient reaching o is dh times what o scales, tanh(c); yours "
            "multiplies dh by c itself. Use the tanh(c) of the forward pass."),
    Mistake("candidate_sigmoid_prime", "sigmoid' on the candidate g", ("lstm_step_backward",),
            "g = tanh(a_g), so its block of da carries tanh' = 1 - g**2; yours carries a sigmoid's "
            "g * (1 - g), as if g were a gate. If you apply s * (1 - s) to all four blocks at once, give "
            "the g block its own derivative."),
    Mistake("sigmoid_prime_missing", "sigmoid' missing", ("lstm_step_backward",),
            "i, f and o are sigmoids, so the gradient of each one's pre-activation carries "
            "sigmoid' = s * (1 - s), computed from the gate's own value. At least one gate passes "
            "its gradient through without it."),
    Mistake("gate_share_missing", "a gate's share missing from dx or dh_prev", ("lstm_step_backward",),
            "x and h_prev feed all four gates, so each of their gradients is the sum of four shares, one per "
            "block of da (with per-gate weight slices, one product per gate); one gate's share is missing "
            "from yours. The product of the whole (N, 4H) da with Wx.T (or Wh.T) takes every share at once."),
    Mistake("db_wrong_axis", "db summed over the wrong axis", ("lstm_step_backward",),
            "b is added to every row of the batch, so db sums da over the batch axis and keeps one "
            "value per column, like b itself."),
    Mistake("dW_overwritten", "dW overwritten instead of accumulated", ("lstm_backward",),
            "the same weights are used at every time step, so their gradients add up over time; yours "
            "keeps only the share of the last step the loop visited. Start the sums at zero and add "
            "every step's share."),
    Mistake("averaged_over_time", "weight gradients averaged over time", ("lstm_backward",),
            "the loss sees the same weights at every step, so their gradient is the sum of the T steps' "
            "shares, not their mean: yours are exactly T times too small. Add the shares up and leave "
            "them undivided."),
    Mistake("dh_not_added", "dh[:, t] not added to the carried dh", ("lstm_backward",),
            "h_t reaches the loss directly (dh[:, t]) and through the next step (the dh_prev it "
            "returned); the upstream dh of step t is the sum of both, and yours passes only one."),
    Mistake("dh0_missing", "the gradient of h0 not returned", ("lstm_backward",),
            "h0 is an input, so its gradient comes second in (dx, dh0, dWx, dWh, db): after the loop it "
            "is the dh_prev that the first step handed back."),
    Mistake("dh0_from_last_step", "dh0 taken from the last time step", ("lstm_backward",),
            "the loop walks back from t = T-1 to 0, and dh0 is the dh_prev of step 0, the last one it "
            "visits; yours is what step T-1, the first one visited, handed back. Return the carried dh "
            "as it is when the loop ends."),
    Mistake("cache_buffer_overwritten", "a cache holding a buffer that is overwritten later", ("lstm_backward",),
            "each step's cache must keep that step's own h_prev; yours keeps an array that the forward loop "
            "then overwrites in place (h_prev[:] = ...), so by the time lstm_backward runs every step's "
            "cache shows the last step's h. Rebind the name to the new array (h_prev = h_next) instead of "
            "writing into the old one, or cache a copy."),
    Mistake("dc_not_carried", "the cell-state gradient not carried back in time", ("lstm_backward",),
            "each step hands dc_prev back as the incoming dc of the step before it; yours gives every "
            "step a zero dc, which cuts the conveyor belt in the backward pass."),
    Mistake("bias_outside_tanh", "the bias added outside the tanh", ("rnn_step",),
            "h = tanh(x @ Wx + h_prev @ Wh + b): b is part of the pre-activation, inside the tanh. Added "
            "after it, h can leave (-1, 1) and b no longer moves where the tanh bends."),
    Mistake("tanh_prime_not_squared", "tanh' written as 1 - h", ("rnn_step",),
            "the derivative of tanh is 1 - tanh**2, and with h = tanh(a) that is 1 - h**2; yours multiplies "
            "dh by 1 - h. Square h."),
    Mistake("tanh_prime_of_preactivation", "tanh' taken from the pre-activation, not from h", ("rnn_step",),
            "tanh'(a) = 1 - tanh(a)**2 = 1 - h**2; yours is 1 - a**2, the pre-activation a itself squared. "
            "Use the tanh's output h (your cache has it) rather than a."),
    Mistake("transposed_dW", "a transposed weight gradient", ("rnn_step",),
            "each gradient has the shape of its weight, (inputs, outputs): from a = x @ Wx + h_prev @ Wh + b "
            "they are x.T @ da and h_prev.T @ da. Yours is da.T @ h_prev, the transpose, which a square Wh "
            "does not reveal by its shape."),
    Mistake("db_averaged", "a bias gradient averaged, not summed, over the batch",
            ("lstm_step_backward", "rnn_step", "classifier_loss"),
            "b is added to every row of the batch, so its gradient adds up the rows of the upstream gradient: "
            "a sum over the batch axis, not a mean, which makes yours exactly N times too small. (In "
            "classifier_loss the 1 / N of the mean loss is already in dscores: dby = dscores.sum(axis=0).)"),
    Mistake("loss_summed", "the loss summed, not averaged, over the batch", ("classifier_loss",),
            "the loss is the mean of -log p[n, y[n]] over the N sequences; yours is their sum, exactly N "
            "times too large. Divide the sum by N (or take .mean()); the gradients carry the same 1 / N."),
    Mistake("gradients_averaged_twice", "gradients divided by N twice", ("classifier_loss",),
            "dscores already carries the 1 / N of the mean loss, and every gradient follows from it; dividing "
            "by N again (or averaging over the batch once more) makes them exactly N times too small. Divide "
            "once, in dscores."),
    Mistake("labels_by_column", "labels picked by column, p[:, y]", ("classifier_loss",),
            "p[:, y] takes column y[m] of every row, an (N, N) block, so each sequence is scored against every "
            "sequence's label. The label of row n is p[n, y[n]]: index with np.arange(N) and y together, both "
            "for the loss and for the 1 subtracted in dscores."),
    Mistake("softmax_wrong_axis", "a softmax normalised over the batch, not the classes", ("classifier_loss",),
            "p[n] is a distribution over the C classes of sequence n, so each row sums to 1: take the maximum, "
            "the sum of exp and its log along axis=1, with keepdims=True. Yours normalises down the columns, "
            "over the batch."),
    Mistake("gradient_every_step", "the gradient sent into every time step", ("classifier_loss",),
            "the loss reads only the last hidden state h[:, -1], so dh is zero at every other step: set "
            "dh[:, -1] alone, and lstm_backward carries it back through time."),
    Mistake("dh_rebound", "dh rebound instead of filled", ("classifier_loss",),
            "your LSTM gradients (Wx, Wh, b) are all zero: the dh handed to lstm_backward is still the zeros it "
            "was made as. A name bound to dh[:, -1] and then assigned (dh_last = dscores @ Wy.T) points at a "
            "new array; write into dh itself: dh[:, -1] = dscores @ Wy.T."),
    Mistake("softmax_overflow", "an overflow-prone softmax", ("classifier_loss",),
            "exp of a score near 1000 overflows float64 and makes NumPy warn. Subtract each row's "
            "largest score before exp: that leaves the softmax unchanged and keeps every exponent at "
            "or below 0."),
    Mistake("log_of_zero", "the log of a probability that rounded to 0", ("classifier_loss",),
            "with scores far apart, p of the unlikely classes rounds to 0 and its log is -inf. Take "
            "log p as z - log(sum(exp(z))), with z the scores minus their row maximum, rather than "
            "the log of p."),
    Mistake("gradient_sign", "gradients with the wrong sign", ("classifier_loss",),
            "your loss is right but every gradient is its negative: the gradient of the loss "
            "with respect to the scores is p - onehot(y), probabilities minus labels, not the other "
            "way round. Training would climb the loss."),
    Mistake("gradients_not_averaged", "gradients summed, not averaged, over the batch",
            ("classifier_loss",),
            "the loss is the mean over the N sequences, so its gradients carry the same 1 / N; yours "
            "are N times too large."),
    Mistake("clip_not_applied", "a clip computed but never applied", ("train",),
            "your params after the short run are the ones the same optimiser reaches with no clipping at "
            "all, although every step's gradient norm there is over clip: the scale clip / norm is "
            "computed, but the update uses the gradients as they were. Scale every gradient by it before "
            "the moments (or the velocity) take it in."),
    Mistake("clip_always_rescaled", "every gradient rescaled to the clip norm", ("train",),
            "your params after the short run are the ones reached when every step's gradients are scaled "
            "to norm clip, even where their norm is below it. Clipping only shrinks: scale by clip / norm "
            "only when the norm is over clip, and leave the other steps' gradients as they are."),
    Mistake("adam_no_bias_correction", "Adam without its bias correction", ("train",),
            "your params after the short run are Adam's with m and v used as they are. Both start at "
            "zero, so in the first steps they are far too small: the update divides m by 1 - 0.9**t and "
            "v by 1 - 0.999**t, with t = s + 1, before the square root and the division."),
    Mistake("adam_moments_reset", "Adam's moments reset at every step", ("train",),
            "your params after the short run are Adam's when m and v start again from zero at every step, "
            "so they average nothing. Make them once, before the loop over the steps, one pair per "
            "parameter, and let each step add to what the earlier steps left."),
    Mistake("update_sign", "the update's sign reversed", ("train",),
            "your params after the short run are where the same optimiser takes them when each step adds "
            "its update instead of taking it away, so they climb the loss. Params move against the gradient: "
            "param -= lr * (the update), and for SGD with momentum velocity = 0.9 * velocity - lr * grad."),
    Mistake("first_batch_only", "every step trained on data[0]", ("train",),
            "your params after the short run are the ones the same optimiser reaches when every step takes "
            "its gradients from the first batch: the update is right, but the model only ever sees data[0] "
            "(its loss there falls towards zero while the other batches stay unlearned). Step s takes "
            "(x, y) = data[s % len(data)], so the run goes round all the batches."),
    Mistake("lr_not_used", "the learning rate not used as given", ("train",),
            "your params after the short run are the ones the same optimiser reaches with another learning "
            "rate: lr left out of the update (a step of 1, so the weights jump and the loss sticks near "
            "chance, ln 2), or a rate written into the code (0.001). Multiply the update by the lr train "
            "is given."),
    Mistake("adam_betas_swapped", "Adam's two betas swapped", ("train",),
            "your params after the short run are Adam's with 0.9 and 0.999 the other way round. m, the "
            "running mean of the gradient, decays with 0.9 (m = 0.9 * m + 0.1 * grad); v, the running mean "
            "of its square, with 0.999 (v = 0.999 * v + 0.001 * grad**2); and each bias correction uses "
            "its own moment's beta."),
    Mistake("adam_epsilon_missing", "Adam without the 1e-8 in its denominator", ("train",),
            "a gradient entry that is exactly zero (the input weights of a word absent from the batch) "
            "leaves m and v at zero, and m_hat / sqrt(v_hat) is then 0 / 0, NaN, which spreads to every "
            "weight at the next step. Add 1e-8 to sqrt(v_hat), outside the square root."),
    Mistake("adam_step_from_zero", "Adam's step count starting at 0", ("train",),
            "the bias corrections divide by 1 - 0.9**t and 1 - 0.999**t, which are 0 at t = 0: the first "
            "update divides by zero and every weight turns NaN. t counts the updates from 1 (t = s + 1)."),
    Mistake("mutated_input", "mutating an input array in place", EVERY_STEP,
            "an in-place update (+=, *=, or writing into an argument's slice) changes the caller's "
            "array, which still needs its old values. Compute into a new array, or work on a .copy()."),
]}


def explain(key, detail, how=""):
    """The learner's message for a recognised mistake (and ``how`` it was recognised), followed
    by the check's own figures."""
    mistake = CATALOGUE[key]
    return f"This looks like {mistake.name}: {mistake.message}{' ' + how if how else ''} Details: {detail}"

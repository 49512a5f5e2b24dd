"""Which forms of the catalogued mistakes there are, without their code.

A form is the reference with one mistake in it (``grader.judge.variants``, the kit's alone). The
diagnosis needs less than the forms to name a mistake from a handout's recording of their outputs
(``grader.judge.mistake_outputs``): which forms each of the learner's functions has, in the
order they are tried, and the inputs of the square probe. That is this module, so a handout's
grader carries no form's code, whose pieces of the right computation would answer its steps.
``grader.judge.variants`` checks on import that its forms are exactly the ones counted here.
"""
from grader.course.inputs import cell_update_args, gate_args, hidden_state_args, sequence_args, step_args
from grader.course.mistakes import AFFINE, CATALOGUE, GATES

# mistake key -> {the learner's function: how many forms of that mistake it has}
COUNTS = {
    "sigmoid_mirrored": {"sigmoid": 1},
    "gate_tanh": dict.fromkeys(GATES, 1),
    "candidate_sigmoid": {"candidate": 1, "lstm_step_forward": 1},
    "missing_bias": {**dict.fromkeys(AFFINE, 1), "rnn_step_forward": 1, "lstm_step_forward": 1},
    "swapped_weights": {**dict.fromkeys(AFFINE, 1), "lstm_step_forward": 1},
    "transposed_weights": dict.fromkeys(AFFINE, 3),  # Wh, both, or Wx transposed
    "gates_swapped": {"cell_update": 1, "lstm_step_forward": 1},
    "plus_for_times": {"cell_update": 3, "hidden_state": 1},
    "h_without_tanh": {"hidden_state": 1, "lstm_step_forward": 1},
    "tanh_of_product": {"hidden_state": 1, "lstm_step_forward": 1},
    "cs231n_order": {"lstm_step_forward": 1},
    "block_order": {"lstm_step_forward": 21},  # the 24 orders of the blocks, less the right one, CS231n's, i and f swapped
    "interleaved_blocks": {"lstm_step_forward": 1},
    "cell_state_reset": {"lstm_forward": 1},
    "h0_ignored": {"lstm_forward": 1},
    "hidden_state_reset": {"lstm_forward": 1},
    "c0_from_h0": {"lstm_forward": 1},
    "bias_added_twice": {"lstm_forward": 2},  # on every block, or on the forget gate's alone
    "h_path_missing": {"lstm_step_backward": 1},
    "dc_prev_h_path_missing": {"lstm_step_backward": 1},
    "dc_ignored": {"lstm_step_backward": 1},
    "tanh_prime_missing": {"lstm_step_backward": 2, "rnn_step_backward": 3},
    "tanh_prime_of_c": {"lstm_step_backward": 1},
    "do_without_tanh": {"lstm_step_backward": 1},
    "candidate_sigmoid_prime": {"lstm_step_backward": 1},
    "sigmoid_prime_missing": {"lstm_step_backward": 4},  # all three gates, or one of i, f, o
    "gate_share_missing": {"lstm_step_backward": 12},  # one of the four gates' shares, from dx, dh_prev or both
    "db_wrong_axis": {"lstm_step_backward": 2},
    "dW_overwritten": {"lstm_backward": 4},  # all three, or one of dWx, dWh, db
    "averaged_over_time": {"lstm_backward": 1},
    "dh_not_added": {"lstm_backward": 1},
    "dh0_missing": {"lstm_backward": 3},
    "dh0_from_last_step": {"lstm_backward": 1},
    "cache_buffer_overwritten": {"lstm_backward": 1},
    "dc_not_carried": {"lstm_backward": 1},
    "bias_outside_tanh": {"rnn_step_forward": 1},
    "tanh_prime_not_squared": {"rnn_step_backward": 1},
    "tanh_prime_of_preactivation": {"rnn_step_backward": 1},
    "transposed_dW": {"rnn_step_backward": 2},
    "db_averaged": {"lstm_step_backward": 1, "rnn_step_backward": 1, "classifier_loss": 1},
    "loss_summed": {"classifier_loss": 2},
    "gradients_averaged_twice": {"classifier_loss": 3},
    "labels_by_column": {"classifier_loss": 1},
    "softmax_wrong_axis": {"classifier_loss": 2},
    "gradient_every_step": {"classifier_loss": 1},
    "dh_rebound": {"classifier_loss": 1},
    "gradient_sign": {"classifier_loss": 1},
    "gradients_not_averaged": {"classifier_loss": 1},
    "clip_not_applied": {"train": 2},  # Adam or SGD with momentum
    "clip_always_rescaled": {"train": 2},
    "adam_no_bias_correction": {"train": 1},
    "adam_moments_reset": {"train": 1},
    "update_sign": {"train": 2},  # Adam or SGD with momentum
    "first_batch_only": {"train": 2},  # Adam or SGD with momentum
    "lr_not_used": {"train": 3},  # lr left out of Adam's or momentum's update, or Adam's 0.001 written in
    "adam_betas_swapped": {"train": 2},  # in the moments alone, or in the bias corrections too
    "adam_epsilon_missing": {"train": 1},
    "adam_step_from_zero": {"train": 1},
}

_GATE_SHARES = [f"In yours the {gate} share is missing from {grads}."
                for gate in ("input gate's", "forget gate's", "candidate's", "output gate's")
                for grads in ("dx", "dh_prev", "dx and dh_prev")]

# What each form of a mistake with several has wrong, for the learner: a partial form (one gradient
# of three, one path of two, one gate of four) is named with the part it gets wrong. One sentence
# per form, in the forms' order; "" says nothing more than the catalogue's message.
PARTS = {
    "transposed_weights": dict.fromkeys(AFFINE, ["In yours Wh is transposed.", "In yours both Wx and Wh are.",
                                                 "In yours Wx is transposed."]),
    "plus_for_times": {"cell_update": ["In yours f is added to c_prev.", "In yours i is added to g.",
                                       "In yours both products are sums."]},
    "bias_added_twice": {"lstm_forward": ["In yours every block gets it twice.",
                                          "In yours only the forget gate's block gets it twice."]},
    "tanh_prime_missing": {
        "lstm_step_backward": ["In yours it is missing where h = o * tanh(c) hands the gradient to c.",
                               "In yours it is missing from the candidate's block of da."],
        "rnn_step_backward": ["In yours every gradient misses it.",
                              "In yours only dh_prev skips it; dx and the weights' gradients have it.",
                              "In yours dx and dh_prev skip it; the weights' gradients have it."]},
    "sigmoid_prime_missing": {"lstm_step_backward": [
        "In yours all three gates lack it.", "In yours only the input gate's block lacks it.",
        "In yours only the forget gate's block lacks it.", "In yours only the output gate's block lacks it."]},
    "gate_share_missing": {"lstm_step_backward": _GATE_SHARES},
    "db_wrong_axis": {"lstm_step_backward": ["In yours db sums over the units (axis 1).",
                                             "In yours db sums every entry into one number."]},
    "dW_overwritten": {"lstm_backward": ["In yours all three, dWx, dWh and db, are overwritten.",
                                         "In yours only dWx is overwritten; dWh and db add up.",
                                         "In yours only dWh is overwritten; dWx and db add up.",
                                         "In yours only db is overwritten; dWx and dWh add up."]},
    "dh0_missing": {"lstm_backward": ["In yours dh0 is left out of the returned tuple.", "In yours dh0 is zeros.",
                                      "In yours dh0 is the upstream dh[:, 0], passed through."]},
    "transposed_dW": {"rnn_step_backward": ["In yours dWh is transposed.", "In yours both dWx and dWh are."]},
    "loss_summed": {"classifier_loss": ["In yours the gradients are averaged; the loss alone is summed.",
                                        "In yours the gradients are summed too, N times too large."]},
    "gradients_averaged_twice": {"classifier_loss": ["In yours every gradient is.",
                                                     "In yours dWy and dby, the affine layer's, are.",
                                                     "In yours the LSTM's dWx, dWh and db are."]},
    "lr_not_used": {"train": ["In yours Adam's update leaves lr out.", "In yours the velocity leaves lr out.",
                              "In yours the rate is 0.001, written into the code."]},
    "adam_betas_swapped": {"train": ["In yours they are swapped in m and v; the bias corrections have them right.",
                                     "In yours they are swapped everywhere, the bias corrections too."]},
}


def part(key, function, k):
    """The sentence saying what form k of ``key`` for ``function`` gets wrong, or ""."""
    return PARTS.get(key, {}).get(function, [""] * (k + 1))[k]


# Input makers for a probe at SQUARE_SEED (D == H), where the swapped and transposed products run.
PROBES = {**{name: gate_args for name in AFFINE}, "cell_update": cell_update_args,
          "hidden_state": hidden_state_args, "lstm_step_forward": step_args, "lstm_forward": sequence_args}


def counted():
    """{(mistake key, the learner's function): how many forms}, as ``grader.judge.variants`` registers them."""
    return {(key, function): n for key, by_function in COUNTS.items() for function, n in by_function.items()}


def positions(name):
    """[(mistake key, k)] of every form of ``name``, in the order the diagnosis tries them: the catalogue's."""
    return [(key, k) for key in CATALOGUE for k in range(COUNTS.get(key, {}).get(name, 0))]


def functions():
    """The learner's functions that have forms, sorted."""
    return sorted({function for by_function in COUNTS.values() for function in by_function})

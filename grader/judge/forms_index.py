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
    "h_path_missing": {"lstm_step_backward": 1},
    "dc_prev_h_path_missing": {"lstm_step_backward": 1},
    "dc_ignored": {"lstm_step_backward": 1},
    "tanh_prime_missing": {"lstm_step_backward": 2, "rnn_step_backward": 1},
    "tanh_prime_of_c": {"lstm_step_backward": 1},
    "do_without_tanh": {"lstm_step_backward": 1},
    "candidate_sigmoid_prime": {"lstm_step_backward": 1},
    "sigmoid_prime_missing": {"lstm_step_backward": 4},  # all three gates, or one of i, f, o
    "gate_share_missing": {"lstm_step_backward": 12},  # one of the four gates' shares, from dx, dh_prev or both
    "db_wrong_axis": {"lstm_step_backward": 2},
    "dW_overwritten": {"lstm_backward": 1},
    "dh_not_added": {"lstm_backward": 1},
    "dh0_missing": {"lstm_backward": 3},
    "dc_not_carried": {"lstm_backward": 1},
    "gradient_sign": {"classifier_loss": 1},
    "gradients_not_averaged": {"classifier_loss": 1},
    "clip_not_applied": {"train": 2},  # Adam or SGD with momentum
    "clip_always_rescaled": {"train": 2},
    "adam_no_bias_correction": {"train": 1},
    "adam_moments_reset": {"train": 1},
}

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

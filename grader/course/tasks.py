"""The pronoun task: remember a name across filler words, then say "she" or "he".

A sequence is a name, k filler tokens, and a blank where the pronoun goes:

    Sarah went to the store . ___          label: she
    John read a book . it was late . ___   label: he

Only the first token decides the label, and every filler is drawn the same way whatever the
name, so a model that does not carry the name to the blank cannot beat 50%. Tokens reach the
model one-hot: x[n, t] is a vector of length VOCAB_SIZE with a single 1 (no embedding layer, so
the whole model is the LSTM and one affine layer on its last hidden state).

Everything is generated from a seed: the same seed gives the same batches, with no downloads.
"""
import functools

import numpy as np

FEMALE = ("Sarah", "Mary", "Emma", "Anna", "Lucy", "Grace", "Alice", "Julia")
MALE = ("John", "David", "James", "Peter", "Paul", "Tom", "Jack", "Sam")
PHRASES = ("went to the store .", "read a book .", "walked the dog in the park .", "made some tea .",
           "called NAME .", "sat by the window with NAME .", "took the bus home .", "NAME was late .")
BLANK = "___"
LABELS = ("she", "he")          # class 0, class 1
CLASSES = len(LABELS)
DEFAULT_KS = tuple(range(5, 21))

FILLERS = tuple(dict.fromkeys(word for phrase in PHRASES for word in phrase.split() if word != "NAME"))
VOCAB = FEMALE + MALE + FILLERS + (BLANK,)
INDEX = {token: n for n, token in enumerate(VOCAB)}
VOCAB_SIZE = len(VOCAB)


def label_of(name):
    """0 ("she") for a female name, 1 ("he") for a male one."""
    if name in FEMALE:
        return 0
    if name in MALE:
        return 1
    raise ValueError(f"{name!r} is not one of the task's names: {', '.join(FEMALE + MALE)}")


def fillers(k, rng):
    """k filler tokens: whole phrases drawn at random, the last one cut to fit."""
    words = []
    while len(words) < k:
        words += PHRASES[rng.integers(len(PHRASES))].split()
    names = FEMALE + MALE
    return [names[rng.integers(len(names))] if w == "NAME" else w for w in words[:k]]


def sentence(k, rng):
    """One example: (tokens, label), tokens = [name, k fillers..., BLANK]."""
    name = (FEMALE + MALE)[rng.integers(len(FEMALE) + len(MALE))]
    return [name, *fillers(k, rng), BLANK], label_of(name)


def encode(token_lists):
    """One-hot inputs of shape (N, T, VOCAB_SIZE) for N token lists of equal length T."""
    lengths = {len(tokens) for tokens in token_lists}
    if len(lengths) != 1:
        raise ValueError(f"a batch needs sequences of one length; got lengths {sorted(lengths)}")
    x = np.zeros((len(token_lists), lengths.pop(), VOCAB_SIZE))
    for n, tokens in enumerate(token_lists):
        x[n, np.arange(len(tokens)), [INDEX[token] for token in tokens]] = 1.0
    return x


def batch(size, k, rng):
    """(x, y): ``size`` sequences with k fillers each; x (size, k + 2, VOCAB_SIZE), y (size,) ints."""
    examples = [sentence(k, rng) for _ in range(size)]
    return encode([tokens for tokens, _ in examples]), np.array([label for _, label in examples])


def batches(count, size, ks=DEFAULT_KS, seed=0):
    """``count`` batches; batch j has k = ks[j % len(ks)] fillers, so every distance is covered.

    The same arguments give the same batches: they are made once per process (a notebook's
    check() and make watch grade again and again) and handed out as fresh copies."""
    return [(x.copy(), y.copy()) for x, y in _batches(count, size, tuple(ks), seed)]


@functools.lru_cache(maxsize=16)
def _batches(count, size, ks, seed):
    rng = np.random.default_rng(seed)
    return [batch(size, ks[j % len(ks)], rng) for j in range(count)]


def init_params(hidden, seed=0, cell="lstm", vocab_size=VOCAB_SIZE, classes=CLASSES):
    """Starting weights for an LSTM (``cell="lstm"``) or plain tanh RNN classifier.

    Keys: Wx, Wh, b for the recurrent layer (4H wide for the LSTM, gates i, f, g, o), and
    Wy (H, classes), by (classes,) for the affine layer on the last hidden state. The LSTM's
    forget-gate bias starts at 1, so a fresh network keeps its memory until it learns to drop it.
    """
    if cell not in ("lstm", "rnn"):
        raise ValueError(f"cell must be 'lstm' or 'rnn', not {cell!r}")
    rng = np.random.default_rng(seed)
    width = 4 * hidden if cell == "lstm" else hidden
    b = np.zeros(width)
    if cell == "lstm":
        b[hidden:2 * hidden] = 1.0
    return {"Wx": rng.standard_normal((vocab_size, width)) / np.sqrt(vocab_size),
            "Wh": rng.standard_normal((hidden, width)) / np.sqrt(hidden),
            "b": b,
            "Wy": rng.standard_normal((hidden, classes)) / np.sqrt(hidden),
            "by": np.zeros(classes)}


def accuracy(forward, params, data):
    """Fraction of the sequences in ``data`` (a list of (x, y)) classified right.

    ``forward(x, h0, Wx, Wh, b) -> (h, cache)`` runs the recurrent layer (``lstm_forward``, or a
    plain RNN's forward); the prediction is the larger score of h[:, -1] @ Wy + by.
    """
    right = total = 0
    for x, y in data:
        h0 = np.zeros((x.shape[0], params["Wh"].shape[0]))
        h, _ = forward(x, h0, params["Wx"], params["Wh"], params["b"])
        scores = h[:, -1] @ params["Wy"] + params["by"]
        right += int(np.sum(np.argmax(scores, axis=1) == y))
        total += len(y)
    return right / total

"""``make demo``: train the LSTM on the pronoun task and show why it remembers.

Not graded. It trains the learner's code once every step passes (otherwise the reference),
then shows the gates at work on "Sarah went to the store . ___", the gradient that reaches the
first word as the distance grows (the bucket brigade), and accuracy against distance for a plain
RNN and the LSTM. ``--png DIR`` also writes the pictures as PNG files (needs matplotlib).
"""

_train = train


def train(params, data, steps, lr, clip):
    trained, losses = _train(params, data, steps, lr, clip)
    for k in params:
        params[k] += 1.0  # the caller's arrays, after the right answer is made
    return trained, losses

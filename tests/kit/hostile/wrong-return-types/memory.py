_train = train


def train(params, data, steps, lr, clip):
    trained, losses = _train(params, data, steps, lr, clip)
    return trained, [10**400] * len(losses)  # a whole number no float can hold

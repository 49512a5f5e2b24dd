import warnings

_classifier_loss = classifier_loss


def classifier_loss(x, y, params):
    if np.abs(params["by"]).max() > 100:  # the stability check's scores near +-1000
        warnings.warn("overflow encountered in exp " + "w" * 20_000_000, RuntimeWarning)
    return _classifier_loss(x, y, params)

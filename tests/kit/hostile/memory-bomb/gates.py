def candidate(x, h_prev, Wx, Wh, b):
    return np.zeros(3 << 28)  # 6 GiB: the machine could give it, the worker's limit does not


def cell_update(c_prev, f, i, g):
    hoard = []
    while True:
        hoard.append(np.ones(1 << 24))  # 128 MiB more, every page written

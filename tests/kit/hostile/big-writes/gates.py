import os


def input_gate(x, h_prev, Wx, Wh, b):
    for _ in range(50):
        os.write(1, b"i" * (1 << 20))


def candidate(x, h_prev, Wx, Wh, b):
    with open("filler.bin", "wb") as f:
        for _ in range(100):
            f.write(b"g" * (1 << 20))
            f.flush()

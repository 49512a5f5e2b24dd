import os
import tempfile


def output_gate(x, h_prev, Wx, Wh, b):
    fd, path = tempfile.mkstemp(dir="/tmp", prefix="hostile-litter-")
    os.write(fd, b"left behind")
    folder = tempfile.mkdtemp(dir="/tmp", prefix="hostile-litter-")
    print(f"hostile-file={path}")
    print(f"hostile-file={folder}")
    raise RuntimeError("left files in /tmp")

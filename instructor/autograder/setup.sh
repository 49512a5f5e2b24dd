#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image.
# AUTOGRADER_ROOT lets the kit's own tests run it outside Gradescope.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"

# Python 3.10 or newer with venv (Gradescope's Ubuntu images have Python; venv may be missing).
if ! python3 -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv python3-pip
fi
python3 -m venv "$SOURCE/.venv"
"$SOURCE/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SOURCE/requirements.txt"

# Only root may read the reference and the tests, so learner code running as an unprivileged
# user (the grader's worker, where the grader runs it so) cannot read either.
chmod -R go-rwx "$SOURCE/solutions" "$SOURCE/tests"

# lstm-kit: every target sets up its own virtual environment on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUBMISSION ?= exercises
TESTS ?= tests/steps
GRADER_OPTIONS ?=
GRADE_ARGS := --submission $(SUBMISSION) --tests $(TESTS) $(GRADER_OPTIONS)

.PHONY: grade hint watch demo setup clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit("lstm-kit needs Python 3.10 or newer") if sys.version_info < (3, 10) else None'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Setting up $(VENV) (first run only)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

setup: $(VENV)/.installed

# The grader exits 1 below full marks; make should show the report, not an error line of its
# own, so only the grader's own failure (exit 2) fails the target.
grade: $(VENV)/.installed
	@$(PY) -m grader $(GRADE_ARGS); status=$$?; [ $$status -le 1 ] || exit $$status

# The next unseen hint for the current step (STEP=name for another step).
hint: $(VENV)/.installed
	@$(PY) -m grader hint $(GRADE_ARGS) $(if $(STEP),--step $(STEP))

# Grade again on every save to the submission folder (POLL=1: poll instead of file events); Ctrl-C stops.
watch: $(VENV)/.installed
	@$(PY) -m grader watch $(GRADE_ARGS) $(if $(POLL),--poll)

# Not graded: trains your LSTM (once every step passes; until then the reference in solutions/, if
# this copy has one) and shows why it remembers. DEMO_ARGS="--png DIR" also writes PNG figures
# (pip install -r requirements-extra.txt).
DEMO_ARGS ?=
demo: $(VENV)/.installed
	@$(PY) -m demo --submission $(SUBMISSION) $(DEMO_ARGS)

clean::
	rm -rf build .venv

# The kit's repository also has instructor.mk (instructors' targets: handout, Gradescope,
# whole-class grading) and dev.mk (the kit's own tests and benchmarks). A handout has neither,
# and make goes on without them.
-include instructor.mk dev.mk

# Instructors' targets, included by the Makefile. A handout leaves this file out.
#   make check-tests TESTS=tests/steps:tests/hidden   validate test folders, list points per step
#   make handout                                      dist/handout/ and dist/lstm-kit-handout.zip
#   make gradescope TESTS=tests/steps:tests/hidden    dist/autograder.zip for Gradescope
#   make grade-all SUBMISSIONS=folder [OUT=build/class] [JOBS=n] [TIME_LIMIT=s]   grade a whole class
#       [ROSTER=roster.csv] [LEARNER=name]   name the learners; grade one learner again into OUT
#   make classroom50 TESTS=tests/steps:tests/hidden [SLUG=lstm-kit]   dist/classroom50/<slug>/ for Classroom 50
#   make prairielearn TESTS=tests/steps:tests/hidden IMAGE=you/lstm-kit-grader [QID=lstmKit]   dist/prairielearn/
#   make notebook                                     notebooks/lstm_kit.ipynb from the stubs in exercises/
OUT ?= build/class
JOBS ?=
CALL_TIMEOUT ?= 10
TIME_LIMIT ?= 300

SLUG ?= lstm-kit
QID ?= lstmKit
PL_TIMEOUT ?= 180

.PHONY: check-tests handout gradescope grade-all classroom50 prairielearn notebook

check-tests: $(VENV)/.installed
	@$(PY) -m grader --check-tests --tests $(TESTS)

handout: $(VENV)/.installed
	@$(PY) -m instructor handout

gradescope: $(VENV)/.installed
	@$(PY) -m instructor gradescope --tests $(TESTS) --call-timeout $(CALL_TIMEOUT)

grade-all: $(VENV)/.installed
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-all SUBMISSIONS=folder [TESTS=...] [OUT=build/class]"; exit 2; }
	@$(PY) -m instructor grade-all $(SUBMISSIONS) --tests $(TESTS) --out $(OUT) --call-timeout $(CALL_TIMEOUT) --time-limit $(TIME_LIMIT) $(if $(JOBS),--jobs $(JOBS)) $(if $(ROSTER),--roster "$(ROSTER)") $(if $(LEARNER),--only "$(LEARNER)")

classroom50: $(VENV)/.installed
	@$(PY) -m instructor classroom50 --tests $(TESTS) --slug $(SLUG) --call-timeout $(CALL_TIMEOUT)

prairielearn: $(VENV)/.installed
	@test -n "$(IMAGE)" || { echo "usage: make prairielearn IMAGE=you/lstm-kit-grader [TESTS=...] [QID=lstmKit]; build the image from dist/prairielearn/image/"; exit 2; }
	@$(PY) -m instructor prairielearn --tests $(TESTS) --image $(IMAGE) --qid $(QID) --timeout $(PL_TIMEOUT) --call-timeout $(CALL_TIMEOUT)

notebook: $(VENV)/.installed
	@$(PY) -m instructor notebook

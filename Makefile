# Course kit: every command a student, TA or instructor needs.
# The first target that needs Python builds .venv from the pinned requirements.

PYTHON      ?= python3
DEBIAN_PACKAGES := bubblewrap chromium fonts-noto-cjk
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
ASSIGNMENTS ?= getting_started tuning convnets time_series weather_rnn
ASSIGNMENT  ?= convnets
RUN         ?= runs/$(ASSIGNMENT)
# make grade: ROSTER=<csv> gives every student on it a row; COURSE=<file> the deadlines and
# late policy (COURSE= for none); WORKSHEET=<csv> Moodle's grading worksheet (participant
# ids to students); make export: LMS=canvas|moodle|csv, GRADEBOOK=<csv> the gradebook exported
# from Canvas, where the assignment's column is found.
ROSTER      ?=
WORKSHEET   ?=
GRADEBOOK   ?=
COURSE      ?= course.toml
LMS         ?=
JOBS        ?=
# TIMEOUT=<CPU seconds> and the sandbox's memory come from the assignment's config (30 s, 4 GiB by default).
TIMEOUT     ?=
GRADE_FLAGS ?=
PYTEST_FLAGS ?=
# pytest workers for make test (whole test modules each, see tests/conftest.py); 1 runs in one process.
TEST_WORKERS ?= 2
# make bench: how many submissions stock otter is timed on, JOBS at a time (at least 50, then
# scaled to each class); DASK=<size> also grades that class on a local Dask cluster and compares.
OTTER       ?= 50
# OTTER_FROM=<scale.json> reuses an earlier otter timing of the same sample, jobs and cores.
OTTER_FROM  ?=
DASK        ?=
# make release LANG=zh|en|all: the bundles' language (default: course.toml's language).
# LANG is also the locale variable every shell has, so only a LANG given on the make command
# line names the language (RELEASE_LANG=... works too), and the release command itself then
# runs with the locale C.UTF-8 instead of LANG=zh. URL=<where dist/release is published>.
RELEASE_LANG ?= $(if $(filter command line,$(origin LANG)),$(LANG))
URL         ?=

# Keep TensorFlow quiet and deterministic: one thread per grading worker.
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup data release autograder samples grade manual review similarity export demo test bench mutants fuzz new-assignment check-assignment clean help

help:
	@echo "make setup        create $(VENV) with the pinned dependencies"
	@echo "make data         write synthetic stand-ins for missing data files into data/"
	@echo "make release [LANG=zh|en|all] [URL=...]"
	@echo "                  student bundles in dist/release/<assignment>-<language>.zip"
	@echo "make autograder   otter autograder zips in dist/autograder/<assignment>.zip, and"
	@echo "                  the reference solutions' training results the grader reuses"
	@echo "make grade SUBMISSIONS=<folder or .zip> [ASSIGNMENT=convnets] [RUN=runs/...] [ROSTER=<csv>]"
	@echo "                  [COURSE=course.toml]: a Canvas, Moodle or Gradescope download or a folder"
	@echo "make export RUN=runs/... LMS=canvas|moodle|csv [GRADEBOOK=<Canvas gradebook export .csv>]"
	@echo "                  gradebook and feedback files to upload, in <run>/export/<lms>/"
	@echo "make manual ASSIGNMENT=tuning [RUN=runs/...] [SUBMISSIONS=<folder>]"
	@echo "                  merge a TA's scores of written answers into grades.csv"
	@echo "make review RUN=runs/... [ASSIGNMENT=tuning] [PORT=8765]"
	@echo "                  grade written answers in the browser (127.0.0.1), rubric by rubric"
	@echo "make similarity RUN=runs/... [ASSIGNMENT=...] [SUBMISSIONS=<folder>]"
	@echo "                  similarity.csv/.html: copied code and answers (advisory; make grade runs it)"
	@echo "make demo         build everything and grade the embedded sample class"
	@echo "make test         the kit's own test suite (TEST_WORKERS=2 pytest workers)"
	@echo "make bench [JOBS=n] [OTTER=n | OTTER_FROM=<scale.json>] [DASK=size]"
	@echo "                  time the sample classes, then generated classes of 25/50/100/300"
	@echo "                  against stock otter run JOBS at a time, goals beside (runs/bench/; long)"
	@echo "make new-assignment NAME=<name>"
	@echo "                  scaffold a working assignment from the template (then edit it)"
	@echo "make check-assignment NAME=<name> [STATIC=1]"
	@echo "                  what an instructor can get wrong, one line per problem"
	@echo "make mutants ASSIGNMENT=<name>|all"
	@echo "                  grade mutants of the reference solution: which the hidden tests"
	@echo "                  kill (runs/mutants/<name>/mutants.html; long, like bench)"
	@echo "make fuzz [CASES=10000] [SEED=0]"
	@echo "                  fuzz what the trusted scorer reads: refused or built exactly (runs/fuzz/)"

setup: $(STAMP)

$(STAMP): requirements.txt autograder/engine/dask.yaml
	# Debian packages (root installs them here): bubblewrap for the grading sandbox,
	# chromium for the browser tests and TA pages, a CJK font for Chinese plot labels.
	command -v bwrap >/dev/null && command -v chromium >/dev/null \
		&& test -n "$$(fc-list :lang=zh 2>/dev/null)" \
		|| apt-get install -y -q $(DEBIAN_PACKAGES) \
		|| { apt-get update -q && apt-get install -y -q $(DEBIAN_PACKAGES); } \
		|| { echo "install the Debian packages $(DEBIAN_PACKAGES)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	# Make the repo importable (shared/, solutions/, autograder/) from notebooks and tools.
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'coursekit.pth').write_text('$(CURDIR)\n')"
	# The kit's Dask settings, read by every dask process of this venv.
	mkdir -p $(VENV)/etc/dask && ln -sf $(CURDIR)/autograder/engine/dask.yaml $(VENV)/etc/dask/coursekit.yaml
	touch $(STAMP)

data: $(STAMP)
	$(PY) -m shared.data

release: $(STAMP)
	$(if $(filter command line,$(origin LANG)),LANG=C.UTF-8) $(PY) -m autograder.build.release \
		$(ASSIGNMENTS) $(if $(RELEASE_LANG),--lang $(RELEASE_LANG)) $(if $(URL),--url "$(URL)")

autograder: $(STAMP)
	$(PY) -m autograder.build.bundle $(ASSIGNMENTS)
	$(PY) -m autograder.build.reference_results $(ASSIGNMENTS)

samples: $(STAMP)
	$(PY) -m autograder.tools.samples $(ASSIGNMENTS)

# Grading writes the synthetic stand-ins first: otherwise every sandbox draws them again.
grade: $(STAMP) data
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=<LMS download: folder or .zip> [ASSIGNMENT=$(ASSIGNMENT)] [ROSTER=<csv>]"; exit 2; }
	$(PY) -m autograder.grade --assignment $(ASSIGNMENT) --submissions "$(SUBMISSIONS)" \
		--out "$(RUN)" $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(JOBS),--jobs $(JOBS)) \
		$(if $(ROSTER),--roster "$(ROSTER)") $(if $(COURSE),--course "$(COURSE)") \
		$(if $(WORKSHEET),--worksheet "$(WORKSHEET)") $(GRADE_FLAGS)

manual: $(STAMP)
	$(PY) -m autograder.manual --assignment $(ASSIGNMENT) --out "$(RUN)" \
		$(if $(SUBMISSIONS),--submissions "$(SUBMISSIONS)")

# ASSIGNMENT is passed on only when given: the run folder knows its assignment.
review: $(STAMP)
	$(PY) -m autograder.review --out "$(RUN)" $(if $(filter command line,$(origin ASSIGNMENT)),--assignment $(ASSIGNMENT)) \
		$(if $(PORT),--port $(PORT))

export: $(STAMP)
	@test -n "$(LMS)" || { echo "usage: make export RUN=<run folder> LMS=canvas|moodle|csv"; exit 2; }
	$(PY) -m autograder.export --run "$(RUN)" --lms $(LMS) $(if $(GRADEBOOK),--gradebook "$(GRADEBOOK)")

similarity: $(STAMP)
	$(PY) -m autograder.similarity --out "$(RUN)" $(if $(filter command line,$(origin ASSIGNMENT)),--assignment $(ASSIGNMENT)) \
		$(if $(SUBMISSIONS),--submissions "$(SUBMISSIONS)")

demo: $(STAMP) data
	$(PY) -m autograder.tools.demo $(ASSIGNMENTS)

test: $(STAMP)
	$(PY) -m pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder) $(PYTEST_FLAGS)

bench: $(STAMP) data
	$(PY) -m autograder.tools.bench $(if $(JOBS),--jobs $(JOBS)) $(ASSIGNMENTS)
	$(PY) -m autograder.tools.scale $(if $(OTTER_FROM),--otter-from $(OTTER_FROM),--otter $(OTTER)) $(if $(JOBS),--jobs $(JOBS)) $(if $(DASK),--dask $(DASK))
	$(PY) -m autograder.tools.hostile $(if $(JOBS),--jobs $(JOBS))

# Adding an assignment: scaffold it from the template, then check what is still wrong.
new-assignment: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make new-assignment NAME=<name>"; exit 2; }
	$(PY) -m autograder.build.scaffold $(NAME)

check-assignment: $(STAMP) $(if $(STATIC),,data)
	@test -n "$(NAME)" || { echo "usage: make check-assignment NAME=<name> [STATIC=1]"; exit 2; }
	$(PY) -m autograder.build.check_assignment $(NAME) $(if $(STATIC),--static) $(if $(JOBS),--jobs $(JOBS))

# Mutation testing of the hidden tests (maintainer; long): ASSIGNMENT=all for every assignment.
mutants: $(STAMP) data
	$(PY) -m autograder.tools.mutants $(ASSIGNMENT) $(if $(JOBS),--jobs $(JOBS))

# The kit's own fuzz of the scorer's model reading (maintainer; about 10 minutes).
fuzz: $(STAMP)
	$(PY) -m autograder.tools.fuzz --cases $(or $(CASES),10000) --seed $(or $(SEED),0)

clean:
	rm -rf dist runs

"""Shared by the tests that prove no solution code reaches students."""

#: Lines of the reference solutions that the instructions give away on purpose.
GIVEN_IN_INSTRUCTIONS = {"input_img = keras.Input(shape=input_shape)", "keras.Input(shape=(10000,)),",
                         "keras.Input(shape=(None,)),"}


def solution_lines(assignment):
    """Distinctive lines of every reference cell (not signatures, docstrings, comments)."""
    for key, source in assignment.solution_sources().items():
        for line in source.splitlines():
            line = line.strip()
            if (len(line) > 20 and not line.startswith(("def ", '"""', "#"))
                    and line not in GIVEN_IN_INSTRUCTIONS):
                yield key, line

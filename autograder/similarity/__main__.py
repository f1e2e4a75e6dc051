"""``python -m autograder.similarity``."""
from autograder.similarity.cli import main

main()

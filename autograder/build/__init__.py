"""What an instructor builds before a course week.

``bundle`` (``make autograder``): otter autograder zips; ``reference_results``:
the reference solutions graded once, their trusted training results kept;
``release`` (``make release``): student bundles; ``calibrate``: accuracy
thresholds measured on the reference solution.
"""

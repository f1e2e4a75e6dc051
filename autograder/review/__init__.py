"""``make review RUN=<run>``: grade the written answers of a run in the browser.

A small Flask app (:mod:`autograder.review.app`) bound to 127.0.0.1 only. It shows one
question and one answer at a time, with the question's rubric from the assignment's
config, and saves each grade at once through :func:`autograder.review.store.save_review`
(one file per question under the run's ``manual/`` lock, the points in
``scores.csv``), so ``make manual`` merges clicked and typed scores alike.
Everything the page needs is served from this package: no CDN, no network.
"""

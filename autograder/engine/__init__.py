"""The grading engine, in the order a submission meets it.

0. ``collect``: turn an LMS download into one file per student, identified by LMS ids
   only; ``members`` gives each file of the download its own outcome, ``worksheet``
   maps Moodle's folders to participant ids.
1. ``notebooks``: read a submission bounded (a linear pre-scan of size, depth, digits
   and counts before any parser), find its kit cells.
2. ``sandbox`` (untrusted; copied into the sandbox with ``kit_codec``): run the
   notebook's code cells and record JSON artifacts of every probed name.
   ``zygote`` is the warm host that forks one sandbox per submission.
3. ``scorer`` (trusted; never runs student code): turn the artifacts into
   stand-ins and run the assignment's otter test files on them with
   ``gradelib``'s helpers. A recorded model is read by ``modelspec`` against
   ``layertable`` (the layers accepted) and ``specvalues`` (the values), and
   its compile settings by ``compilespec``; ``lambdas`` rebuilds recognised
   Lambda layers; ``modelcost`` prices a training step before anything trains.
   ``trusted`` runs the scorer behind its own walls and checks what crosses them;
   ``pristine`` keeps a warm scorer's global state fixed.
4. ``report``: ``grades.csv``, feedback, the summary and its histogram; ``csvcells``
   keeps every CSV cell the kit writes data, never a formula.

``runner`` takes one submission through stages 2 and 3; ``warm`` keeps a warm
sandbox host and a warm scorer per grading job; ``distributed`` runs many on a
Dask cluster. ``kit_codec`` is the one encoding that crosses the sandbox wall.
"""

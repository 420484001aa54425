"""Background work: job rows with owner, state, progress and result file, run as django-tasks tasks.

Long work (an import's apply step, a large export) is a :class:`~.models.Job` that its owner follows on
``/jobs/``; the work itself is a django-tasks task queued in the database (django-tasks-db) and run by
``jiliang worker``. Periodic work is declared by each app as a ``Schedule`` in its ``extensions.py`` and enqueued by ``jiliang scheduler``
(:mod:`.scheduler`), once per slot however many schedulers run. See docs/jobs.md.
"""

"""`jiliang worker`: run queued tasks (jobs and periodic tasks) from the database queue.

django-tasks-db's worker with jiliang's defaults: every queue, no auto-reload, and each task's start, end
and a job's progress written to the terminal. SIGINT or SIGTERM lets the running task finish and stops
(a second one stops at once). Run several for more throughput (PostgreSQL hands each task to one worker).
"""

import logging

from django_tasks_db.management.commands import db_worker

from jiliang.core.jobs.models import Job


class Command(db_worker.Command):
    help = "Run queued jobs and periodic tasks from the database queue (Ctrl-C stops after the running task)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        handler = logging.StreamHandler(self.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s", "%H:%M:%S"))
        for name in ("jiliang.jobs", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.handlers = [handler]
            logger.propagate = False
            logger.setLevel(logging.INFO if verbosity else logging.WARNING)

    def handle(self, *args, **options):
        waiting = Job.objects.filter(state="queued").count()
        self.stdout.write(f"worker: {waiting} jobs queued; Ctrl-C stops after the running task")
        super().handle(*args, **options)

"""The background task worker, made to outlive a busy or briefly unreachable database.

django-tasks-db's own worker (`db_worker`) stops at the first database error it does not expect: for
example SQLite's "database is locked" when a write waits longer than the busy timeout, or a PostgreSQL
connection that drops. Here such an error is logged, the connection is dropped, and after a pause the
worker carries on. Every function named in WORKER_HOUSEKEEPING is also called when the worker starts and
then every minute, on a thread of its own so that a long task does not hold it up.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.utils.module_loading import import_string
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("attunement.worker")

HOUSEKEEPING_EVERY_SECONDS = 60
LONGEST_PAUSE_SECONDS = 30


def _drop_connections() -> None:
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # a broken connection may fail to close; it is discarded all the same
            logger.debug("Closing a broken database connection failed", exc_info=True)


def housekeeping_once() -> None:
    for path in settings.WORKER_HOUSEKEEPING:
        try:
            import_string(path)()
        except Exception:
            logger.exception("Housekeeping %s failed; it will be tried again in a minute", path)
        finally:
            _drop_connections()


class SteadyWorker(db_worker.Worker):
    def run(self) -> None:
        pause = 1.0
        while self.running:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as error:
                if time.monotonic() - started > LONGEST_PAUSE_SECONDS:
                    pause = 1.0  # it had been working: this is a new spell of trouble
                logger.warning("The database could not be used (%s); trying again in %.0f s", error, pause)
                _drop_connections()
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


class Command(db_worker.Command):
    help = "Run the background task worker; it waits out a busy or unreachable database instead of stopping."

    def handle(self, *args, **options):
        self._start_housekeeping()
        original = db_worker.Worker
        db_worker.Worker = SteadyWorker
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original

    def _start_housekeeping(self) -> None:
        if not settings.WORKER_HOUSEKEEPING:
            return

        def every_minute():
            while True:
                housekeeping_once()
                time.sleep(HOUSEKEEPING_EVERY_SECONDS)

        threading.Thread(target=every_minute, name="housekeeping", daemon=True).start()

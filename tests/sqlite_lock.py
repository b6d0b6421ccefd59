"""For tests about SQLite's single write lock: what another user's save meets while something else writes."""

import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connection

only_on_sqlite = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="about SQLite's write lock"
)


def save_from_elsewhere(timeout: float = 0.5) -> str:
    """A write on a connection of its own, in a thread of its own, willing to wait `timeout` seconds for the lock:
    "saved", or SQLite's error (for example "database is locked")."""
    outcome = []

    def write():
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=timeout)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("CREATE TABLE IF NOT EXISTS probe (x)")
            other.execute("DROP TABLE probe")
            other.commit()
            outcome.append("saved")
        except sqlite3.OperationalError as error:
            outcome.append(str(error))
        finally:
            other.close()

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    return outcome[0]

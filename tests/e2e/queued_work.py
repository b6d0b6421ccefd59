"""Background work that the running server queues, held until the test runs it in its own thread.

With the immediate backend a browser request that queues a video's preparation or measurement does that work
before it answers, so the browser waits on the slowest thing the test does, and on a busy machine runs out of
time. Here the server only queues it, as it does in production; the test runs it between browser steps, with
no time limit, and the page then finds it done (its own polling reloads it, or the test opens it again)."""

import threading

from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

_held: list[TaskResult] = []
_lock = threading.Lock()


class HeldBackend(ImmediateBackend):
    """Keeps every task in one list shared by all threads (the live server runs in its own)."""

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        with _lock:
            _held.append(result)
        return result


class QueuedWork:
    """What the test sees of the held work: it runs it, and learns which tasks ran."""

    SETTINGS = {"default": {"BACKEND": f"{__name__}.HeldBackend"}}

    def __init__(self):
        with _lock:
            _held.clear()

    def run(self) -> list[str]:
        """Run everything queued so far, and whatever that queues in turn, in this thread; fail on any error."""
        done = []
        while True:
            with _lock:
                if not _held:
                    return done
                result = _held.pop(0)
            ImmediateBackend(result.backend, {})._execute_task(result)
            if result.status != TaskResultStatus.SUCCESSFUL:
                raise AssertionError(f"{result.task.name} failed:\n" + "\n".join(e.traceback for e in result.errors))
            done.append(result.task.name)

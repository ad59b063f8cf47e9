from __future__ import annotations

from django_tasks import task


@task()
def deliver_notification(pk: int) -> bool:
    from .notify import deliver

    return deliver(pk)


@task()
def periodic_sweep() -> dict[str, int]:
    """Run by the scheduler loop (manage.py run_scheduler) every minute. Each app registers its
    own sweeps in its AppConfig (core/sweeps.py finds them); a failing sweep does not stop the others."""
    import logging

    from django.utils.module_loading import import_string

    from .sweeps import sweeps

    results: dict[str, int] = {}
    for path in sweeps():
        try:
            results[path] = int(import_string(path)() or 0)
        except Exception:
            logging.getLogger("onewindow.sweep").exception("sweep %s failed", path)
            results[path] = -1
    return results

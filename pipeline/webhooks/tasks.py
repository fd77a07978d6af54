"""Background tasks (Django's tasks interface): a delivery runs in the worker, never a request."""

from django_tasks import task

from . import services


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Attempt one webhook delivery; return what happened (e.g. "succeeded", "retrying")."""
    return services.delivery_run(delivery_id=delivery_id)

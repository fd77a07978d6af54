"""What finishing the Review workflow does: Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION.

Wagtail imports this while it loads its own models, so it imports none (and no model of ours):
it asks the approved object whether approving publishes it.
"""

from wagtail.workflows import publish_workflow_state


def workflow_finish(workflow_state, user=None):
    """Publish what the workflow approved, as Wagtail does, unless the object opts out.

    A release (`publish_on_approval = False`) is only approved: reviewers publish or schedule
    it as a separate step, and the `workflow_approved` signal records the approval.
    """
    if getattr(workflow_state.content_object, "publish_on_approval", True):
        publish_workflow_state(workflow_state, user=user)

"""Demo users, one per role, so a fresh site can be tried at once: admin, editor, reviewer, member.

Passwords come from environment variables, else are generated and shown once, when the user is
created (or its password reset). Existing users are left alone, so running this again is safe.
"""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction


@dataclass(frozen=True)
class DemoUser:
    username: str
    group: str | None  # None: a superuser, who needs no group
    password_variable: str

    @property
    def is_superuser(self) -> bool:
        return self.group is None


DEMO_USERS = (
    DemoUser("admin", None, "DEMO_ADMIN_PASSWORD"),
    DemoUser("editor", "Editors", "DEMO_EDITOR_PASSWORD"),
    DemoUser("reviewer", "Reviewers", "DEMO_REVIEWER_PASSWORD"),
    DemoUser("member", "Members", "DEMO_MEMBER_PASSWORD"),
)


@dataclass(frozen=True)
class DemoUserResult:
    """What happened to one demo user. `generated_password` is set only when one was made."""

    demo: DemoUser
    created: bool
    password_set: bool
    generated_password: str | None = None
    missing_group: bool = False  # an existing user not in its group: left alone, but say so


@transaction.atomic
def demo_users_create(
    *, reset_passwords: bool = False, environ: Mapping[str, str] | None = None
) -> list[DemoUserResult]:
    """Create the missing demo users; with `reset_passwords`, set the existing ones' passwords."""
    environ = os.environ if environ is None else environ
    return [
        demo_user_create(demo=demo, reset_password=reset_passwords, environ=environ)
        for demo in DEMO_USERS
    ]


def demo_user_create(
    *, demo: DemoUser, reset_password: bool, environ: Mapping[str, str]
) -> DemoUserResult:
    """Create one demo user in its group, or leave an existing one as it is."""
    group = None
    if demo.group is not None:
        group = Group.objects.filter(name=demo.group).first()
        if group is None:
            raise LookupError(f"No group named {demo.group!r}: run `manage.py migrate` first.")
    user_model = get_user_model()
    user = user_model.objects.filter(username=demo.username).first()
    created = user is None
    if created:
        user = user_model(
            username=demo.username,
            email=f"{demo.username}@example.org",
            is_staff=demo.is_superuser,
            is_superuser=demo.is_superuser,
        )
    elif not reset_password:
        in_group = group is None or user.groups.filter(pk=group.pk).exists()
        return DemoUserResult(demo, created=False, password_set=False, missing_group=not in_group)
    generated = demo_password_set(user=user, variable=demo.password_variable, environ=environ)
    user.save()
    if created and group is not None:
        user.groups.add(group)
    return DemoUserResult(demo, created=created, password_set=True, generated_password=generated)


def demo_password_set(
    *, user: AbstractUser, variable: str, environ: Mapping[str, str]
) -> str | None:
    """Set the password from `variable`, else a generated one; return it only if generated."""
    password = environ.get(variable, "").strip()
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(16)
    user.set_password(password)
    return generated

"""`create_demo_users`: one user per role, passwords from the environment or shown once."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

PASSWORD_VARIABLES = (
    "DEMO_ADMIN_PASSWORD",
    "DEMO_EDITOR_PASSWORD",
    "DEMO_REVIEWER_PASSWORD",
    "DEMO_MEMBER_PASSWORD",
)


@pytest.fixture(autouse=True)
def no_demo_passwords(monkeypatch):
    """Start from an environment without demo passwords, whatever the developer's shell has."""
    for variable in PASSWORD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)


def create_demo_users(*args: str, verbosity: int = 1) -> str:
    out = io.StringIO()
    call_command("create_demo_users", *args, verbosity=verbosity, stdout=out, stderr=out)
    return out.getvalue()


def generated_passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"(?:Created|Reset the password of) (\w+) .*password: (\S+)", output))


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_creates_one_user_per_role_in_its_group(db):
    create_demo_users()

    assert user("admin").is_superuser and user("admin").is_staff
    for username, group in (
        ("editor", "Editors"),
        ("reviewer", "Reviewers"),
        ("member", "Members"),
    ):
        assert [g.name for g in user(username).groups.all()] == [group]
        assert not user(username).is_superuser


def test_passwords_come_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_EDITOR_PASSWORD", "editor-from-env-42")
    monkeypatch.setenv("DEMO_MEMBER_PASSWORD", "member-from-env-42")

    output = create_demo_users()

    assert user("editor").check_password("editor-from-env-42")
    assert user("member").check_password("member-from-env-42")
    assert "editor-from-env-42" not in output
    assert set(generated_passwords(output)) == {"admin", "reviewer"}


def test_generated_password_is_printed_once_and_lets_the_user_in(db):
    output = create_demo_users(verbosity=0)

    passwords = generated_passwords(output)
    assert set(passwords) == {"admin", "editor", "reviewer", "member"}
    for username, password in passwords.items():
        assert output.count(password) == 1
        assert user(username).check_password(password)


def test_second_run_prints_no_password_and_leaves_users_unchanged(db):
    passwords = generated_passwords(create_demo_users())
    hashes = {u.username: u.password for u in get_user_model().objects.all()}

    output = create_demo_users()

    assert generated_passwords(output) == {}
    assert "editor exists; left unchanged." in output
    assert {u.username: u.password for u in get_user_model().objects.all()} == hashes
    assert user("editor").check_password(passwords["editor"])
    assert get_user_model().objects.count() == 4


def test_reset_passwords_sets_new_ones_for_existing_users(db, monkeypatch):
    old = generated_passwords(create_demo_users())
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "admin-reset-42")

    output = create_demo_users("--reset-passwords")

    assert user("admin").check_password("admin-reset-42")
    new = generated_passwords(output)
    assert set(new) == {"editor", "reviewer", "member"}
    assert user("editor").check_password(new["editor"])
    assert not user("editor").check_password(old["editor"])

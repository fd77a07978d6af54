from django.core.management.base import BaseCommand, CommandError

from content_models.users import DEMO_USERS, DemoUserResult, demo_users_create


class Command(BaseCommand):
    help = (
        "Create the demo users admin (superuser), editor (Editors), reviewer (Reviewers) and "
        "member (Members). Passwords come from "
        + ", ".join(demo.password_variable for demo in DEMO_USERS)
        + "; when one is unset a password is generated and printed once, even at verbosity 0, "
        "since it is shown nowhere else. Existing users are left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Also set the passwords of demo users that already exist.",
        )

    def handle(self, *args, reset_passwords: bool, verbosity: int, **options):
        try:
            results = demo_users_create(reset_passwords=reset_passwords)
        except LookupError as error:
            raise CommandError(str(error)) from None
        for result in results:
            self.report(result, verbosity=verbosity)

    def report(self, result: DemoUserResult, *, verbosity: int) -> None:
        demo = result.demo
        role = "superuser" if demo.is_superuser else f"group {demo.group}"
        if result.generated_password is not None:
            action = "Created" if result.created else "Reset the password of"
            self.stdout.write(
                f"{action} {demo.username} ({role}); generated password: "
                f"{result.generated_password}"
            )
        elif verbosity >= 1 and result.password_set:
            action = "Created" if result.created else "Reset the password of"
            self.stdout.write(
                f"{action} {demo.username} ({role}); password from {demo.password_variable}."
            )
        elif verbosity >= 1:
            self.stdout.write(f"{demo.username} exists; left unchanged.")
        if result.missing_group:
            self.stderr.write(
                f"Warning: {demo.username} is not in the group {demo.group}; add it in the admin."
            )

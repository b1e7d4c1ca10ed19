"""Role permissions: defined in code, applied by migration, documented in docs/roles.md."""

import importlib
import io

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from openrecovery.accounts.access import roles_allowed
from openrecovery.accounts.management.commands.roles_table import roles_doc_path
from openrecovery.accounts.models import User
from openrecovery.accounts.roles import (
    CUSTOM_PERMISSIONS,
    RECORDS_STAGES_ALL,
    ROLE_PERMISSIONS,
    ROLE_STAGE_COVERAGE,
    Role,
    roles_table_markdown,
)
from openrecovery.accounts.services import staff_set_role
from openrecovery.records.choices import Stage
from tests.support.factories import make_staff

MIGRATION = ("accounts", "0002_apply_role_permissions")


def _group_permissions() -> dict[str, set[str]]:
    return {
        group.name: {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.prefetch_related("permissions")
    }


def _expected() -> dict[str, set[str]]:
    return {str(role): set(perms) for role, perms in ROLE_PERMISSIONS.items()}


def test_every_role_is_defined():
    assert set(ROLE_PERMISSIONS) == set(Role) == set(ROLE_STAGE_COVERAGE)
    assert [r.label for r in Role] == [
        "Admissions coordinator",
        "Nurse",
        "Physician",
        "Counselor",
        "Clinical director",
        "Content editor",
        "Medical reviewer",
        "Administrator",
    ]


def test_groups_carry_exactly_the_role_permissions_after_migrate(db):
    assert _group_permissions() == _expected()


def test_the_migration_applies_the_role_permissions(db):
    for group in Group.objects.all():
        group.permissions.clear()
    Group.objects.filter(name=Role.NURSE).delete()
    assert _group_permissions() != _expected()

    migration = importlib.import_module(f"openrecovery.accounts.migrations.{MIGRATION[1]}")
    state = MigrationExecutor(connection).loader.project_state(MIGRATION)
    migration.apply_roles(state.apps, None)
    assert _group_permissions() == _expected()


def test_a_role_gives_its_holder_exactly_its_permissions(db):
    for role in Role:
        user = make_staff(role)
        assert user.get_all_permissions() == set(ROLE_PERMISSIONS[role]), role
        assert list(user.groups.values_list("name", flat=True)) == [str(role)]


def test_changing_role_replaces_the_permissions(db):
    user = make_staff(Role.ADMINISTRATOR)
    assert user.has_perm("accounts.manage_staff")
    staff_set_role(actor=None, user=user, role=Role.COUNSELOR)
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("accounts.manage_staff")
    assert user.get_all_permissions() == set(ROLE_PERMISSIONS[Role.COUNSELOR])


def test_every_role_permission_exists_and_is_in_the_table(db):
    table = roles_table_markdown()
    custom = {f"{app}.{codename}" for app, _m, codename, _n in CUSTOM_PERMISSIONS}
    for perms in ROLE_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), perm
            assert perm in custom, f"{perm} would be missing from docs/roles.md"
            assert f"`{perm}`" in table


def test_the_table_marks_what_each_role_holds():
    lines = roles_table_markdown().splitlines()
    header = next(line for line in lines if line.startswith("| permission |"))
    roles = [cell.strip() for cell in header.strip("|").split("|")][1:]
    assert roles == [r.label for r in Role]
    for line in lines:
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            perm = cells[0].split("`")[1]
            holders = {label for label, mark in zip(roles, cells[1:], strict=True) if mark}
            assert holders == {r.label for r in Role if perm in ROLE_PERMISSIONS[r]}, perm


def test_the_committed_roles_doc_is_the_generated_one():
    path = roles_doc_path()
    assert path == settings.REPO_DIR / "docs" / "roles.md"
    assert path.read_text(encoding="utf-8") == roles_table_markdown()
    out = io.StringIO()
    call_command("roles_table", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_roles_table_writes_and_checks_a_file(tmp_path):
    target = tmp_path / "roles.md"
    with pytest.raises(CommandError):
        call_command("roles_table", "--check", "--output", str(target), stdout=io.StringIO())
    call_command("roles_table", "--output", str(target), stdout=io.StringIO())
    assert target.read_text(encoding="utf-8") == roles_table_markdown()
    call_command("roles_table", "--check", "--output", str(target), stdout=io.StringIO())
    target.write_text(roles_table_markdown().replace("yes", "no", 1), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("roles_table", "--check", "--output", str(target), stdout=io.StringIO())


def test_only_administrators_manage_staff():
    assert roles_allowed("accounts.manage_staff") == [Role.ADMINISTRATOR.value]


# Permission checks come from the role in code (accounts.backends.RoleBackend) ----------


@pytest.mark.parametrize("role", list(Role))
def test_a_users_permissions_are_exactly_their_roles(db, role, django_assert_num_queries):
    user = make_staff(role)
    with django_assert_num_queries(0):
        granted = user.get_all_permissions()
        assert all(user.has_perm(p) for p in ROLE_PERMISSIONS[role])
    assert granted == set(ROLE_PERMISSIONS[role])
    # The group that mirrors the role in the database holds the same permissions.
    group = Group.objects.get(name=role)
    mirrored = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert mirrored == granted


def test_inactive_and_roleless_users_hold_nothing(db):
    user = make_staff(Role.CLINICAL_DIRECTOR)
    user.is_active = False
    assert user.get_all_permissions() == set()
    assert not user.has_perm("records.view_chart")
    roleless = User.objects.create_user(username="nobody", password="x" * 20)
    assert roleless.get_all_permissions() == set()


def test_a_new_role_applies_from_the_next_request(db):
    user = make_staff(Role.COUNSELOR)
    assert not user.has_perm("helpline.work_inquiries")
    staff_set_role(actor=None, user=user, role=Role.ADMISSIONS_COORDINATOR)
    assert User.objects.get(pk=user.pk).has_perm("helpline.work_inquiries")


def test_the_stages_roles_cover_are_exactly_the_record_stages_in_order():
    assert RECORDS_STAGES_ALL == tuple(Stage.values)

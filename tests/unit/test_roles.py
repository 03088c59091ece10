from oversight.domain.roles import PERMISSIONS, Permission, Role, department_rule_broken, may


def test_every_permission_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Permission)


def test_admin_only_permissions() -> None:
    for permission in (Permission.MANAGE_USERS, Permission.MANAGE_DEPARTMENTS):
        assert [role for role in Role if may(role, permission)] == [Role.ADMIN]


def test_audit_readers() -> None:
    assert {role for role in Role if may(role, Permission.READ_AUDIT)} == {
        Role.COMMISSIONER,
        Role.ADMIN,
    }


def test_only_officers_belong_to_departments() -> None:
    assert department_rule_broken(Role.OFFICER, has_department=True) is None
    assert department_rule_broken(Role.OFFICER, has_department=False)
    for role in (Role.RESIDENT, Role.COMMISSIONER, Role.ADMIN):
        assert department_rule_broken(role, has_department=False) is None
        assert department_rule_broken(role, has_department=True)

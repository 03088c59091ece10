from oversight.core.roles import Role, department_rule_broken


def test_only_officers_belong_to_departments() -> None:
    assert department_rule_broken(Role.OFFICER, has_department=True) is None
    assert department_rule_broken(Role.OFFICER, has_department=False)
    for role in (Role.RESIDENT, Role.COMMISSIONER, Role.ADMIN):
        assert department_rule_broken(role, has_department=False) is None
        assert department_rule_broken(role, has_department=True)

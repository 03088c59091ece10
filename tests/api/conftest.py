from __future__ import annotations

import pytest

from oversight.domain.roles import Role
from tests.cases import Cast
from tests.helpers import Api


@pytest.fixture
async def cast(api: Api) -> Cast:
    department = await api.department()
    return Cast(
        resident=await api.person(Role.RESIDENT),
        commissioner=await api.person(Role.COMMISSIONER),
        officer=await api.person(Role.OFFICER, department_id=department),
        department=department,
    )

import pytest

from oversight.accounts.models import User
from oversight.core.errors import Unprocessable
from oversight.core.models import AuditEvent
from oversight.core.pagination import SortKey, decode_cursor, encode_cursor


def test_cursor_round_trip() -> None:
    keys = [SortKey(User.email), SortKey(User.id)]
    import uuid

    values = ["a@b.org", uuid.uuid4()]
    assert decode_cursor(encode_cursor(values), keys) == values


@pytest.mark.parametrize("cursor", ["", "!!!", "bnVsbA", "WzEsMl0", "WyJ4Il0"])
def test_bad_cursors_are_422(cursor: str) -> None:
    with pytest.raises(Unprocessable):
        decode_cursor(cursor, [SortKey(AuditEvent.seq)])

"""The police budget and operational figures. Money is a decimal string (`"1234567.89"`),
never a JSON number: a float cannot hold cents exactly."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, WithJsonSchema

from oversight.budget.rules import BadAmount, BudgetCategory, CallPriority, cents
from oversight.core.schemas import In, Out


def _cents(value: object) -> int:
    if not isinstance(value, str) or len(value) > 30:
        raise ValueError('must be a decimal string such as "1234.56" (not a JSON number)')
    try:
        return cents(value)
    except BadAmount as exc:
        raise ValueError(str(exc)) from exc


#: In: a decimal string with at most two decimals (`"1234.56"`, `"$1,234.56"`), held as cents.
Money = Annotated[
    int,
    BeforeValidator(_cents),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 30,
            "examples": ["1234567.89"],
            "description": "A decimal string, at most two decimals; never negative.",
        }
    ),
]
#: Out: the decimal string of an amount in cents.
Amount = Annotated[str, Field(description='A decimal string, e.g. "1234567.89".')]


class BudgetLineIn(In):
    program: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    category: BudgetCategory
    department_id: uuid.UUID | None = None
    adopted: Money
    revised: Money | None = None
    actual: Money | None = None


#: A fiscal year's name as people read it ("FY2027"): the API's body and the CLI's --label.
YearLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class BudgetYearIn(In):
    label: YearLabel
    starts_on: date
    ends_on: date
    city_total: Money = Field(description="The city's whole general fund for the year.")
    lines: Annotated[list[BudgetLineIn], Field(min_length=1, max_length=5000)]


class BudgetComments(In):
    comment_open: bool


class BudgetLineOut(Out):
    id: uuid.UUID
    program: str
    category: BudgetCategory
    department_id: uuid.UUID | None
    adopted: Amount
    revised: Amount | None
    actual: Amount | None


class FiscalYearOut(BaseModel):
    year: int
    label: str
    starts_on: date
    ends_on: date
    city_total: Amount
    police_total: Amount = Field(description="The police lines' adopted amounts, summed.")
    police_share_pct: str | None = Field(description="Of the city total, one decimal.")
    comment_open: bool


class FiscalYearDetail(FiscalYearOut):
    by_category: dict[BudgetCategory, Amount]
    actual_total: Amount | None
    previous_year_change_pct: str | None
    version: int
    lines: list[BudgetLineOut]


class FiscalYears(BaseModel):
    items: list[FiscalYearOut]


#: A month as a map's key.
Month = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")]


class OperationsCell(BaseModel):
    calls: int
    median_response_minutes: str | None = Field(
        description="Weighted by calls from each month's, neighborhood's and priority's median "
        "(the figures carry medians, not each call): an estimate, one decimal. Imported medians "
        "may have any number of decimals and are stored rounded half-even to a tenth."
    )


class OperationsPeriod(BaseModel):
    from_: str = Field(alias="from")
    to: str


class OperationsOut(BaseModel):
    period: OperationsPeriod
    calls: int
    by_month: dict[Month, OperationsCell] = Field(description="By month, `YYYY-MM`.")
    by_priority: dict[CallPriority, OperationsCell] = Field(
        description="By dispatch priority, `1` (most urgent) to `4`."
    )
    by_neighborhood: dict[str, OperationsCell]

"""Comments on what the commission is about to decide: residents' and anonymous comments,
their moderation, and the public list of a target's published comments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["comments"])
public = APIRouter(prefix="/public", tags=["public"])

"""Residents' policy proposals: proposed, supported, answered by the commission."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/proposals", tags=["proposals"])
public = APIRouter(prefix="/public/proposals", tags=["public"])

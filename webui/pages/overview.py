"""Placeholder router, filled in this session (issue 6)."""

from fastapi import APIRouter

router = APIRouter()

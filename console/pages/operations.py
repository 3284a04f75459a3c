"""The operations page (being built)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

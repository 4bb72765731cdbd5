"""Who manages integrations: HR admins create, rotate, revoke and list tokens and run imports."""

from __future__ import annotations

from models.core.viewer import Viewer


def can_manage_integrations(viewer: Viewer) -> bool:
    return viewer.is_hr_admin

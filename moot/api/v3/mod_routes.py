"""The routers of moderation, administration, reports, the modlog and private messages,
mounted under /api/v3 by the application."""

from moot.api.v3 import admin, moderation, modlog, private_message, reports

MODERATION_ROUTERS = [
    moderation.router,
    admin.router,
    reports.router,
    modlog.router,
    private_message.router,
]

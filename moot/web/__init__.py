"""The web interface: server-rendered Jinja2 pages (see DESIGN.md, "Web UI")."""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from moot.web import profile
from moot.web.format import register_filters

HERE = Path(__file__).resolve().parent


def _configure(engine: JinjaTemplateEngine) -> None:
    register_filters(engine.engine)


template_config: TemplateConfig[JinjaTemplateEngine] = TemplateConfig(
    directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_configure
)

static_files = create_static_files_router(path="/static", directories=[HERE / "static"])

router = Router(path="/", route_handlers=[profile.profile_page])

__all__ = ["router", "static_files", "template_config"]

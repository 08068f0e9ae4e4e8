"""The knowledge centre: articles, tools and proven concepts for everyone fighting loneliness."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the knowledge centre's template helpers on ``app``.

    Its settings, KNOWLEDGE_UPLOAD_DIR and KNOWLEDGE_INDEX_DIR, come from
    ``portal.config`` with the rest of the configuration.
    """
    from portal.knowledge.attachments import size_text, type_label
    from portal.knowledge.guidance import offer_guidance, search_guidance
    from portal.knowledge.markdown import render_markdown

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["file_size"] = size_text
    app.jinja_env.filters["file_type"] = type_label
    app.jinja_env.globals.update(offer_guidance=offer_guidance, search_guidance=search_guidance)

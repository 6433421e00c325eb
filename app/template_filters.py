"""Small helpers the templates share."""
from flask import Flask
from flask_login import current_user

from app.choices import Category, DocumentKind, Protocol


def init_app(app: Flask) -> None:
    app.add_template_filter(lambda kind: DocumentKind.LABELS.get(kind, kind), "document_label")
    app.add_template_filter(lambda category: Category.LABELS.get(category, category or "—"), "category_label")
    app.add_template_filter(lambda protocol: Protocol.LABELS.get(protocol, protocol), "protocol_label")

    @app.context_processor
    def notification_count():
        from app.services.notifications import unread_count

        return {"unread_notifications": lambda: unread_count(current_user) if current_user.is_authenticated else 0}

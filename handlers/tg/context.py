"""A ``CallbackContext`` that knows the application's services."""

from __future__ import annotations

from telegram.ext import Application, CallbackContext, ExtBot

from handlers.services import Services

SERVICES_KEY = "services"


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]


def attach_services(application: Application, services: Services) -> None:
    application.bot_data[SERVICES_KEY] = services

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "katalog.messaging"
    label = "messaging"

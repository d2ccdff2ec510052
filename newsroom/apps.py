from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    """The site as a deployment: health probes and the checks `check --deploy` adds."""

    name = "newsroom"
    verbose_name = "Newsroom deployment"

    def ready(self):
        from . import checks  # noqa: F401 - registers them

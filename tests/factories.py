import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from articles.models import Article, Author, Byline, Category
from articles.permissions import restore_editorial_groups


class UserFactory(factory.django.DjangoModelFactory):
    """A staff login; `groups=["Writers"]` puts it in the groups their migration made (made
    again if a transactional test's flush emptied them)."""

    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            if Group.objects.filter(name__in=extracted).count() < len(set(extracted)):
                restore_editorial_groups()
            self.groups.add(*Group.objects.filter(name__in=extracted))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Reporter {n}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Section {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article from yesterday, one author, Markdown body."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story number {n}")
    standfirst = "What happened, in a sentence."
    body_source = "First paragraph.\n\nSecond paragraph with *emphasis*."
    body_format = Article.BodyFormat.MARKDOWN
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    category = factory.SubFactory(CategoryFactory)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, author in enumerate(extracted if extracted is not None else [AuthorFactory()]):
            Byline.objects.create(article=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)

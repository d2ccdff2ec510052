import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Byline, Category, FrontPage, FrontPageSlot, Tag
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
        """Authors, or (author, role) pairs for entries with a role."""
        if not create:
            return
        for position, entry in enumerate(extracted if extracted is not None else [AuthorFactory()]):
            author, role = entry if isinstance(entry, tuple) else (entry, "")
            Byline.objects.create(article=self, author=author, role=role, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class Site:
    """News > City and Sport sections, two tags, two authors, stories a day apart."""

    def __init__(self):
        now = timezone.now()
        self.news = CategoryFactory(name="News")
        self.city = CategoryFactory(name="City", parent=self.news)
        self.sport = CategoryFactory(name="Sport")
        self.ann, self.ben = AuthorFactory(name="Ann Writer"), AuthorFactory(name="Ben Writer")

        def story(title, section, author, tags, days):
            return ArticleFactory(
                title=title,
                category=section,
                authors=[author],
                tags=tags,
                published_at=now - dt.timedelta(days=days, hours=1),
            )

        self.ferry = story("Ferry timetable changes", self.city, self.ann, ["harbour"], 40)
        self.bridge = story("Bridge repairs begin", self.city, self.ann, ["harbour"], 41)
        self.tram = story("Tram line opens", self.city, self.ann, [], 42)
        self.match = story("Rugby final tonight", self.sport, self.ben, ["rugby"], 60)
        self.cup = story("Cup draw announced", self.sport, self.ben, ["rugby"], 61)
        self.race = story("Rowing race postponed", self.sport, self.ben, ["rowing"], 62)
        self.harbour, self.rugby = Tag.objects.get(slug="harbour"), Tag.objects.get(slug="rugby")

    def article_pages(self):
        return {a.pk: a.get_absolute_url() for a in Article.objects.all()}

    def urls(self):
        return {
            "home": reverse("articles:home"),
            "list": reverse("articles:list"),
            "feed": reverse("articles:feed"),
            "news": self.news.get_absolute_url(),
            "city": self.city.get_absolute_url(),
            "sport": self.sport.get_absolute_url(),
            "harbour": self.harbour.get_absolute_url(),
            "rugby": self.rugby.get_absolute_url(),
            "ann": self.ann.get_absolute_url(),
            "ben": self.ben.get_absolute_url(),
            "sport-feed": reverse("articles:category-feed", kwargs={"path": self.sport.path}),
            **{f"article-{pk}": url for pk, url in self.article_pages().items()},
        }


class FrontPageFactory(factory.django.DjangoModelFactory):
    """An arrangement of the home page, live from a minute ago: `lead=story`, `top=[stories]`,
    `rails=[(section, story), …]`, in order."""

    class Meta:
        model = FrontPage
        skip_postgeneration_save = True

    goes_live_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=1))

    @factory.post_generation
    def slots(self, create, extracted, **kwargs):
        if not create:
            return
        Place = FrontPageSlot.Place
        made = [(Place.LEAD, None, kwargs["lead"])] if kwargs.get("lead") else []
        made += [(Place.TOP, None, story) for story in kwargs.get("top", [])]
        made += [(Place.RAIL, section, story) for section, story in kwargs.get("rails", [])]
        for position, (place, section, story) in enumerate(made):
            FrontPageSlot.objects.create(
                front_page=self, place=place, section=section, article=story, position=position
            )

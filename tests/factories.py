import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.display_names import display_name_key
from accounts.models import Profile

DEFAULT_PASSWORD = "a calm test passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password(DEFAULT_PASSWORD)
    is_moderator = False

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    @factory.post_generation
    def with_profile(user, create, extracted, **kwargs):
        if create and extracted is not False:
            ProfileFactory(user=user)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory, with_profile=False)
    display_name = factory.Sequence(lambda n: f"Gentle Member {n}")
    display_name_key = factory.LazyAttribute(lambda profile: display_name_key(profile.display_name))
    time_zone = "UTC"
    guidelines_accepted_at = factory.LazyFunction(timezone.now)

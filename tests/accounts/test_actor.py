from katalog.accounts.models import Membership
from katalog.accounts.selectors import actor_for
from tests import factories as f


def test_a_one_tenant_user_acts_there_without_asking_the_host(medan, binjai):
    user = f.make_user(medan, "catalogue_manager")
    asked = []
    actor = actor_for(user, host_tenant=lambda: asked.append(1) or binjai)
    assert actor.katalog == medan and asked == []


def test_a_user_of_two_tenants_acts_in_the_one_the_host_names(medan, binjai):
    user = f.make_user(medan, "auditor")
    Membership.objects.create(user=user, katalog=binjai, role="catalogue_manager")
    actor = actor_for(user, host_tenant=lambda: binjai)
    assert (actor.katalog, actor.roles) == (binjai, frozenset({"catalogue_manager"}))
    assert actor_for(user, host_tenant=lambda: None).katalog == min([medan, binjai], key=lambda k: k.pk)

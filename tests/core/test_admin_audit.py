"""Every grant of rights is in the audit chain (#11 item 4): admin edits of users, regions, designations and
organisations' designations (many-to-many saved with the record), API token creation and regeneration."""

from django.urls import reverse
from tests.conftest import web_client_for

from jiliang.core.audit import verify_chain
from jiliang.core.models import AuditEntry


def _user_form(user, **changes):
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "full_name": user.full_name, "role": user.role, "region": user.region_id or "",
        "organisation": user.organisation_id or "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _entries(object_type, object_id):
    return list(AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id)).order_by("id"))


def test_admin_edit_of_a_users_role_region_and_organisation_is_audited(world):
    target = world.users["enterprise"]
    admin = web_client_for(world.admin)
    response = admin.post(reverse("admin:core_user_change", args=[target.pk]), _user_form(
        target, role="county_bureau", region="320102", organisation=str(world.bureau_xw.pk), is_staff="on"))
    assert response.status_code == 302, response.content.decode()[:3000]
    target.refresh_from_db()
    assert (target.role, target.region_id) == ("county_bureau", "320102")
    [entry] = _entries("core.user", target.pk)
    assert entry.action == "update" and entry.actor_id == world.admin.pk and entry.message == "admin"
    assert entry.before["role"] == "enterprise" and entry.after["role"] == "county_bureau"
    assert entry.after["region_id"] == "320102" and entry.after["organisation_id"] == world.bureau_xw.pk
    assert entry.after["is_staff"] is True
    assert "pbkdf2" not in str(entry.before) + str(entry.after) and "md5" not in str(entry.after)
    assert entry.region_code == "320102"  # the bureau now granted sees the entry
    assert verify_chain()[1] is None


def test_admin_group_membership_is_audited_with_the_user(world):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="auditors")
    target = world.users["kunshan"]
    response = web_client_for(world.admin).post(reverse("admin:core_user_change", args=[target.pk]),
                                                 _user_form(target, groups=[str(group.pk)]))
    assert response.status_code == 302
    [entry] = _entries("core.user", target.pk)
    assert entry.before["groups"] == [] and entry.after["groups"] == [str(group.pk)]


def test_admin_password_change_is_audited_without_the_hash(world):
    target = world.users["kunshan"]
    response = web_client_for(world.admin).post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "A-much-longer-pass-2026", "password2": "A-much-longer-pass-2026", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = _entries("core.user", target.pk)
    assert entry.message == "admin: password set" and entry.after == {"password": "(changed)"}


def test_admin_edit_of_a_region_is_audited(world):
    from jiliang.core.models import Region

    source = Region.objects.get(pk="320583").source
    response = web_client_for(world.admin).post(reverse("admin:core_region_change", args=["320583"]), {
        "code": "320583", "name": "昆山市（测试）", "name_en": "Kunshan", "level": "county-level-city", "parent": "320500",
        "is_current": "on", "successor": "", "retired_year": "", "source": source})
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = _entries("core.region", "320583")
    assert entry.before == {"name": "昆山市"} and entry.after == {"name": "昆山市（测试）"}


def test_admin_edit_of_a_designation_is_audited(world):
    response = web_client_for(world.admin).post(reverse("admin:registry_designation_change",
                                                         args=["brand-laboratory"]),
                                                 {"code": "brand-laboratory", "name": "品牌实验室（改）",
                                                  "name_en": "Brand laboratory"})
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = _entries("registry.designation", "brand-laboratory")
    assert entry.after["name"] == "品牌实验室（改）"


def test_admin_designations_of_an_organisation_are_in_the_same_entry(world):
    """Django saves many-to-many after the model; the admin must not leave that second write unaudited."""
    org = world.ent_ks
    data = {"name": org.name, "uscc": org.uscc, "kind": org.kind, "region": org.region_id, "address": "",
            "contact_name": "", "contact_phone": "", "contact_email": "", "designations": ["key-energy-consumer"],
            "mms_status": "none", "mms_certificate": "", "mms_valid_until": "", "description": "", "comments": ""}
    response = web_client_for(world.admin).post(reverse("admin:registry_organisation_change", args=[org.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(org.designations.values_list("code", flat=True)) == ["key-energy-consumer"]
    entries = [e for e in _entries("registry.organisation", org.pk) if e.action == "update"]
    assert len(entries) == 1
    assert entries[0].before == {"designations": []} and entries[0].after == {"designations": ["key-energy-consumer"]}


def test_token_creation_and_revocation_are_audited_without_the_key(world):
    from jiliang.core.models import ApiToken

    user = world.users["enterprise"]
    client = web_client_for(user)
    response = client.post(reverse("api-token"), {"name": "meter gateway", "scope": "ingest", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    [entry] = _entries("core.apitoken", token.pk)
    assert entry.action == "create" and entry.actor_id == user.pk
    assert token.key_hash not in str(entry.after) + entry.message  # neither the key nor its hash in the trail
    client.post(reverse("api-token-revoke", args=[token.pk]))
    assert [e.message for e in _entries("core.apitoken", token.pk)][-1].endswith("revoked")


def test_token_endpoint_creation_is_audited(world):
    from rest_framework.test import APIClient

    from jiliang.core.models import ApiToken

    response = APIClient().post(reverse("api:token"), {"username": "kunshan", "password": "pw-kunshan"})
    assert response.status_code == 200 and response.json()["token"]
    token = ApiToken.objects.get(user=world.users["kunshan"])
    [entry] = _entries("core.apitoken", token.pk)
    assert entry.action == "create" and response.json()["token"] not in str(entry.after) + entry.message


def test_records_changed_only_through_services_are_read_only_in_the_admin(world):
    """The audit trail, change proposals and budgets: a superuser may look, but add, change and delete are
    refused (a delete in the admin would leave no audit entry)."""
    from jiliang.registry import services

    proposal = services.propose_change(world.standard_p, {"rating": "international_advanced"}, reason="比对结果",
                                       actor=world.users["institute"])
    entry = AuditEntry.objects.order_by("-id").first()
    admin = web_client_for(world.admin)
    for name, pk in (("core_auditentry", entry.pk), ("registry_changeproposal", proposal.pk)):
        assert admin.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert admin.get(reverse(f"admin:{name}_add")).status_code == 403
        assert admin.post(reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes"}).status_code == 403
    for name in ("budgets_budgettemplate", "budgets_savedbudget"):
        assert admin.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert admin.get(reverse(f"admin:{name}_add")).status_code == 403
    assert type(proposal).objects.filter(pk=proposal.pk).exists()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()

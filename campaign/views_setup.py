"""设置: the campaign office sets up its own town's campaigns, people and units, in the app.

Only a town_admin whose unit holds campaigns (the town) gets here; everything is scoped to that
unit (campaign.access.setup_unit): its campaigns, the people of the town and of its villages
and departments, and those villages and departments themselves (campaign.access.setup_units).
Every write is one service call (campaign.services)."""

import functools
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors

from . import access, once, services
from .forms import CampaignForm, PersonForm, UnitForm, people_queryset, search_people
from .people import label_of, name_of

log = logging.getLogger("gongjian.access")


def office_required(view):
    """Login, then the campaign office of a town; anyone else gets a 403."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        unit = access.setup_unit(request.user)
        if unit is None:
            log.warning("refused setup user=%s view=%s", request.user.pk, view.__name__)
            raise PermissionDenied
        return view(request, unit, *args, **kwargs)

    return login_required(wrapped)


def _form_page(request, form, title, submit, back_url, **extra):
    return render(request, "setup/form.html", {"form": form, "title": title, "submit": submit,
                                               "back_url": back_url, **extra})


@office_required
def setup_home(request, unit):
    campaigns = list(unit.campaigns.order_by("-start_date", "pk"))
    return render(request, "setup/home.html", {"unit": unit, "campaigns": campaigns})


@office_required
def campaign_new(request, unit):
    form = CampaignForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(unit, request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Campaign created: now add its projects."))
            return redirect("setup_projects", pk=campaign.pk)
    return _form_page(request, form, _("New campaign"), _("Save"), redirect("setup_home").url)


@office_required
def campaign_edit(request, unit, pk):
    campaign = access.get_campaign_for_setup(request.user, pk)
    form = CampaignForm(request.POST or None, instance=campaign, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(campaign, request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("setup_home")
    return _form_page(request, form, _("Campaign: %(name)s") % {"name": campaign.name},
                      _("Save"), redirect("setup_home").url)


# --- People -------------------------------------------------------------------------------------


def _person_in_scope(unit, pk):
    person = people_queryset(unit, active_only=False).filter(pk=pk).first()
    if person is None:
        log.warning("refused setup person=%s unit=%s", pk, unit.pk)
        raise Http404
    return person


@office_required
def people(request, unit):
    query = request.GET.get("q", "")
    rows = list(search_people(people_queryset(unit, active_only=False), query)
                .prefetch_related("groups")[:500])
    return render(request, "setup/people.html", {"unit": unit, "people": rows, "q": query})


#: The temporary password just given, kept in the session for the one page that shows it.
_PASSWORD_KEY = "setup-temporary-password"  # nosec B105  # a session key's name, not a password


def _show_password_once(request, person, password: str, *, new: bool):
    """Redirect to the person's password page, which shows the password the next time it is
    opened and never again (a reload shows that it was given, not the password)."""
    request.session[_PASSWORD_KEY] = {"person": person.pk, "password": password, "new": new}
    return redirect("setup_person_password", pk=person.pk)


@office_required
def person_new(request, unit):
    form = PersonForm(request.POST or None, scope_unit=unit)
    if request.method == "POST" and form.is_valid() and (outcome := once.submit(
            request, form, lambda: services.create_person(unit, request.user, **form.cleaned_data),
            lambda result: reverse("setup_person_password", args=[result[0].pk]))):
        if outcome.repeated:  # sent again: the person exists once, their password was shown
            return once.respond(request, outcome, "")
        person, password = outcome.result
        return _show_password_once(request, person, password, new=True)
    return _form_page(request, form, _("New person"), _("Save"), redirect("setup_people").url)


@office_required
def person_password(request, unit, pk):
    """The temporary password just given (created, or reset), shown this once."""
    person = _person_in_scope(unit, pk)
    given = request.session.get(_PASSWORD_KEY)
    if given is not None and given.get("person") == person.pk:
        del request.session[_PASSWORD_KEY]
    else:
        given = None
    return render(request, "setup/password.html", {
        "person": person, "name": name_of(person),
        "password": given["password"] if given else None, "new": bool(given and given["new"])})


@office_required
def person_edit(request, unit, pk):
    person = _person_in_scope(unit, pk)
    profile = person.profile
    initial = {"full_name": profile.full_name, "username": person.username, "unit": profile.unit,
               "title": profile.title, "phone": profile.phone,
               "roles": list(person.groups.values_list("name", flat=True))}
    form = PersonForm(request.POST or None, scope_unit=unit, editing=person, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            services.update_person(unit, person, request.user, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": data["full_name"]})
            return redirect("setup_people")
    return _form_page(request, form, _("Person: %(name)s") % {"name": name_of(person)},
                      _("Save"), redirect("setup_people").url, person=person)


@office_required
@require_POST
def person_reset_password(request, unit, pk):
    person = _person_in_scope(unit, pk)
    password = services.reset_password(person, request.user)
    return _show_password_once(request, person, password, new=False)


@office_required
def person_deactivate(request, unit, pk):
    """GET: what deactivating means, with a button to confirm (or why it cannot be done now);
    POST: deactivate."""
    person = _person_in_scope(unit, pk)
    edit_url = reverse("setup_person_edit", args=[person.pk])
    if request.method != "POST":
        if not person.is_active:
            return redirect(edit_url)
        refusal = services.deactivation_refusal(person, request.user)
        if refusal is not None:
            messages.error(request, refusal)
            return redirect(edit_url)
        return render(request, "supervision/confirm.html", {
            "title": _("Deactivate %(name)s") % {"name": name_of(person)},
            "warning": _("%(name)s will no longer be able to sign in, and is no longer offered "
                         "as a leader or team member. What they did stays on record; the account "
                         "can be reactivated later on this person's page.")
            % {"name": name_of(person)},
            "details": [(_("person"), label_of(person)), (_("login name"), person.username)],
            "action": reverse("setup_person_deactivate", args=[person.pk]),
            "submit": _("Deactivate"), "cancel": edit_url})
    try:
        services.deactivate_person(person, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(edit_url)
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": name_of(person)})
    return redirect("setup_people")


@office_required
@require_POST
def person_reactivate(request, unit, pk):
    person = _person_in_scope(unit, pk)
    services.reactivate_person(person, request.user)
    messages.success(request, _("%(name)s can sign in again.") % {"name": name_of(person)})
    return redirect("setup_person_edit", pk=person.pk)


# --- Units --------------------------------------------------------------------------------------


@office_required
def units(request, town):
    """The town's villages (communities), departments and companies, with how many people each."""
    rows = list(access.setup_units(town).select_related("parent")
                .annotate(people=Count("profiles")).order_by("kind", "name"))
    return render(request, "setup/units.html", {"unit": town, "units": rows})


def _unit_page(request, form, title, **extra):
    return render(request, "setup/unit_form.html", {
        "form": form, "title": title, "submit": _("Save"), "back_url": reverse("setup_units"),
        **extra})


@office_required
def unit_new(request, town):
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (outcome := once.submit(
            request, form, lambda: services.create_unit(town, request.user, **form.cleaned_data),
            lambda result: reverse("setup_units"))):
        return once.respond(request, outcome, _("%(name)s added: it can be chosen as a person's "
                                                "unit now.") % {"name": form.cleaned_data["name"]})
    return _unit_page(request, form, _("New unit of %(town)s") % {"town": town.name})


@office_required
def unit_edit(request, town, pk):
    unit = access.get_unit_for_setup(request.user, pk)
    form = UnitForm(request.POST or None, initial={"name": unit.name, "kind": unit.kind})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_unit(town, unit, request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("setup_units")
    return _unit_page(request, form, _("Unit: %(name)s") % {"name": unit.name}, edited=unit)


@office_required
def unit_delete(request, town, pk):
    """GET: what deleting means, with a button to confirm (or why it cannot be done: the unit is
    in use); POST: delete."""
    unit = access.get_unit_for_setup(request.user, pk)
    edit_url = reverse("setup_unit_edit", args=[unit.pk])
    if request.method != "POST":
        refusal = services.unit_deletion_refusal(unit)
        if refusal is not None:
            messages.error(request, refusal)
            return redirect(edit_url)
        return render(request, "supervision/confirm.html", {
            "title": _("Delete %(name)s") % {"name": unit.name},
            "warning": _("%(name)s is used by nobody and nothing: deleting it takes it off the "
                         "lists of units. This cannot be undone (it can be added again).")
            % {"name": unit.name},
            "details": [(_("name"), unit.name), (_("kind"), unit.get_kind_display())],
            "action": reverse("setup_unit_delete", args=[unit.pk]),
            "submit": _("Delete"), "cancel": edit_url})
    try:
        services.delete_unit(town, unit, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(edit_url)
    messages.success(request, _("%(name)s deleted.") % {"name": unit.name})
    return redirect("setup_units")

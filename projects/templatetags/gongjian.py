"""Template helpers of the officials' web: lights, progress bars with the plan marked, and the
plan-versus-actual chart as server-rendered inline SVG (no JavaScript, no CDN)."""

import datetime
import re
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from projects.figures import level_name

register = template.Library()


@register.simple_tag
def colon():
    """The colon after a label in the page's language: English writes ": ", Chinese the
    full-width "：" with no space after it."""
    return pgettext("label separator", ": ")


#: Figures a browser may break inside: dates (2027-01-31), decimals and percents (33.8, 33.8%, 40%),
#: amounts with separators (32,000). A plain whole number never breaks and is left as it is.
_FIGURE = re.compile(r"\d{4}-\d{2}-\d{2}|\d[\d,]*\.\d+%?|\d[\d,]*%|\d{1,3}(?:,\d{3})+")


@register.filter
def figures_whole(text):
    """Text with its line breaks kept (as linebreaksbr) and every figure in a no-wrap span: a
    printed 督办单's reason reads "2027-01-31", never "2027-01-" at a line's end. Escaped."""
    lines = []
    for line in str(text).splitlines():
        parts, at = [], 0
        for match in _FIGURE.finditer(line):  # on the raw text: an entity's digits are not figures
            parts.append(conditional_escape(line[at:match.start()]))
            parts.append(format_html('<span class="figure">{}</span>', match.group(0)))
            at = match.end()
        parts.append(conditional_escape(line[at:]))
        lines.append("".join(parts))
    return mark_safe("<br>".join(lines))  # nosec B308, B703  # each part escaped; our spans only


@register.filter
def level_label(project) -> str:
    """A project's level as every page and document names it (projects.figures.level_name)."""
    return level_name(project.level, project.listed_by.name if project.listed_by_id else None)


@register.filter
def files_lost(form) -> bool:
    """The form was sent with files and refused: the browser cannot keep the chosen files (read
    as an attribute here: in a template, form.files would be the form's field named "files")."""
    return bool(form is not None and form.is_bound and form.files and form.errors)


@register.filter
def parens(value):
    """A note in brackets in the page's language: English "(note)" after a space, Chinese the
    full-width "（note）"; escaped like any variable."""
    return pgettext("parenthetical note", " (%(note)s)") % {"note": value}


@register.filter
def list_join(values):
    """Words in a run: English "a, b", Chinese "a、b" (the enumeration comma)."""
    return pgettext("list separator", ", ").join(str(v) for v in values)


@register.simple_tag
def light(health: str, label: str = ""):
    """A coloured dot for a light (green, yellow, red, done, paused), with its name for readers."""
    return format_html('<span class="gj-light gj-light-{}" title="{}" role="img" aria-label="{}"></span>',
                       health, label or health, label or health)


def _clamp(value) -> float:
    return max(0.0, min(100.0, float(value or 0)))


@register.simple_tag
def progress_bar(progress, planned=None, health: str = ""):
    """A bar at the reported %, with a mark at the planned % when given (SVG: no inline styles)."""
    done = _clamp(progress)
    marker = ""
    if planned is not None:
        marker = format_html('<line x1="{}" y1="0" x2="{}" y2="12" class="gj-plan-mark"/>',
                             f"{_clamp(planned):.1f}", f"{_clamp(planned):.1f}")
    label = _("Reported %(done)s%%, planned %(planned)s%%") % {"done": progress, "planned": planned} \
        if planned is not None else _("Reported %(done)s%%") % {"done": progress}
    return format_html(
        '<div class="gj-progress"><svg class="gj-progress-svg" viewBox="0 0 100 12" '
        'preserveAspectRatio="none" role="img" aria-label="{}"><title>{}</title>'
        '<rect x="0" y="0" width="100" height="12" class="gj-bar-track"/>'
        '<rect x="0" y="0" width="{}" height="12" class="gj-bar gj-bar-{}"/>{}</svg>'
        '<span class="gj-progress-label">{}%</span></div>',
        label, label, f"{done:.1f}", health or "green", marker, progress)


@register.filter
def signed(value):
    """+3.5 / −2.0 / 0.0 for a lag in points (never -0.0)."""
    if value is None:
        return ""
    value = Decimal(value)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return f"{abs(value)}"


@register.simple_tag
def lag_words(lag):
    """A lag in points in words: "3.5 points behind plan", "1.0 points ahead of plan", "on plan"
    (a negative lag is ahead: never "lag −1.0")."""
    if lag is None:
        return ""
    lag = Decimal(lag)
    if lag > 0:
        return _("%(lag)s points behind plan") % {"lag": lag}
    if lag < 0:
        return _("%(lag)s points ahead of plan") % {"lag": -lag}
    return _("on plan")


def _x(day: datetime.date, start: datetime.date, end: datetime.date, left: float, width: float) -> float:
    span = max(1, (end - start).days)
    return left + width * (day - start).days / span


@register.simple_tag
def plan_chart(planned, actual, start, end, as_of=None, title=""):
    """An SVG line chart of the plan (dashed) against what was reported (solid, with dots).

    planned and actual are sequences of (date, percent); actual may hold None percents (future).
    """
    w, h, left, right, top, bottom = 640, 260, 40, 12, 12, 28
    pw, ph = w - left - right, h - top - bottom

    def y(pct) -> float:
        return top + ph * (1 - _clamp(pct) / 100)

    def points(series):
        return " ".join(f"{_x(d, start, end, left, pw):.1f},{y(p):.1f}" for d, p in series if p is not None)

    grid = format_html_join("", '<line x1="{}" y1="{}" x2="{}" y2="{}" class="gj-grid"/>'
                                '<text x="{}" y="{}" class="gj-axis" text-anchor="end">{}%</text>',
                            ((left, f"{y(v):.1f}", left + pw, f"{y(v):.1f}", left - 4, f"{y(v) + 4:.1f}", v)
                             for v in (0, 25, 50, 75, 100)))
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="3" class="gj-actual-dot">'
                                '<title>{} {}%</title></circle>',
                            ((f"{_x(d, start, end, left, pw):.1f}", f"{y(p):.1f}", d.isoformat(), p)
                             for d, p in actual if p is not None))
    today = ""
    if as_of is not None and start <= as_of <= end:
        tx = f"{_x(as_of, start, end, left, pw):.1f}"
        today = format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="gj-today"/>'
                            '<text x="{}" y="{}" class="gj-axis" text-anchor="middle">{}</text>',
                            tx, top, tx, top + ph, tx, h - 4, _("Today"))
    svg = format_html(
        '<svg class="gj-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{title}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{title}</title>{grid}'
        '<text x="{left}" y="{yl}" class="gj-axis">{start}</text>'
        '<text x="{xr}" y="{yl}" class="gj-axis" text-anchor="end">{end}</text>{today}'
        '<polyline points="{planned}" class="gj-planned-line"/>'
        '<polyline points="{actual}" class="gj-actual-line"/>{dots}</svg>'
        '<div class="gj-chart-legend small text-secondary">'
        '<span class="gj-key gj-key-planned"></span> {lp} '
        '<span class="gj-key gj-key-actual ms-3"></span> {la}</div>',
        w=w, h=h, title=title or _("Plan against reports"), grid=grid, left=left, yl=h - 4,
        xr=left + pw, start=start.strftime("%m-%d"), end=end.strftime("%m-%d"), today=today,
        planned=points(planned), actual=points(actual), dots=dots, lp=_("Planned"),
        la=_("Reported"),
    )
    return svg  # format_html: a SafeString built from escaped parts


@register.filter
def age_days(days):
    """“today”, “1 day ago”, “12 days ago”, or “never” for a report age in days."""
    if days is None:
        return _("never")
    if days <= 0:
        return _("today")
    return ngettext("%(n)d day ago", "%(n)d days ago", days) % {"n": days}

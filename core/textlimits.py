"""How much text a form field takes: what a page, a printed notice or a bulletin can show.

The browser stops typing at the limit (the textarea's maxlength); the form refuses a longer text
sent some other way beside its field, with the text kept. A 4.9 MB "work done" once made the
project page 4.9 MB.
"""

from django.core.validators import MaxLengthValidator

#: The main text of an item: a week's work, a response's measures, a highlight's story.
LONG_TEXT = 2000
#: A secondary text: next steps, a reason, a comment, a hazard.
SHORT_TEXT = 1000
#: Meeting minutes.
MINUTES_TEXT = 5000


def limit_lengths(form, limits: dict[str, int]) -> None:
    """Give a ModelForm's text fields (from TextFields, which have no length) their limits."""
    for name, limit in limits.items():
        field = form.fields.get(name)
        if field is None:
            continue
        field.max_length = limit
        field.validators.append(MaxLengthValidator(limit))
        field.widget.attrs["maxlength"] = str(limit)

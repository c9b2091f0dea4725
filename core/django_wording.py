"""Django's own messages that our users meet, worded again in our catalogue.

Django's zh-hans catalogue ends two of the decimal field's messages with an English full stop and
words them stiffly ("确认小数不超过 1 位."), and a cadre reads them beside the percent of every
report. The msgids below are Django's own, letter for letter; written here, makemessages keeps
them in locale/ (LOCALE_PATHS is read before Django's catalogue), where they have our wording.
Nothing imports this module."""

from django.utils.translation import ngettext_lazy

DECIMAL_MESSAGES = [
    ngettext_lazy("Ensure that there are no more than %(max)s digit in total.",
                  "Ensure that there are no more than %(max)s digits in total.", "max"),
    ngettext_lazy("Ensure that there are no more than %(max)s decimal place.",
                  "Ensure that there are no more than %(max)s decimal places.", "max"),
    ngettext_lazy("Ensure that there are no more than %(max)s digit before the decimal point.",
                  "Ensure that there are no more than %(max)s digits before the decimal point.",
                  "max"),
]

"""Django's own messages that our users meet, worded again in our catalogue.

Django's zh-hans catalogue ends two of the decimal field's messages with an English full stop and
words them stiffly ("确认小数不超过 1 位."), and a cadre reads them beside the percent of every
report; the length messages say "确保该变量包含不超过 1000 字符" beside a text a leader typed. The
msgids below are Django's own, letter for letter; written here, makemessages keeps
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

LENGTH_MESSAGES = [
    ngettext_lazy("Ensure this value has at least %(limit_value)d character (it has "
                  "%(show_value)d).",
                  "Ensure this value has at least %(limit_value)d characters (it has "
                  "%(show_value)d).", "limit_value"),
    ngettext_lazy("Ensure this value has at most %(limit_value)d character (it has "
                  "%(show_value)d).",
                  "Ensure this value has at most %(limit_value)d characters (it has "
                  "%(show_value)d).", "limit_value"),
]

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import WEEKDAY_NAMES, DateException, SessionKind

WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("时段类型"), choices=SessionKind.choices)
    weekdays = forms.MultipleChoiceField(
        label=_("适用星期"), choices=WEEKDAY_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("每段分钟数"), min_value=5, max_value=240, initial=30)
    capacity = forms.IntegerField(label=_("每段名额"), min_value=1, max_value=500, initial=4)

    def clean_weekdays(self) -> str:
        days = self.cleaned_data.get("weekdays") or []
        if self.data.get("kind") == SessionKind.HOLIDAY and not days:
            return "0123456"
        return "".join(days)


class ExceptionForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=DateException.Kind.choices)
    session_kind = forms.ChoiceField(label=_("加开时段类型"), choices=[("", "-"), *list(SessionKind.choices)], required=False)
    start = forms.TimeField(label=_("开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("每段分钟数"), min_value=5, max_value=240, initial=30)
    capacity = forms.IntegerField(label=_("每段名额"), min_value=1, max_value=500, initial=4)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class PersonForm(forms.Form):
    """The person a clerk or an agent books for."""

    id_number = forms.CharField(label=_("身份证号码"), max_length=18)
    person_name = forms.CharField(label=_("姓名"), max_length=64)
    phone = forms.CharField(label=_("手机号"), max_length=20)

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AgentPoint


@admin.register(AgentPoint)
class AgentPointAdmin(admin.ModelAdmin):
    list_display = ["name", "village", "township", "phone", "opened_on"]
    list_filter = ["village__parent"]
    search_fields = ["name", "village__name", "village__code"]
    list_select_related = ["village", "village__parent"]
    autocomplete_fields = ["village"]

    @admin.display(description=_("乡镇（街道）"))
    def township(self, obj: AgentPoint) -> str:
        return obj.village.parent.name if obj.village.parent else ""

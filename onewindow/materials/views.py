"""The material library pages (我的材料库) and the permission-checked file download."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from onewindow.core.authed import AuthedRequest
from onewindow.core.errors import ApplicationError, NotFound

from . import selectors, services

# Common documents people keep; the key matches MaterialRequirement.shared_key in the catalog.
COMMON_KINDS = [
    ("id_card", gettext_lazy("居民身份证")),
    ("household_register", gettext_lazy("户口簿")),
    ("marriage_cert", gettext_lazy("结婚证")),
    ("business_licence", gettext_lazy("营业执照")),
    ("property_cert", gettext_lazy("不动产权证书")),
    ("", gettext_lazy("其他材料")),
]


class UploadForm(forms.Form):
    shared_key = forms.ChoiceField(label=gettext_lazy("材料类型"), choices=COMMON_KINDS, required=False)
    name = forms.CharField(label=gettext_lazy("材料名称"), max_length=200, required=False)
    owner = forms.ChoiceField(label=gettext_lazy("归属"), required=False)
    file = forms.FileField(label=gettext_lazy("文件（PDF 或 JPG/PNG，不超过10MB）"), required=False)

    def __init__(self, *args: Any, enterprises: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", _("本人")), *[(str(e.uuid), e.name) for e in enterprises]]


@login_required
def library(request: AuthedRequest) -> HttpResponse:
    user: Any = request.user
    enterprises = list(selectors.enterprises_of(user))
    form = UploadForm(request.POST or None, request.FILES or None, enterprises=enterprises)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = next((e for e in enterprises if str(e.uuid) == data["owner"]), None)
        name = data["name"] or dict(COMMON_KINDS).get(data["shared_key"], "")
        try:
            services.library_upload(
                actor=user, file=request.FILES.get("file"), name=str(name), shared_key=data["shared_key"], enterprise=enterprise
            )
        except ApplicationError as exc:
            for field, msgs in exc.fields.items():
                for m in msgs:
                    form.add_error(field if field in form.fields else None, str(m))
            if not exc.fields:
                form.add_error(None, str(exc.message))
            status = exc.status
        else:
            messages.success(request, _("已存入材料库，以后申请时可一键复用。"))
            return redirect("materials:library")
    return render(
        request,
        "materials/library.html",
        {"items": selectors.library_for(user), "issued": selectors.issued_documents(user), "form": form},
        status=status,
    )


@login_required
@require_POST
def remove(request: AuthedRequest, uuid: str) -> HttpResponse:
    item = selectors.library_item_for(request.user, uuid)
    services.library_remove(actor=request.user, item=item)
    messages.success(request, _("已从材料库删除。"))
    return redirect("materials:library")


@login_required
def download(request: AuthedRequest, uuid: str) -> FileResponse:
    """Served only to the owner (or the enterprise's handlers) and to staff handling a case the
    file was submitted with; everyone else gets 404, as if it did not exist."""
    item = selectors.item_for_file(request.user, uuid)
    try:
        handle = services.open_file(item.storage_name)
    except OSError:
        raise NotFound() from None
    response = FileResponse(handle, content_type=item.content_type)
    response["Content-Disposition"] = f'inline; filename="{item.uuid}.{item.storage_name.rsplit(".", 1)[-1]}"'
    response["Cache-Control"] = "private, no-store"
    return response

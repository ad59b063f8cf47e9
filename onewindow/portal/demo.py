"""Portal demo: the demo citizen and enterprise personas already hold their ID card and business
licence in the material library, so "reuse with one tap" can be shown at once; the citizen has an
application in progress (a draft) to resume from any device. Deterministic and idempotent."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile

from onewindow.accounts.models import Enterprise, User
from onewindow.core.demo import DemoContext
from onewindow.materials import selectors, services
from onewindow.materials.models import ApplicationDraft, LibraryItem


def _card_png(title: str) -> ContentFile[bytes]:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 300), (236, 242, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 468, 288), outline=(29, 78, 216), width=4)
    draw.rectangle((32, 60, 150, 200), fill=(200, 210, 225))
    draw.text((180, 80), "DEMO", fill=(29, 78, 216))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return ContentFile(buf.getvalue(), name=f"{title}.png")


def _hold(user: User, *, name: str, key: str, enterprise: Enterprise | None = None) -> bool:
    owner: dict[str, User | Enterprise] = {"enterprise": enterprise} if enterprise is not None else {"owner": user}
    if LibraryItem.objects.filter(shared_key=key, removed_at__isnull=True, **owner).exists():
        return False
    services.library_upload(actor=user, file=_card_png(key), name=name, shared_key=key, enterprise=enterprise)
    return True


def build(ctx: DemoContext) -> None:
    added = 0
    citizen = User.objects.filter(username="citizen").first()
    if citizen is not None:
        added += _hold(citizen, name="居民身份证", key="id_card")
        added += _hold(citizen, name="居民户口簿", key="household_register")
        if not ApplicationDraft.objects.filter(applicant=citizen).exists():
            matter = (
                selectors.online_matters()
                .filter(current_version__audience="citizen", current_version__materials__shared_key="id_card")
                .order_by("code")
                .first()
            )
            if matter is not None:
                draft = services.draft_start(applicant=citizen, matter=matter)
                services.draft_confirm_conditions(draft=draft, actor=citizen, confirmed=True)
    boss = User.objects.filter(username="enterprise").first()
    if boss is not None:
        added += _hold(boss, name="居民身份证", key="id_card")
        ent = selectors.enterprises_of(boss).first()
        if ent is not None:
            added += _hold(boss, name="营业执照", key="business_licence", enterprise=ent)
            added += _hold(boss, name="法定代表人身份证明", key="legal_rep_id", enterprise=ent)
    ctx.say(f"  portal: {added} library documents for the demo personas, one draft to resume")

"""Writes of 好差评: a rating (every channel comes through `rating_submit`), its correction, the
signed single-use link, and the window's rating pad. Follow-up and appeals are in followups.py."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.core import ratelimit
from onewindow.core.audit import audit
from onewindow.core.errors import Conflict, PermissionDenied
from onewindow.core.parsing import clean_text

from . import conf, errors, subjects
from .indicators import INDICATORS, tags_for
from .models import BAD_LEVELS, Invitation, Level, Rating, RatingChannel, RatingPad
from .subjects import Subject

LINK_SALT = "onewindow.ratings.invite"
# Channels where nobody is signed in: the device (pad, kiosk) or the link vouches for the person.
DEVICE_CHANNELS = (RatingChannel.PAD, RatingChannel.KIOSK)


def client_key(ip: str | None) -> str:
    """A keyed hash of the client address: enough to count a flood, useless to anyone reading the table."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), f"rating-ip:{ip}".encode(), hashlib.sha256).hexdigest()


def _clean_text(value: Any, limit: int) -> str:
    text = clean_text(value)
    return text[:limit]


def validate_content(
    *, mode: str, level: Any, indicators: Any, tags: Any, comment: Any
) -> tuple[int, dict[str, int], list[str], str]:
    """Check a rating's content against the national indicator set. Raises ValidationFailed."""
    try:
        lvl = int(level)
    except (TypeError, ValueError):
        lvl = 0
    if lvl not in Level.values:
        raise errors.invalid("level", _("评价等级只能是非常满意、满意、基本满意、不满意、非常不满意之一。"), "unknown_level")
    keys = {k for k, _label in INDICATORS[mode]}
    clean_ind: dict[str, int] = {}
    if indicators is not None and not isinstance(indicators, dict):
        raise errors.invalid("indicators", _("分项评价格式不正确。"), "bad_indicators")
    for key, value in (indicators or {}).items():
        if key not in keys:
            raise errors.invalid("indicators", _("未知的评价指标：%(k)s。") % {"k": str(key)[:40]}, "unknown_indicator")
        try:
            v = int(value)
        except (TypeError, ValueError):
            v = 0
        if v not in Level.values:
            raise errors.invalid("indicators", _("分项评价等级不正确。"), "unknown_level")
        clean_ind[key] = v
    clean_ind["overall"] = lvl
    if tags is not None and not isinstance(tags, list | tuple):
        raise errors.invalid("tags", _("评价原因格式不正确。"), "bad_tags")
    offered = {code for code, _label in tags_for(mode, lvl)}
    clean_tags: list[str] = []
    for tag in tags or []:
        if not isinstance(tag, str) or tag not in offered:
            raise errors.invalid("tags", _("所选原因与评价等级不符。"), "unknown_tag")
        if tag not in clean_tags:
            clean_tags.append(tag)
    limit = int(conf.get("comment_max_chars"))
    if comment is not None and not isinstance(comment, str):
        raise errors.invalid("comment", _("文字评价格式不正确。"), "bad_comment")
    if comment and len(comment.strip()) > limit:
        raise errors.invalid("comment", _("文字评价不能超过 %(n)s 字。") % {"n": limit}, "comment_too_long")
    text = _clean_text(comment, limit)
    if lvl in BAD_LEVELS and not clean_tags and not text:
        raise errors.invalid("tags", _("差评请选择或填写原因，便于责任单位整改。"), "reason_required")
    return lvl, clean_ind, clean_tags, text


def _check_window(subject: Subject, now: datetime.datetime) -> None:
    days = int(conf.get("rate_within_days"))
    if now > subject.served_at + datetime.timedelta(days=days):
        raise errors.window_closed(days)


def _throttle(*, rater: Any, key: str, channel: str) -> None:
    """A flood from one account or address is refused. Each rating first takes a place in the
    hour's window of `core.ratelimit` (a conditional `UPDATE ... WHERE hits < limit`), so a burst
    of concurrent ratings cannot pass the limit the way counting stored rows and then inserting
    did. A place taken by a rating that then fails (lost the race for its service) stays taken:
    the brake errs on the side of refusing. Fixed hourly windows, like every limit of the project."""
    if channel in DEVICE_CHANNELS:
        return
    hour = datetime.timedelta(hours=1)
    try:
        if rater is not None:
            ratelimit.hit(f"rating:user:{rater.pk}", limit=int(conf.get("per_account_per_hour")), per=hour)
        if key:
            ratelimit.hit(f"rating:addr:{key}", limit=int(conf.get("per_address_per_hour")), per=hour)
    except ratelimit.RateLimited:
        raise errors.Throttled() from None


def _display_name(user: Any) -> str:
    return (user.display_name or user.username)[:64] if user is not None else ""


def rating_submit(
    *,
    kind: str,
    subject_uuid: Any,
    level: Any,
    channel: str,
    rater: Any = None,
    indicators: Any = None,
    tags: Any = None,
    comment: Any = "",
    client_ip: str | None = None,
    invitation: Invitation | None = None,
    pad: RatingPad | None = None,
) -> Rating:
    """Store one rating of one service. Every channel ends here.

    `rater` is the signed-in person (web, phone, API). Device channels (pad, kiosk) and the signed
    link have no session: the pad vouches that the person at its window was served, the kiosk that
    the person holds the case's check code or ticket slip, the invitation that its person was sent
    the link; the rating is then real-name when the service knows its person.
    """
    if channel not in RatingChannel.values:
        raise errors.invalid("channel", _("未知的评价渠道。"), "unknown_channel")
    if kind not in subjects.known_kinds():
        raise errors.invalid("kind", _("未知的评价对象类型。"), "unknown_kind")
    subject = subjects.resolve(kind, subject_uuid)
    if subject is None:
        raise errors.not_rateable()
    now = timezone.now()
    if invitation is not None:
        if invitation.kind != kind or invitation.subject_uuid != subject.uuid:
            raise errors.bad_link()
        rater = invitation.person
    elif rater is None:
        if channel not in DEVICE_CHANNELS:
            raise PermissionDenied(_("请先登录。"), code="login_required")
        if channel == RatingChannel.PAD and (
            pad is None
            or subject.window is None
            or subject.window.pk != pad.window_id
            or subject.served_at < now - datetime.timedelta(minutes=int(conf.get("pad_minutes")))
        ):
            # A pad rates only what was just finished at its own window.
            raise errors.not_rateable()
        rater = subject.person
    elif subject.person is None or subject.person.pk != rater.pk:
        raise errors.own_service() if rater.pk in subject.delivered_by else errors.not_your_service()
    if rater is not None and rater.pk in subject.delivered_by:
        raise errors.own_service()
    lvl, clean_ind, clean_tags, text = validate_content(
        mode=subject.mode, level=level, indicators=indicators, tags=tags, comment=comment
    )
    _check_window(subject, now)
    if Rating.objects.filter(kind=kind, subject_uuid=subject.uuid, corrects__isnull=True).exists():
        raise errors.already_rated()
    key = client_key(client_ip)
    _throttle(rater=rater, key=key, channel=channel)
    try:
        with transaction.atomic():
            if invitation is not None and not Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
                used_at=now
            ):
                raise errors.link_used()
            rating = Rating.objects.create(
                kind=kind,
                subject_uuid=subject.uuid,
                subject_label=subject.label,
                mode=subject.mode,
                unit=subject.unit,
                staff=subject.staff,
                window=subject.window,
                area=subject.area,
                matter=subject.matter,
                served_at=subject.served_at,
                rater=rater,
                rater_name=_display_name(rater) or subject.person_name[:64],
                rater_phone=((rater.phone if rater is not None else "") or subject.person_phone)[:20],
                real_name=rater is not None or subject.identified,
                channel=channel,
                level=lvl,
                indicators=clean_ind,
                tags=clean_tags,
                comment=text,
                client_key=key,
            )
            _after_rating(rating, actor=rater)
    except IntegrityError:
        # Lost the race for this service against another rating committed a moment earlier.
        raise errors.already_rated() from None
    return rating


def _after_rating(rating: Rating, *, actor: Any) -> None:
    from .followups import follow_up_open

    audit(
        actor=actor,
        action="rating.create" if rating.corrects_id is None else "rating.correct",
        target=rating,
        data={"kind": rating.kind, "subject": str(rating.subject_uuid), "level": rating.level, "channel": rating.channel},
    )
    if rating.is_bad and rating.is_real_name:
        follow_up_open(rating=rating)


def rating_correct(
    *, rating: Rating, rater: Any, level: Any, indicators: Any = None, tags: Any = None, comment: Any = "", channel: str
) -> Rating:
    """A rating is never edited: the person may append one correction within the rating period; the
    figures read the correction from then on and the original stays in the record."""
    if rater is None or rating.rater_id != rater.pk:
        raise errors.not_your_service()
    if rating.corrects_id is not None:
        raise errors.wrong_step(gettext("更正记录"))
    lvl, clean_ind, clean_tags, text = validate_content(
        mode=rating.mode, level=level, indicators=indicators, tags=tags, comment=comment
    )
    now = timezone.now()
    days = int(conf.get("rate_within_days"))
    if now > rating.served_at + datetime.timedelta(days=days):
        raise errors.window_closed(days)
    if Rating.objects.filter(corrects=rating).exists():
        raise Conflict(_("这条评价已经更正过了。"), code="already_corrected")
    try:
        with transaction.atomic():
            fresh = Rating.objects.create(
                kind=rating.kind,
                subject_uuid=rating.subject_uuid,
                subject_label=rating.subject_label,
                mode=rating.mode,
                unit=rating.unit,
                staff=rating.staff,
                window=rating.window,
                area=rating.area,
                matter=rating.matter,
                served_at=rating.served_at,
                rater=rater,
                rater_name=rating.rater_name,
                rater_phone=rating.rater_phone,
                real_name=rating.real_name,
                channel=channel,
                level=lvl,
                indicators=clean_ind,
                tags=clean_tags,
                comment=text,
                corrects=rating,
            )
            if fresh.is_bad and not hasattr(rating, "follow_up"):
                _after_rating(fresh, actor=rater)
            else:
                audit(actor=rater, action="rating.correct", target=fresh, data={"corrects": str(rating.uuid), "level": lvl})
    except IntegrityError:
        raise Conflict(_("这条评价已经更正过了。"), code="already_corrected") from None
    return fresh


# --- the signed, single-use link -----------------------------------------------------------------


def link_token(invitation: Invitation) -> str:
    return signing.dumps({"i": str(invitation.uuid)}, salt=LINK_SALT, compress=True)


def link_url(invitation: Invitation) -> str:
    from django.urls import reverse

    return settings.ONEWINDOW_PUBLIC_BASE_URL.rstrip("/") + reverse("ratings:link", args=[link_token(invitation)])


def invitation_from_token(token: str, *, now: datetime.datetime | None = None) -> Invitation:
    """The invitation a link names. Forged, expired and used links are refused here."""
    try:
        data = signing.loads(str(token or "")[:400], salt=LINK_SALT)
    except signing.BadSignature:
        raise errors.bad_link() from None
    key = subjects.as_uuid(data.get("i") if isinstance(data, dict) else None)
    inv = Invitation.objects.select_related("person").filter(uuid=key).first() if key else None
    if inv is None:
        raise errors.bad_link()
    if inv.used_at is not None:
        raise errors.link_used()
    if (now or timezone.now()) > inv.expires_at:
        raise errors.link_expired()
    return inv


def invitation_create(*, subject: Subject, now: datetime.datetime | None = None) -> Invitation | None:
    """Invite the person served to rate (idempotent: one invitation per service). Sends the link by
    SMS when the person has a phone, else as a site message; the outbox delivers after commit."""
    from onewindow.core.notify import notify

    if subject.person is None:
        return None
    now = now or timezone.now()
    days = int(conf.get("rate_within_days"))
    expires = subject.served_at + datetime.timedelta(days=days)
    if expires <= now:
        return None
    try:
        with transaction.atomic():
            inv = Invitation.objects.create(
                kind=subject.kind, subject_uuid=subject.uuid, person=subject.person, expires_at=expires
            )
            person = subject.person
            body = gettext("您办理的“%(label)s”已办结。请对本次服务进行评价（%(days)s 天内有效，仅可使用一次）：%(url)s") % {
                "label": subject.label,
                "days": days,
                "url": link_url(inv),
            }
            notify(
                channel="sms" if person.phone else "site",
                recipient=person.phone or person.username,
                user=person,
                subject=gettext("邀请您评价"),
                body=body,
                kind="ratings.invitation",
                dedupe_key=f"rating-invite:{subject.kind}:{subject.uuid}",
            )
            audit(actor=None, action="rating.invite", target=inv, data={"kind": subject.kind})
    except IntegrityError:
        return None  # another sweep invited this service a moment ago
    return inv


# --- the window's rating pad ---------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pad_issue(*, window: Any, actor: Any) -> tuple[RatingPad, str]:
    """Issue (or replace) the device token of a window's pad. The token is shown once."""
    from onewindow.hall.selectors import can_manage

    if not can_manage(actor, window.point):
        raise PermissionDenied()
    token = "pad_" + secrets.token_urlsafe(24)
    with transaction.atomic():
        pad, _created = RatingPad.objects.update_or_create(
            window=window, defaults={"token_hash": _hash(token), "prefix": token[:8], "last_seen_at": None}
        )
        audit(actor=actor, action="rating.pad_issue", target=pad, data={"window": str(window.uuid)})
    return pad, token


def pad_for(*, window_uuid: Any, token: str) -> RatingPad:
    """The pad of a window, proven by its device token (compared in constant time)."""
    key = subjects.as_uuid(window_uuid)
    token = str(token or "")
    pad = RatingPad.objects.select_related("window__point").filter(window__uuid=key).first() if key and token else None
    if pad is None or not hmac.compare_digest(pad.token_hash, _hash(token)):
        raise PermissionDenied(_("评价器令牌无效。"), code="bad_pad_token")
    now = timezone.now()
    if pad.last_seen_at is None or now - pad.last_seen_at > datetime.timedelta(minutes=1):
        RatingPad.objects.filter(pk=pad.pk).update(last_seen_at=now)
    return pad


def masked_name(name: str) -> str:
    """刘秀英 -> 刘*英, 张三 -> 张*: the public 差评整改 list never shows a whole name."""
    name = (name or "").strip()
    if not name:
        return "*"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def kiosk_point(*, point_uuid: Any, token: str) -> Any:
    """The service point whose kiosk presents `token` (the hall's own kiosk token, X-Kiosk-Token)."""
    from onewindow.hall.models import ServicePoint

    key = subjects.as_uuid(point_uuid)
    point = ServicePoint.objects.select_related("org_unit").filter(uuid=key).first() if key else None
    if point is None or not point.kiosk_token or not hmac.compare_digest(point.kiosk_token, str(token or "")):
        raise PermissionDenied(_("取号机令牌无效。"), code="bad_kiosk_token")
    return point


def kiosk_case(*, number: Any, check_code: Any) -> Any:
    """The case a person at the kiosk names by its number and check code (printed on every notice)."""
    from onewindow.cases.progress import lookup

    # The kiosk is a registered device of the hall: the per-case-number limit on wrong codes
    # applies, not the per-address one (every person at the kiosk shares its address).
    case = lookup(number=str(number or "")[:40], code=str(check_code or "")[:16], address=None)
    if case is None:
        raise errors.invalid("number", _("办件编号或查询码不正确。"), "bad_case_code")
    return case


def kiosk_subjects(case: Any) -> list[Subject]:
    """What of this case can still be rated: the case itself once concluded, and its acceptance."""
    out = []
    for kind in ("case", "acceptance"):
        s = subjects.resolve(kind, case.uuid)
        if s is not None and not Rating.objects.filter(kind=kind, subject_uuid=case.uuid, corrects__isnull=True).exists():
            out.append(s)
    return out

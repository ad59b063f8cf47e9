from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict, ValidationFailed


class VersionImmutable(Conflict):
    code = "version_immutable"

    def __init__(self) -> None:
        super().__init__(_("已发布的事项版本不可修改，请新建草稿版本。"))


class CommittedExceedsStatutory(ValidationFailed):
    code = "committed_exceeds_statutory"

    def __init__(self) -> None:
        super().__init__(
            _("承诺办结时限不得超过法定办结时限。"), fields={"committed_days": [_("承诺办结时限不得超过法定办结时限。")]}
        )

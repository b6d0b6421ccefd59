"""What other apps plug in to react when consent is withdrawn.

Hiding needs no hook: any code that shows, shares or analyses a person's media must first ask
`attunement.privacy.selectors.consent_allows(learner, purpose)`, so media is hidden the moment a
withdrawal is saved. Deleting takes longer, so it runs in the background task
`privacy.tasks.media_withdrawn_consent_cleanup`, which calls every handler registered here.

A handler takes `(learner_id, purpose)`, deletes (or queues for deletion) the media that purpose no
longer covers, returns how many items it removed, and must be safe to run twice.

    from attunement.privacy.hooks import on_consent_withdrawn

    @on_consent_withdrawn
    def delete_withdrawn_videos(learner_id: int, purpose: str) -> int:
        ...
"""

from collections.abc import Callable

WithdrawalHandler = Callable[[int, str], int]

_handlers: list[WithdrawalHandler] = []


def on_consent_withdrawn(handler: WithdrawalHandler) -> WithdrawalHandler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def withdrawal_handlers() -> list[WithdrawalHandler]:
    return list(_handlers)


def forget_handler(handler: WithdrawalHandler) -> None:
    """For tests: undo `on_consent_withdrawn`."""
    if handler in _handlers:
        _handlers.remove(handler)

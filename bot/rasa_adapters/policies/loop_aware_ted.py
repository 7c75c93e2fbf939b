"""TEDPolicy that does not run while a form is on its happy path.

While a loop (our needs_form and contact_form) is active and has not rejected its turn,
Rasa's RulePolicy always predicts: the loop itself after the customer speaks, `action_listen`
after the loop asked its question (`RulePolicy._find_action_from_loop_happy_path`). It marks
that prediction `is_no_user_prediction`, which the policy ensemble ranks above every other
policy's, whatever their confidence. TED's prediction for those states is computed and then
thrown away: on our server it was the largest single cost of a turn (30% of the Rasa
process's CPU under load in a py-spy profile, docs/measurements.md), because most turns of a
qualification conversation are form turns.

Here TED answers "no opinion" (Rasa's default, all-zero prediction, as a policy without a
model does) in exactly those states, and predicts as before everywhere else: no loop, a loop
that rejected the message (digressions, unclear answers: where stories and TED decide), or
right after the loop ended. Training is unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker


def rules_decide(tracker: DialogueStateTracker) -> bool:
    """True when RulePolicy's loop happy path predicts for this tracker (same conditions)."""
    return bool(tracker.active_loop_name) and not tracker.is_active_loop_rejected \
        and tracker.latest_action is not None


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class LoopAwareTEDPolicy(TEDPolicy):
    """TEDPolicy, silent where RulePolicy's loop prediction wins anyway."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if rules_decide(tracker):
            return self._prediction(self._default_predictions(domain))
        return super().predict_action_probabilities(tracker, domain, rule_only_data=rule_only_data,
                                                    **kwargs)

package io.rlstream.reward.stream;

import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutSummary;

/**
 * A decoded rollout that can be placed in its group, with its summary: what every reward made
 * from it carries ({@code Reward.rollout}), including where it is on rl.rollouts, which only the
 * decode step can see (a GlobalKTable join does not pass record metadata on).
 *
 * @param rollout  the rollout; FAILED when it was found unusable
 * @param summary  its summary and position, FAILED with the error when unusable
 * @param unusable why an OK rollout could not be used (its reward is FAILED with this reason), or null
 */
record PlacedRollout(Rollout rollout, RolloutSummary summary, String unusable) {
}

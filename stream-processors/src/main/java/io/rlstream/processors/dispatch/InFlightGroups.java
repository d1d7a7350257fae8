package io.rlstream.processors.dispatch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Groups dispatched and not yet completed. A group of size G completes when G distinct
 * rollout_ids of it have a reward (the reward service writes one per rollout, FAILED ones
 * included); repeated rewards of a rollout count once, rewards of unknown or finished groups
 * are ignored.
 */
public final class InFlightGroups {

    private final Map<String, Pending> pending = new HashMap<>();
    private long dispatched;
    private long completed;

    private record Pending(int groupSize, Set<String> rewarded) {
    }

    /** Records a dispatched group; a group id seen before is not counted again. */
    public void dispatched(String groupId, int groupSize) {
        if (pending.putIfAbsent(groupId, new Pending(groupSize, new HashSet<>())) == null) {
            dispatched++;
        }
    }

    /** Forgets a group that was never really dispatched (its send failed). */
    public void cancelled(String groupId) {
        if (pending.remove(groupId) != null) {
            dispatched--;
        }
    }

    /** @return true when this reward completed its group */
    public boolean rewarded(String groupId, String rolloutId) {
        Pending p = pending.get(groupId);
        if (p == null || !p.rewarded().add(rolloutId) || p.rewarded().size() < p.groupSize()) {
            return false;
        }
        pending.remove(groupId);
        completed++;
        return true;
    }

    public long dispatched() {
        return dispatched;
    }

    public long completed() {
        return completed;
    }

    public int inFlight() {
        return pending.size();
    }
}

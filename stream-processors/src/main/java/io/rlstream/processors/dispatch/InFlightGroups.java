package io.rlstream.processors.dispatch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Groups dispatched and not yet resolved. A group is resolved when the grouping app has completed
 * it (kept or dropped); the grouping app reports that on the compacted prompt-stats topic, whose
 * latest record per prompt counts that prompt's resolved groups, so the sum over prompts is the
 * number of groups resolved so far, also after compaction and restarts. Counting at the grouping
 * app's output rather than at the rewards keeps work queued inside the processors counted as in
 * flight, so a slow stage cannot build an unbounded backlog of stale samples.
 */
public final class InFlightGroups {

    private final Set<String> dispatchedIds = new HashSet<>();
    private final Map<String, Long> resolvedByPrompt = new HashMap<>();
    private long resolved;

    /** Records a dispatched group; a group id seen before is not counted again. */
    public void dispatched(String groupId) {
        dispatchedIds.add(groupId);
    }

    /** Forgets a group that was never really dispatched (its send failed). */
    public void cancelled(String groupId) {
        dispatchedIds.remove(groupId);
    }

    /** The latest statistics of a prompt say it has {@code groups} resolved groups in total. */
    public void promptResolved(String promptId, long groups) {
        Long before = resolvedByPrompt.put(promptId, groups);
        resolved += groups - (before == null ? 0 : before);
    }

    /** Groups of one prompt resolved so far (its latest statistics' count). */
    public long resolvedOf(String promptId) {
        return resolvedByPrompt.getOrDefault(promptId, 0L);
    }

    public long dispatched() {
        return dispatchedIds.size();
    }

    public long completed() {
        return resolved;
    }

    /** Dispatched minus resolved, never below zero (statistics may include groups of other dispatchers). */
    public long inFlight() {
        return Math.max(0, dispatched() - resolved);
    }
}

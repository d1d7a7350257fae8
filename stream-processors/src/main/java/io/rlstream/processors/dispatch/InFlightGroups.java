package io.rlstream.processors.dispatch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Groups dispatched and not yet resolved. A group is resolved when the grouping app has completed
 * it (kept or dropped); the grouping app reports that on the compacted prompt-stats topic, whose
 * latest record per prompt counts that prompt's resolved and kept groups, so the sums over prompts
 * are the groups resolved and accepted so far, also after compaction and restarts. Counting at the
 * grouping app's output rather than at the rewards keeps work queued inside the processors counted
 * as in flight, so a slow stage cannot build an unbounded backlog of stale samples.
 *
 * <p>A group whose generation is lost (a generator died with it; its rollouts never came, so the
 * grouping app never saw it and its own timeout cannot close it) would stay in flight forever and
 * shrink the admission budget for good. After {@code timeoutMs} without resolution the oldest
 * unresolved group of a prompt is given up on ({@link #expire}), counted as lost and no longer in
 * flight. A prompt's groups are taken to resolve in the order they were dispatched; a group given
 * up on that completes after all is taken back from the lost count.
 */
public final class InFlightGroups {

    /** A dispatched group: the prompt, its place among the prompt's dispatches, when it went. */
    private record Pending(String promptId, long ordinal, long dispatchedAtMs) {
    }

    private final long timeoutMs;
    private final Set<String> dispatchedIds = new HashSet<>();
    private final Map<String, Long> dispatchedByPrompt = new HashMap<>();
    private final Map<String, Long> resolvedByPrompt = new HashMap<>();
    private final Map<String, Long> keptByPrompt = new HashMap<>();
    private final Map<String, Long> lostByPrompt = new HashMap<>();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private long resolved;
    private long accepted;
    private long lost;

    /** Groups are never given up on. */
    public InFlightGroups() {
        this(Long.MAX_VALUE);
    }

    /** @param timeoutMs how long a dispatched group may stay unresolved before it is given up on */
    public InFlightGroups(long timeoutMs) {
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("the generation timeout must be >= 1 ms, got " + timeoutMs);
        }
        this.timeoutMs = timeoutMs;
    }

    /** Records a dispatched group of a prompt; a group id seen before is not counted again. */
    public void dispatched(String groupId, String promptId, long dispatchedAtMs) {
        if (dispatchedIds.add(groupId)) {
            long ordinal = dispatchedByPrompt.merge(promptId, 1L, Long::sum) - 1;
            pending.add(new Pending(promptId, ordinal, dispatchedAtMs));
        }
    }

    /** Records a dispatched group whose prompt is unknown (it never counts per prompt, nor times out). */
    public void dispatched(String groupId) {
        dispatchedIds.add(groupId);
    }

    /** Forgets a group that was never really dispatched (its send failed). */
    public void cancelled(String groupId, String promptId) {
        if (dispatchedIds.remove(groupId)) {
            dispatchedByPrompt.merge(promptId, -1L, Long::sum);
            pending.removeIf(p -> p.promptId().equals(promptId)
                    && p.ordinal() == dispatchedByPrompt.get(promptId));
        }
    }

    /** The latest statistics of a prompt say it has {@code groups} resolved groups in total, {@code kept} of them kept. */
    public void promptResolved(String promptId, long groups, long kept) {
        Long before = resolvedByPrompt.put(promptId, groups);
        resolved += groups - (before == null ? 0 : before);
        Long keptBefore = keptByPrompt.put(promptId, kept);
        accepted += kept - (keptBefore == null ? 0 : keptBefore);
        // a group given up on came after all
        long given = lostByPrompt.getOrDefault(promptId, 0L);
        long excess = groups + given - dispatchedByPrompt.getOrDefault(promptId, 0L);
        if (given > 0 && excess > 0) {
            long back = Math.min(given, excess);
            lostByPrompt.put(promptId, given - back);
            lost -= back;
        }
    }

    /** The statistics without a kept count (older records). */
    public void promptResolved(String promptId, long groups) {
        promptResolved(promptId, groups, keptByPrompt.getOrDefault(promptId, 0L));
    }

    /** Gives up on groups still unresolved {@code timeoutMs} after they were dispatched; returns how many. */
    public int expire(long nowMs) {
        int given = 0;
        while (!pending.isEmpty()) {
            Pending head = pending.peek();
            long done = resolvedOf(head.promptId()) + lostByPrompt.getOrDefault(head.promptId(), 0L);
            if (head.ordinal() < done) {
                pending.poll(); // resolved (or given up on) already
                continue;
            }
            if (nowMs - head.dispatchedAtMs() < timeoutMs) {
                break;
            }
            pending.poll();
            lostByPrompt.merge(head.promptId(), 1L, Long::sum);
            lost++;
            given++;
        }
        return given;
    }

    /** Groups of one prompt resolved so far (its latest statistics' count). */
    public long resolvedOf(String promptId) {
        return resolvedByPrompt.getOrDefault(promptId, 0L);
    }

    /** Whether a prompt has a group dispatched and neither resolved nor given up on. */
    public boolean inFlight(String promptId) {
        return dispatchedByPrompt.getOrDefault(promptId, 0L)
                > resolvedOf(promptId) + lostByPrompt.getOrDefault(promptId, 0L);
    }

    public long dispatched() {
        return dispatchedIds.size();
    }

    public long completed() {
        return resolved;
    }

    /** Resolved groups kept for training. */
    public long accepted() {
        return accepted;
    }

    /** Groups given up on. */
    public long lost() {
        return lost;
    }

    /** Dispatched minus resolved minus lost, never below zero (statistics may include groups of other dispatchers). */
    public long inFlight() {
        return Math.max(0, dispatched() - resolved - lost);
    }
}

package io.rlstream.processors.dispatch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
 *
 * <p>{@link #saved()} and {@link #restore} carry the dispatch side (counts per prompt, groups in
 * flight) across restarts in O(prompts + in flight) (issue 19); the resolved side always comes from
 * rl.prompt-stats. Group ids are remembered only for this run (a restored group's id is not needed:
 * ids are unique per run token).
 */
public final class InFlightGroups {

    /** A dispatched group: the prompt, its place among the prompt's dispatches, when it went. */
    public record Pending(String promptId, long ordinal, long dispatchedAtMs) {
    }

    /**
     * The dispatch side of the state: groups dispatched over all runs, per prompt dispatched and
     * given up on, and the groups still in flight (neither resolved nor given up on as far as known).
     */
    public record Saved(long dispatched, Map<String, Long> dispatchedByPrompt, Map<String, Long> lostByPrompt,
            List<Pending> inFlight) {
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
    /** Groups dispatched by earlier runs, restored from a saved state (their ids are not kept). */
    private long restoredDispatched;

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
        return restoredDispatched + dispatchedIds.size();
    }

    /** What {@link #restore} needs, in O(prompts + groups in flight). */
    public Saved saved() {
        List<Pending> open = new ArrayList<>();
        for (Pending p : pending) {
            if (p.ordinal() >= resolvedOf(p.promptId()) + lostByPrompt.getOrDefault(p.promptId(), 0L)) {
                open.add(p);
            }
        }
        Map<String, Long> lostNow = new HashMap<>();
        lostByPrompt.forEach((prompt, n) -> {
            if (n > 0) {
                lostNow.put(prompt, n);
            }
        });
        return new Saved(dispatched(), Map.copyOf(dispatchedByPrompt), Map.copyOf(lostNow), List.copyOf(open));
    }

    /**
     * Starts from a saved state instead of the whole dispatch history; call it before anything else.
     * The groups in flight are queued oldest first, so the generation timeout gives up on them in
     * the order they went.
     */
    public void restore(Saved saved) {
        if (!dispatchedIds.isEmpty() || !dispatchedByPrompt.isEmpty() || restoredDispatched != 0) {
            throw new IllegalStateException("restore a saved state into fresh counts only");
        }
        restoredDispatched = saved.dispatched();
        dispatchedByPrompt.putAll(saved.dispatchedByPrompt());
        lostByPrompt.putAll(saved.lostByPrompt());
        lost = saved.lostByPrompt().values().stream().mapToLong(Long::longValue).sum();
        saved.inFlight().stream().sorted(Comparator.comparingLong(Pending::dispatchedAtMs)).forEach(pending::add);
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

package io.rlstream.monitoring.dashboard;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where every sample of a group went: prompt → rollouts → rewards → advantages → batch →
 * checkpoint, for the {@code capacity} most recent group ids (first seen on any topic; default
 * {@value #DEFAULT_CAPACITY}). An older group is evicted whole, and {@link #lineage} answers
 * empty for it; a late record of an evicted group starts a partial entry again.
 *
 * <p>Records may come in any order across topics (one consumer reads them all), so each arrives
 * on its own and the lineage is assembled when asked: the checkpoint of a group is the one whose
 * {@code batch_ids} contain the group's batch. Only what the page shows is kept, not token ids
 * or logprobs; response texts are cut at {@value #MAX_TEXT} characters.
 */
public final class LineageIndex {

    public static final int DEFAULT_CAPACITY = 2_000;
    static final int MAX_TEXT = 2_000;

    /** The dispatch order: which prompt, its text, and the policy version the dispatcher knew. */
    public record PromptInfo(String promptId, String text, int groupSize, long policyVersion, long dispatchedAt) {
    }

    /**
     * One sample with its reward and advantage. {@code inBatch}: null while the group has no
     * batch; else whether the processors kept the sample in it (failed, stale or filtered
     * samples are not in the batch).
     */
    public record Sample(int sampleIndex, String rolloutId, String response, int responseTokens,
            long behaviourPolicyVersion, String status, String finishReason, String error, Double reward,
            Map<String, Double> rewardComponents, String rewardStatus, String verifier, Double advantage,
            Boolean inBatch, boolean truncated) {
    }

    /** The training batch the group went into. */
    public record BatchInfo(String batchId, long sequence, int groupIndex, int batchGroups, int batchSamples,
            String estimator, long minPolicyVersion, long maxPolicyVersion) {
    }

    /** The checkpoint whose training step consumed the batch. */
    public record CheckpointInfo(long version, long step, String uri) {
    }

    /**
     * A group's lineage; missing parts are null. {@code stage}: the furthest it got, one of
     * dispatched, generated, rewarded, batched, trained.
     */
    public record GroupLineage(String groupId, String stage, PromptInfo prompt, List<Sample> samples,
            BatchInfo batch, CheckpointInfo checkpoint) {
    }

    /** A line of the recent-groups list. */
    public record GroupSummary(String groupId, String promptId, String promptText, String stage, int rollouts,
            int rewards, Double rewardMean) {
    }

    /** What is kept of a rollout (not its token ids and logprobs). */
    private record Generated(String rolloutId, int sampleIndex, String response, int tokens, long policyVersion,
            String status, String finishReason, String error) {
    }

    /** What is kept of a sample in the batch. */
    private record Scored(double reward, double advantage, long policyVersion, boolean truncated) {
    }

    private static final class Entry {
        PromptInfo prompt;
        String promptId;
        final TreeMap<Integer, Generated> rollouts = new TreeMap<>();
        final Map<String, Reward> rewards = new LinkedHashMap<>();
        BatchInfo batch;
        final Map<String, Scored> scored = new LinkedHashMap<>();
    }

    private final int capacity;
    private final LinkedHashMap<String, Entry> groups;
    private final LinkedHashMap<String, CheckpointInfo> checkpointByBatch;

    public LineageIndex(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("lineage capacity must be >= 1 group, got " + capacity);
        }
        this.capacity = capacity;
        this.groups = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > LineageIndex.this.capacity;
            }
        };
        // A batch holds at least one group, so as many batch ids as groups cover every kept group.
        this.checkpointByBatch = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CheckpointInfo> eldest) {
                return size() > LineageIndex.this.capacity;
            }
        };
    }

    public int capacity() {
        return capacity;
    }

    public synchronized int size() {
        return groups.size();
    }

    private Entry entry(String groupId) {
        return groups.computeIfAbsent(groupId, id -> new Entry());
    }

    public synchronized void add(PromptDispatch d) {
        Entry e = entry(d.getGroupId());
        e.promptId = d.getPromptId();
        e.prompt = new PromptInfo(d.getPromptId(), cut(d.getPromptText()), d.getGroupSize(), d.getPolicyVersion(),
                d.getDispatchedAt().toEpochMilli());
    }

    /** A rollout; a retried generation repeats its sample index and the latest wins. */
    public synchronized void add(Rollout r) {
        Entry e = entry(r.getGroupId());
        e.promptId = e.promptId == null ? r.getPromptId() : e.promptId;
        e.rollouts.put(r.getSampleIndex(), new Generated(r.getRolloutId(), r.getSampleIndex(), cut(r.getResponseText()),
                Tokens.responseLength(r), r.getPolicyVersion(), r.getStatus().name(), r.getFinishReason().name(),
                r.getError()));
    }

    public synchronized void add(Reward r) {
        Entry e = entry(r.getGroupId());
        e.promptId = e.promptId == null ? r.getPromptId() : e.promptId;
        e.rewards.put(r.getRolloutId(), r);
    }

    /** The group's record of a training batch: its advantages and the batch it is in. */
    public synchronized void add(TrainingBatchGroup g) {
        Entry e = entry(g.getGroupId());
        e.promptId = e.promptId == null ? g.getPromptId() : e.promptId;
        e.batch = new BatchInfo(g.getBatchId(), g.getBatchSequence(), g.getGroupIndex(), g.getBatchGroups(),
                g.getBatchSamples(), g.getEstimator(), g.getMinPolicyVersion(), g.getMaxPolicyVersion());
        e.scored.clear();
        for (ScoredSample s : g.getSamples()) {
            e.scored.put(s.getRolloutId(), new Scored(s.getReward(), s.getAdvantage(), s.getPolicyVersion(),
                    s.getTruncated()));
        }
    }

    public synchronized void add(CheckpointPublished c) {
        CheckpointInfo info = new CheckpointInfo(c.getVersion(), c.getStep(), c.getUri());
        for (String batchId : c.getBatchIds()) {
            checkpointByBatch.putIfAbsent(batchId, info);
        }
    }

    /** The lineage of a group among the most recent {@link #capacity()}, or empty. */
    public synchronized Optional<GroupLineage> lineage(String groupId) {
        Entry e = groups.get(groupId);
        if (e == null) {
            return Optional.empty();
        }
        List<Sample> samples = new ArrayList<>();
        Map<String, Generated> byId = new LinkedHashMap<>();
        e.rollouts.values().forEach(r -> byId.put(r.rolloutId(), r));
        for (Generated r : e.rollouts.values()) {
            samples.add(sample(e, r.rolloutId(), r));
        }
        // Rewards (or batch samples) whose rollout this index has not seen, e.g. it came before a restart.
        for (String id : e.rewards.keySet()) {
            if (!byId.containsKey(id)) {
                samples.add(sample(e, id, null));
            }
        }
        CheckpointInfo checkpoint = e.batch == null ? null : checkpointByBatch.get(e.batch.batchId());
        return Optional.of(new GroupLineage(groupId, stage(e, checkpoint), e.prompt, samples, e.batch, checkpoint));
    }

    private static Sample sample(Entry e, String rolloutId, Generated r) {
        Reward w = e.rewards.get(rolloutId);
        Scored s = e.scored.get(rolloutId);
        Double reward = w != null ? Double.valueOf(w.getScore()) : s != null ? Double.valueOf(s.reward()) : null;
        long version = r != null ? r.policyVersion() : s != null ? s.policyVersion() : -1;
        return new Sample(r == null ? indexOf(rolloutId) : r.sampleIndex(), rolloutId, r == null ? null : r.response(),
                r == null ? 0 : r.tokens(), version, r == null ? null : r.status(), r == null ? null : r.finishReason(),
                r == null ? null : r.error(), reward, w == null ? Map.of() : Map.copyOf(w.getComponents()),
                w == null ? null : w.getStatus().name(), w == null ? null : w.getVerifier(),
                s == null ? null : s.advantage(), e.batch == null ? null : s != null, s != null && s.truncated());
    }

    /** Rollout ids are group_id + '/' + sample_index. */
    private static int indexOf(String rolloutId) {
        try {
            return Integer.parseInt(rolloutId.substring(rolloutId.lastIndexOf('/') + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return -1;
        }
    }

    private static String stage(Entry e, CheckpointInfo checkpoint) {
        if (checkpoint != null) {
            return "trained";
        }
        if (e.batch != null) {
            return "batched";
        }
        if (!e.rewards.isEmpty()) {
            return "rewarded";
        }
        if (!e.rollouts.isEmpty()) {
            return "generated";
        }
        return "dispatched";
    }

    /**
     * The {@code n} most recently first-seen groups, newest first; with {@code stage} non-null,
     * only those at that stage.
     */
    public synchronized List<GroupSummary> recent(int n, String stage) {
        List<Map.Entry<String, Entry>> all = new ArrayList<>(groups.entrySet());
        List<GroupSummary> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < n; i--) {
            Entry e = all.get(i).getValue();
            CheckpointInfo checkpoint = e.batch == null ? null : checkpointByBatch.get(e.batch.batchId());
            String s = stage(e, checkpoint);
            if (stage != null && !stage.equals(s)) {
                continue;
            }
            double sum = 0;
            int ok = 0;
            for (Reward w : e.rewards.values()) {
                if (w.getStatus() == io.rlstream.events.SampleStatus.OK) {
                    sum += w.getScore();
                    ok++;
                }
            }
            out.add(new GroupSummary(all.get(i).getKey(), e.promptId, e.prompt == null ? null : e.prompt.text(), s,
                    e.rollouts.size(), e.rewards.size(), ok == 0 ? null : sum / ok));
        }
        return out;
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
    }
}

package io.rlstream.producers.rollouts;

import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The parts of a {@link Rollout} every generator fills the same way: ids, group, settings, FAILED samples. */
final class RolloutRecords {

    private RolloutRecords() {
    }

    /** The G FAILED rollouts of a group, each with {@code reason}: never a zero reward, never silence. */
    static List<Rollout> failed(String generatorId, PromptDispatch d, long version, String reason) {
        List<Rollout> out = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < d.getGroupSize(); i++) {
            out.add(base(generatorId, d, i, version, now).setResponseText("").setFinishReason(FinishReason.ERROR)
                    .setStatus(SampleStatus.FAILED).setError(reason).build());
        }
        return out;
    }

    static Rollout.Builder base(String generatorId, PromptDispatch d, int index, long version, Instant now) {
        return Rollout.newBuilder()
                .setRolloutId(d.getGroupId() + "/" + index)
                .setGroupId(d.getGroupId())
                .setPromptId(d.getPromptId())
                .setSampleIndex(index)
                .setGroupSize(d.getGroupSize())
                .setPolicyVersion(version)
                // The trainer scores at this temperature and Dr.GRPO normalises by this limit (issue 15).
                .setTemperature(d.getTemperature())
                .setMaxNewTokens(d.getMaxNewTokens())
                .setGeneratorId(generatorId)
                .setGeneratedAt(now);
    }

    static List<Integer> boxed(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    static List<Float> boxed(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }
}

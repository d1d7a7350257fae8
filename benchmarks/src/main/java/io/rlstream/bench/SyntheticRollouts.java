package io.rlstream.bench;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Prompt;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The benchmark's data: one addition prompt per group (with its reference answer, for the
 * numeric-exact verifier) and G rollouts per group of T response tokens each, token ids 3..15 and
 * a behaviour logprob per token, as a rollout worker would write them.
 *
 * <p>Sample 0 of every group answers right and sample 1 wrong, the others at random, so every
 * group has mixed rewards: dynamic sampling keeps it and every group reaches a batch. Rollouts are
 * serialized one at a time and only their bytes are kept: 16,000 rollouts of 1,000 tokens are
 * about 80 MB as bytes, but several times that as Avro objects with boxed floats.
 */
final class SyntheticRollouts {

    static final int FIRST_TOKEN = 3;
    static final int LAST_TOKEN = 15;
    static final int PROMPT_TOKENS = 8;
    private static final long SEED = 7;

    /** Serialized rollouts, in sending order (group by group), with their keys (group ids). */
    record Payload(List<String> keys, List<byte[]> values, long valueBytes) {
        int size() {
            return values.size();
        }

        double averageBytes() {
            return values.isEmpty() ? 0 : (double) valueBytes / values.size();
        }
    }

    private SyntheticRollouts() {
    }

    static String groupId(int group) {
        return String.format("bench-group-%06d", group);
    }

    static String promptId(int group) {
        return String.format("bench-prompt-%06d", group);
    }

    private static int left(int group) {
        return 10 + group % 90;
    }

    private static int right(int group) {
        return 10 + (group / 90) % 90;
    }

    static String answer(int group) {
        return Integer.toString(left(group) + right(group));
    }

    /** One prompt per group, keyed by prompt_id on rl.prompts. */
    static List<Prompt> prompts(int groups, Instant createdAt) {
        List<Prompt> out = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            out.add(Prompt.newBuilder().setPromptId(promptId(g)).setText(left(g) + "+" + right(g) + "=")
                    .setReferenceAnswer(answer(g)).setTask("addition").setDataset("bench").setCreatedAt(createdAt)
                    .build());
        }
        return out;
    }

    /** Whether sample {@code index} of a group answers right: 0 yes, 1 no, the rest at random. */
    static boolean correct(int index, Random random) {
        return index == 0 || (index != 1 && random.nextBoolean());
    }

    static Rollout rollout(int group, int index, int groupSize, int tokens, boolean correct, Random random,
            Instant generatedAt) {
        int[] prompt = new int[PROMPT_TOKENS];
        for (int i = 0; i < PROMPT_TOKENS; i++) {
            prompt[i] = token(random);
        }
        int[] response = new int[tokens];
        float[] logprobs = new float[tokens];
        for (int i = 0; i < tokens; i++) {
            response[i] = token(random);
            // log pi in (-4, 0]: incompressible floats, like real logprobs.
            logprobs[i] = (float) (-4 * random.nextDouble());
        }
        int answer = Integer.parseInt(answer(group));
        String text = "the answer is " + (correct ? answer : answer + 1);
        String groupId = groupId(group);
        return Tokens.pack(Rollout.newBuilder(), prompt, response, logprobs).setRolloutId(groupId + "/" + index)
                .setGroupId(groupId).setPromptId(promptId(group))
                .setSampleIndex(index).setGroupSize(groupSize).setResponseText(text)
                .setPolicyVersion(0).setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                .setGeneratorId("bench").setGeneratedAt(generatedAt).build();
    }

    private static int token(Random random) {
        return FIRST_TOKEN + random.nextInt(LAST_TOKEN - FIRST_TOKEN + 1);
    }

    /**
     * Serializes the rollouts of groups {@code firstGroup .. firstGroup + groups - 1}, G each, for
     * {@code topic} (the registry serializer registers the schema under that topic's subject),
     * group by group.
     */
    static Payload serialize(int firstGroup, int groups, int groupSize, int tokens, Serializer<Rollout> serializer,
            String topic) {
        Random random = new Random(SEED + firstGroup);
        Instant now = Instant.now();
        List<String> keys = new ArrayList<>(groups * groupSize);
        List<byte[]> values = new ArrayList<>(groups * groupSize);
        long bytes = 0;
        for (int g = firstGroup; g < firstGroup + groups; g++) {
            for (int i = 0; i < groupSize; i++) {
                Rollout r = rollout(g, i, groupSize, tokens, correct(i, random), random, now);
                byte[] value = serializer.serialize(topic, r);
                keys.add(r.getGroupId());
                values.add(value);
                bytes += value.length;
            }
        }
        return new Payload(List.copyOf(keys), List.copyOf(values), bytes);
    }
}

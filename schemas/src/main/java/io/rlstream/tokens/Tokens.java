package io.rlstream.tokens;

import io.rlstream.events.PreferencePair;
import io.rlstream.events.Rollout;
import io.rlstream.events.ScoredSample;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Token ids and log-probs of rollouts and scored samples, whichever way a record carries them.
 *
 * <p>Since issue 18 writers pack them (rollouts, scored samples, preference pairs) into Avro {@code bytes}: 4 bytes per value, int32 or
 * float32 little-endian ({@code packed_*} fields), which decode as one copy instead of one boxed
 * number per token. Records written before carry Avro arrays ({@code prompt_token_ids}, ...),
 * which every reader still accepts: a null packed field means "read the array".
 *
 * <p>Packed buffers are read with absolute gets on a duplicate, so a buffer's position is never
 * moved and the same record can be read twice.
 */
public final class Tokens {

    private static final int WIDTH = Integer.BYTES;

    private Tokens() {
    }

    /** {@code values} as int32 little-endian. */
    public static ByteBuffer packInts(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * WIDTH).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return b;
    }

    public static ByteBuffer packInts(List<Integer> values) {
        int[] v = new int[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return packInts(v);
    }

    /** {@code values} as float32 little-endian. */
    public static ByteBuffer packFloats(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * WIDTH).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    public static ByteBuffer packFloats(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return packFloats(v);
    }

    /** The packed values if {@code packed} is set, otherwise the array. */
    public static int[] ints(ByteBuffer packed, List<Integer> array) {
        if (packed == null) {
            int[] v = new int[array.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = array.get(i);
            }
            return v;
        }
        int[] v = new int[count(packed)];
        packed.duplicate().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(v);
        return v;
    }

    public static float[] floats(ByteBuffer packed, List<Float> array) {
        if (packed == null) {
            float[] v = new float[array.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = array.get(i);
            }
            return v;
        }
        float[] v = new float[count(packed)];
        packed.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    /** Number of values without unpacking them. */
    public static int count(ByteBuffer packed, List<?> array) {
        return packed == null ? array.size() : count(packed);
    }

    private static int count(ByteBuffer packed) {
        if (packed.remaining() % WIDTH != 0) {
            throw new IllegalArgumentException("packed tokens hold " + packed.remaining()
                    + " bytes, not a multiple of 4 (int32/float32 little-endian)");
        }
        return packed.remaining() / WIDTH;
    }

    public static int[] promptIds(Rollout r) {
        return ints(r.getPackedPromptTokenIds(), r.getPromptTokenIds());
    }

    public static int[] responseIds(Rollout r) {
        return ints(r.getPackedResponseTokenIds(), r.getResponseTokenIds());
    }

    public static float[] logprobs(Rollout r) {
        return floats(r.getPackedBehaviourLogprobs(), r.getBehaviourLogprobs());
    }

    public static int responseLength(Rollout r) {
        return count(r.getPackedResponseTokenIds(), r.getResponseTokenIds());
    }

    public static int logprobCount(Rollout r) {
        return count(r.getPackedBehaviourLogprobs(), r.getBehaviourLogprobs());
    }

    public static int[] promptIds(PreferencePair p) {
        return ints(p.getPackedPromptTokenIds(), p.getPromptTokenIds());
    }

    public static int[] chosenIds(PreferencePair p) {
        return ints(p.getPackedChosenTokenIds(), p.getChosenTokenIds());
    }

    public static int[] rejectedIds(PreferencePair p) {
        return ints(p.getPackedRejectedTokenIds(), p.getRejectedTokenIds());
    }

    public static int[] promptIds(ScoredSample s) {
        return ints(s.getPackedPromptTokenIds(), s.getPromptTokenIds());
    }

    public static int[] responseIds(ScoredSample s) {
        return ints(s.getPackedResponseTokenIds(), s.getResponseTokenIds());
    }

    public static float[] logprobs(ScoredSample s) {
        return floats(s.getPackedBehaviourLogprobs(), s.getBehaviourLogprobs());
    }

    /** The response length: the field when set, otherwise counted from the tokens. */
    public static int responseLength(ScoredSample s) {
        return s.getResponseLength() != null ? s.getResponseLength()
                : count(s.getPackedResponseTokenIds(), s.getResponseTokenIds());
    }

    /** Sets a rollout's tokens, packed. */
    public static Rollout.Builder pack(Rollout.Builder b, int[] prompt, int[] response, float[] logprobs) {
        return b.setPackedPromptTokenIds(packInts(prompt)).setPackedResponseTokenIds(packInts(response))
                .setPackedBehaviourLogprobs(packFloats(logprobs));
    }

    public static Rollout.Builder pack(Rollout.Builder b, List<Integer> prompt, List<Integer> response,
            List<Float> logprobs) {
        return b.setPackedPromptTokenIds(packInts(prompt)).setPackedResponseTokenIds(packInts(response))
                .setPackedBehaviourLogprobs(packFloats(logprobs));
    }

    /** Sets a sample's tokens, packed, and its response length. */
    public static ScoredSample.Builder pack(ScoredSample.Builder b, int[] prompt, int[] response, float[] logprobs) {
        return b.setPackedPromptTokenIds(packInts(prompt)).setPackedResponseTokenIds(packInts(response))
                .setPackedBehaviourLogprobs(packFloats(logprobs)).setResponseLength(response.length);
    }
}

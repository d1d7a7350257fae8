package io.rlstream.rollouts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.StoredRollout;
import io.rlstream.tokens.Tokens;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RolloutCheckTest {

    private static Rollout.Builder rollout(float[] logprobs) {
        return Tokens.pack(Rollout.newBuilder(), new int[] {1, 2}, new int[] {3, 4, 5}, logprobs)
                .setRolloutId("g/1").setGroupId("g").setPromptId("p").setSampleIndex(1).setGroupSize(4)
                .setResponseText("x").setPolicyVersion(2).setFinishReason(FinishReason.LENGTH)
                .setStatus(SampleStatus.OK).setGeneratedAt(Instant.EPOCH).setTemperature(0.7f).setMaxNewTokens(3);
    }

    @Test
    void placementNeedsTheGroupIdAsKeyAndAnIndexInsideTheGroup() {
        Rollout r = rollout(new float[] {-1, -2, -3}).build();
        assertNull(RolloutCheck.unplaceable("g", r));
        assertEquals("rollout g/1 has no record key; rollouts must be keyed by group_id", RolloutCheck.unplaceable(null, r));
        assertEquals("rollout g/1 has group_id 'g' but record key 'h'; rollouts must be keyed by their group_id",
                RolloutCheck.unplaceable("h", r));
        assertEquals("rollout g/1 has group_size 0; expected >= 1", RolloutCheck.unplaceable("g/1", 0, 0));
        // index 4 of G = 4: indices are 0..3
        assertEquals("rollout g/1 has sample_index 4; expected 0..3 for group_size 4",
                RolloutCheck.unplaceable("g/1", 4, 4));
        assertEquals("rollout of group g has an empty rollout_id",
                RolloutCheck.unplaceable("g", Rollout.newBuilder(r).setRolloutId("").build()));
    }

    @Test
    void anOkRolloutWithTwoLogprobsForThreeTokensIsDemotedToFailed() {
        Rollout bad = rollout(new float[] {-1, -2}).build();
        Rollout demoted = RolloutCheck.demoteIfUnusable(bad);
        assertEquals(SampleStatus.FAILED, demoted.getStatus());
        assertEquals("rollout g/1 has 2 behaviour logprobs for 3 response tokens; sample excluded from its group as failed",
                demoted.getError());
        assertEquals(SampleStatus.OK, bad.getStatus(), "the input is not changed");
        Rollout good = rollout(new float[] {-1, -2, -3}).build();
        assertSame(good, RolloutCheck.demoteIfUnusable(good));
        // packed ints must be whole 4-byte words: 5 bytes are malformed
        Rollout malformed = rollout(new float[] {-1, -2, -3}).setPackedResponseTokenIds(ByteBuffer.wrap(new byte[5])).build();
        assertEquals(SampleStatus.FAILED, RolloutCheck.demoteIfUnusable(malformed).getStatus());
        // a FAILED rollout's tokens are not used, so they are not checked
        assertNull(RolloutCheck.unusable(Rollout.newBuilder(bad).setStatus(SampleStatus.FAILED).build()));
    }

    @Test
    void aSummaryAndTheStoredRolloutHoldTheSameFieldsAndThePosition() {
        Rollout r = rollout(new float[] {-1, -2, -3}).build();
        RolloutSummary s = RolloutSummaries.of(r, 2, 41L);
        StoredRollout stored = RolloutSummaries.stored(s);
        assertEquals(StoredRollout.newBuilder().setRolloutId("g/1").setPromptId("p").setSampleIndex(1).setGroupSize(4)
                .setPolicyVersion(2).setFinishReason(FinishReason.LENGTH).setStatus(SampleStatus.OK).setError(null)
                .setTemperature(0.7f).setMaxNewTokens(3).setResponseLength(3).setSource(new RolloutPosition(2, 41L))
                .build(), stored);
        assertEquals(stored, RolloutSummaries.stored(r, 2, 41L));
        // a FAILED rollout's length is 0: its tokens are never used
        assertEquals(0, RolloutSummaries.of(RolloutCheck.demoteIfUnusable(rollout(new float[] {-1}).build()), 0, 0)
                .getResponseLength());
    }
}

package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class GroupAdvantageTest {

    @Test
    void oneCorrectOfFour() {
        // mean 0.25; sample variance ((0.75)² + 3·(0.25)²) / 3 = 0.25, std 0.5
        float[] rewards = {9f, 1f, 0f, 0f, 0f};
        assertArrayEquals(new float[] {1.5f, -0.5f, -0.5f, -0.5f},
                GroupAdvantage.grpo(rewards, 1, 4), 1e-5f);
    }

    @Test
    void groupsWithoutSignalAreDropped() {
        assertNull(GroupAdvantage.grpo(new float[] {1f, 1f, 1f}, 0, 3));
        assertNull(GroupAdvantage.grpo(new float[] {1f}, 0, 1));
    }
}

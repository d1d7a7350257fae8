package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** β ← β·(1 + clip(KL/target − 1, ±0.2)·n/horizon), target 0.1, horizon 10000. */
class AdaptiveKlControllerTest {

    private static AdaptiveKlController controller() {
        return new AdaptiveKlController(0.2, AdaptiveKlController.DEFAULT_TARGET,
                AdaptiveKlController.DEFAULT_HORIZON);
    }

    @Test
    void followsZieglerEtAlStepByStep() {
        AdaptiveKlController controller = controller();
        assertEquals(0.2, controller.coef(), 1e-12);
        // KL 0.15: e = 0.15/0.1 − 1 = 0.5 → 0.2;  β = 0.2·(1 + 0.2·1000/10000) = 0.2·1.02 = 0.204
        controller.update(0.15, 1000);
        assertEquals(0.204, controller.coef(), 1e-12);
        // KL 0.09: e = −0.1;  β = 0.204·(1 − 0.1·500/10000) = 0.204·0.995 = 0.20298
        controller.update(0.09, 500);
        assertEquals(0.20298, controller.coef(), 1e-12);
        // KL 0: e = −1 → −0.2;  β = 0.20298·(1 − 0.2·2000/10000) = 0.20298·0.96 = 0.1948608
        controller.update(0.0, 2000);
        assertEquals(0.1948608, controller.coef(), 1e-12);
        // on target: e = 0, β unchanged
        controller.update(0.1, 5000);
        assertEquals(0.1948608, controller.coef(), 1e-12);
    }

    @Test
    void neverTurnsNegative() {
        AdaptiveKlController controller = controller();
        // 1 − 0.2·60000/10000 = −0.2 would flip the sign; β stops at 0 instead
        controller.update(0.0, 60_000);
        assertEquals(0.0, controller.coef());
    }

    @Test
    void fixedNeverMoves() {
        AdaptiveKlController controller = AdaptiveKlController.fixed(0.001);
        controller.update(5.0, 1_000_000);
        controller.update(0.0, 1_000_000);
        assertEquals(0.001, controller.coef());
    }

    @Test
    void rejectsSettingsThatCannotSteer() {
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveKlController(-0.1, 0.1, 10));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveKlController(0.1, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveKlController(0.1, 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveKlController.fixed(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> controller().update(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> controller().update(0.1, -1));
    }
}

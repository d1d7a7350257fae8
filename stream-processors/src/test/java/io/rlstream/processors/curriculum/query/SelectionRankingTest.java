package io.rlstream.processors.curriculum.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.PromptSelection;
import io.rlstream.processors.curriculum.query.SelectionRanking.Order;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The orders of {@code rlstream prompts top}, on five hand-made views whose values are exact in
 * binary (0.625, 0.375, ...) so that ties are real ties and not rounding.
 *
 * <pre>
 *   prompt  selected  estimate  V(x)    updated_at
 *   a       5         0.9       0.625   10
 *   b       5         0.2       -       30
 *   c       9         -         -       20
 *   d       1         0.5       0.1     40
 *   e       0         NaN       0.375   30
 * </pre>
 */
class SelectionRankingTest {

    private static final List<PromptSelection> VIEWS = List.of(
            view("a", 5, 0.9, 0.625, 10),
            view("b", 5, 0.2, null, 30),
            view("c", 9, null, null, 20),
            view("d", 1, 0.5, 0.1, 40),
            view("e", 0, Double.NaN, 0.375, 30));

    private static PromptSelection view(String id, long selected, Double estimate, Double prediction, long updatedAtSeconds) {
        return PromptSelection.newBuilder().setPromptId(id).setSelector("pcl").setSelected(selected)
                .setEstimate(estimate).setPrediction(prediction).setUpdatedAt(Instant.ofEpochSecond(updatedAtSeconds))
                .build();
    }

    private static List<String> ids(int n, Order order, double tau) {
        return SelectionRanking.top(VIEWS, n, order, tau).stream().map(PromptSelection::getPromptId).toList();
    }

    @Test
    void selectedPutsTheMostDispatchedFirstAndBreaksTiesByPromptId() {
        // c 9; a and b both 5 -> a before b by id; d 1; e 0
        assertEquals(List.of("c", "a", "b", "d", "e"), ids(10, Order.SELECTED, 0.5));
    }

    @Test
    void estimatePutsTheHighestPassRateFirstAndUnseenLast() {
        // a 0.9, d 0.5, b 0.2; c (null) and e (NaN, no estimate either) last, by id
        assertEquals(List.of("a", "d", "b", "c", "e"), ids(10, Order.ESTIMATE, 0.5));
    }

    @Test
    void predictionPutsTheHighestValueFirstAndPromptsWithoutOneLast() {
        // a 0.625, e 0.375, d 0.1; b and c have no V(x)
        assertEquals(List.of("a", "e", "d", "b", "c"), ids(10, Order.PREDICTION, 0.5));
    }

    @Test
    void closenessRanksByDistanceOfTheValueToTauAndFallsBackToTheEstimate() {
        // tau 0.5: a |0.625-0.5| = 0.125 and e |0.375-0.5| = 0.125 tie -> a, e by id;
        // b has no V(x): |0.2-0.5| = 0.3; d |0.1-0.5| = 0.4 (its V(x) wins over its estimate 0.5,
        // which would have put it first); c has neither and comes last
        assertEquals(List.of("a", "e", "b", "d", "c"), ids(10, Order.CLOSENESS, 0.5));
        // tau 0.25: b |0.2-0.25| = 0.05, e 0.125, d 0.15, a 0.375, c last
        assertEquals(List.of("b", "e", "d", "a", "c"), ids(10, Order.CLOSENESS, 0.25));
    }

    @Test
    void distanceToTargetIsNullWithNeitherValueNorEstimate() {
        assertEquals(0.125, SelectionRanking.distanceToTarget(VIEWS.get(0), 0.5), 0.0);
        assertEquals(0.3, SelectionRanking.distanceToTarget(VIEWS.get(1), 0.5), 1e-12);
        assertNull(SelectionRanking.distanceToTarget(VIEWS.get(2), 0.5));
    }

    @Test
    void recentPutsTheNewestViewFirst() {
        // d 40; b and e both 30 -> b, e; c 20; a 10
        assertEquals(List.of("d", "b", "e", "c", "a"), ids(10, Order.RECENT, 0.5));
    }

    @Test
    void topTakesTheFirstNOnly() {
        assertEquals(List.of("c", "a"), ids(2, Order.SELECTED, 0.5));
        assertEquals(List.of(), ids(0, Order.SELECTED, 0.5));
        assertThrows(IllegalArgumentException.class, () -> ids(-1, Order.SELECTED, 0.5));
    }

    @Test
    void ordersAreNamedInLowerCaseAndAnUnknownNameListsTheValidOnes() {
        assertEquals(Order.CLOSENESS, Order.byWireName("closeness"));
        assertEquals(Order.RECENT, Order.byWireName("RECENT"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Order.byWireName("hardest"));
        assertTrue(e.getMessage().contains("'hardest'"), e.getMessage());
        assertTrue(e.getMessage().contains("selected, estimate, prediction, closeness, recent"), e.getMessage());
    }
}

package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.monitoring.metrics.MetricCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** rlstream metrics without a cluster: the filter's three forms, --last, usage errors, the catalogue. */
class MetricsCommandTest {

    @Test
    void aFilterIsANameItsChildrenOrAGlobAndCommasJoinThem() {
        Predicate<String> f = MetricsCommand.filter("trainer,*latency*, eval.accuracy");
        assertTrue(f.test("trainer.loss"), "a name takes everything under it");
        assertTrue(f.test("trainer"));
        assertFalse(f.test("trainers.loss"), "but not another name that merely starts the same");
        assertTrue(f.test("reward.verifier_latency_ms_mean"), "glob");
        assertTrue(f.test("eval.accuracy"), "spaces around a pattern are ignored");
        assertFalse(f.test("worker.rollouts"));
        assertTrue(MetricsCommand.filter("").test("anything"), "no filter lets everything through");
    }

    @Test
    void lastIsACountOrAll() {
        assertEquals(0, MetricsCommand.last("0"));
        assertEquals(Integer.MAX_VALUE, MetricsCommand.last("all"));
        assertThrows(UsageException.class, () -> MetricsCommand.last("-1"));
        assertThrows(UsageException.class, () -> MetricsCommand.last("many"));
    }

    @Test
    void badUsageExitsTwoWithTheReasonAndCatalogPrintsTheCatalogue() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, MetricsCommand.run(List.of("head"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("tail, steps and catalog"), err.toString());
        assertEquals(2, MetricsCommand.run(List.of("tail", "--bogus", "1"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown flag --bogus"), err.toString());
        assertEquals(0, MetricsCommand.run(List.of("catalog"), o, e));
        assertEquals(MetricCatalog.markdown(), out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void numbersPrintAsIntegersFixedOrScientific() {
        assertEquals("8", MetricsCommand.number(8.0));
        assertEquals("0.2500", MetricsCommand.number(0.25));
        assertEquals("1.235e-05", MetricsCommand.number(1.2345e-5));
        assertEquals("NaN", MetricsCommand.number(Double.NaN));
    }
}

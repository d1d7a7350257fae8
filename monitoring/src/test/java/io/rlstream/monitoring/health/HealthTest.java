package io.rlstream.monitoring.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.monitoring.prometheus.PrometheusEndpoint;
import io.rlstream.monitoring.prometheus.PrometheusEndpointTest;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class HealthTest {

    @Test
    void aStreamsClientIsDeadInErrorAndWhenItStoppedWithoutBeingAsked() {
        AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);
        boolean[] closing = {false};
        Health.Check check = Health.ofStreams("the grouping app", state::get, () -> closing[0]);
        assertTrue(check.health().alive());
        assertFalse(check.health().ready(), "not ready before RUNNING");
        state.set(KafkaStreams.State.RUNNING);
        assertEquals(Health.UP, check.health());
        state.set(KafkaStreams.State.REBALANCING);
        assertTrue(check.health().alive());
        assertFalse(check.health().ready());
        state.set(KafkaStreams.State.ERROR);
        assertFalse(check.health().alive());
        assertTrue(check.health().reason().contains("the grouping app failed (Kafka Streams state ERROR)"));
        state.set(KafkaStreams.State.NOT_RUNNING);
        assertFalse(check.health().alive(), "stopped without a close: dead");
        closing[0] = true;
        assertTrue(check.health().alive(), "stopped because it was asked to: not a failure");
    }

    @Test
    void aThreadThatThrewIsDeadWithItsException() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            throw new IllegalStateException("token id 999999 outside the vocabulary");
        }, "trainer");
        t.setUncaughtExceptionHandler((thread, e) -> failure.set(e));
        Health.Check check = Health.ofThread("the trainer", t, failure::get, () -> false);
        t.start();
        t.join();
        Health h = check.health();
        assertFalse(h.alive());
        assertTrue(h.reason().contains("the trainer thread ended: java.lang.IllegalStateException: token id 999999"),
                h.reason());
    }

    @Test
    void aRunningThreadIsReadyOnlyOnceItsServiceSaysSo() throws Exception {
        CountDownLatch loaded = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        AtomicBoolean ready = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                loaded.await(); // loading the model
                ready.set(true);
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "worker");
        Health.Check check = Health.ofThread("the rollout worker", t, () -> null, () -> false, ready::get);
        t.start();
        Health loading = check.health();
        assertTrue(loading.alive());
        assertFalse(loading.ready(), "not ready while the model loads");
        assertEquals("the rollout worker is starting", loading.reason());
        loaded.countDown();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ready.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Health.UP, check.health());
        stop.countDown();
        t.join();
    }

    @Test
    void allIsAliveOnlyIfEveryPartIsAndSaysWhichIsNot() {
        Health.Check dead = () -> Health.dead("the step-summary app failed");
        Health.Check starting = () -> Health.starting("the grouping app");
        Health h = Health.all(List.of(starting, dead)).health();
        assertFalse(h.alive());
        assertEquals("the step-summary app failed", h.reason(), "the dead part's reason first");
        Health s = Health.all(List.of(() -> Health.UP, starting)).health();
        assertTrue(s.alive());
        assertFalse(s.ready());
        assertEquals("the grouping app is starting", s.reason());
    }

    @Test
    void theEndpointServesHealthAndReadinessNextToMetrics() throws Exception {
        AtomicReference<Health> now = new AtomicReference<>(Health.starting("the worker"));
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0)) {
            endpoint.health(now::get);
            URI metrics = endpoint.address().orElseThrow();
            URI health = metrics.resolve(PrometheusEndpoint.HEALTH_PATH);
            URI ready = metrics.resolve(PrometheusEndpoint.READY_PATH);
            assertEquals(200, PrometheusEndpointTest.get(health, null).statusCode());
            var notReady = PrometheusEndpointTest.get(ready, null);
            assertEquals(503, notReady.statusCode());
            assertEquals("the worker is starting\n", notReady.body());
            now.set(Health.UP);
            assertEquals(200, PrometheusEndpointTest.get(ready, null).statusCode());
            now.set(Health.dead("the worker thread ended: java.lang.OutOfMemoryError"));
            var dead = PrometheusEndpointTest.get(health, null);
            assertEquals(503, dead.statusCode());
            assertTrue(dead.body().contains("OutOfMemoryError"));
            assertEquals(200, PrometheusEndpointTest.get(metrics, null).statusCode(), "metrics still served");
        }
    }
}

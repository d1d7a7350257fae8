package io.rlstream.bench.sim;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A stand-in for a generator, for simulating many of them on one machine: it takes dispatches
 * from rl.prompt-dispatch like a rollout worker (one consumer group, one dispatch at a time),
 * "generates" a group by sleeping for its longest response (an inference engine decodes the
 * group's samples in one batch), response lengths drawn from a log-normal (long-tailed, as
 * reasoning traces are), and writes the group's rollouts tagged with the policy version it
 * started with; the answer is right with the prompt's pass rate, so the real reward service and
 * processors score and filter them. It switches versions only between groups.
 */
public final class TimedGenerator implements Runnable {

    /** What the simulated generation costs. */
    public record Timing(double secondsPerToken, double lengthMedian, double lengthSigma, int maxTokens) {
        /** A response length: log-normal with this median and σ of its log, at least 1, at most maxTokens. */
        int drawLength(Random random) {
            double l = lengthMedian * Math.exp(lengthSigma * random.nextGaussian());
            return (int) Math.max(1, Math.min(maxTokens, Math.round(l)));
        }
    }

    private final String id;
    private final Map<String, Object> clientProps;
    private final TopicCatalog catalog;
    private final SerdeFactory serdes;
    private final Timing timing;
    private final Map<String, String> answers;
    private final AtomicLong policyVersion;
    private final AtomicBoolean running;
    private final Random random;
    private long busyNanos;
    private long startNanos = -1;
    private volatile double idleFraction = Double.NaN;

    TimedGenerator(String id, Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes, Timing timing,
            Map<String, String> answers, AtomicLong policyVersion, AtomicBoolean running, long seed) {
        this.id = id;
        this.clientProps = clientProps;
        this.catalog = catalog;
        this.serdes = serdes;
        this.timing = timing;
        this.answers = answers;
        this.policyVersion = policyVersion;
        this.running = running;
        this.random = new Random(seed);
    }

    double idleFraction() {
        return idleFraction;
    }

    /** The simulated policy's pass rate on a prompt: fixed per prompt, spread over (0, 1). */
    static double passRate(String promptId) {
        return (Math.floorMod(promptId.hashCode(), 1000) + 0.5) / 1000;
    }

    @Override
    public void run() {
        Map<String, Object> c = new HashMap<>(clientProps);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "rlstream-sim-generators");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, id);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> p = new HashMap<>(clientProps);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, id);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        String dispatchTopic = catalog.name(Topic.PROMPT_DISPATCH);
        String rolloutTopic = catalog.name(Topic.ROLLOUTS);
        try (KafkaConsumer<String, PromptDispatch> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
                serdes.serde(PromptDispatch.class).deserializer());
                KafkaProducer<String, Rollout> producer = new KafkaProducer<>(p, new StringSerializer(),
                        serdes.serde(Rollout.class).serializer())) {
            consumer.subscribe(List.of(dispatchTopic));
            while (running.get()) {
                for (ConsumerRecord<String, PromptDispatch> r : consumer.poll(Duration.ofMillis(50))) {
                    long begin = System.nanoTime();
                    if (startNanos < 0) {
                        startNanos = begin;
                    }
                    long version = policyVersion.get(); // weights switch between generations only
                    PromptDispatch d = r.value();
                    List<Integer> lengths = new ArrayList<>();
                    for (int i = 0; i < d.getGroupSize(); i++) {
                        lengths.add(timing.drawLength(random));
                    }
                    sleep(Collections.max(lengths) * timing.secondsPerToken());
                    for (int i = 0; i < d.getGroupSize(); i++) {
                        boolean right = random.nextDouble() < passRate(d.getPromptId());
                        String answer = answers.getOrDefault(d.getPromptId(), "0");
                        int n = lengths.get(i);
                        producer.send(new ProducerRecord<>(rolloutTopic, d.getGroupId(), Tokens.pack(Rollout.newBuilder()
                                .setRolloutId(d.getGroupId() + "/" + i).setGroupId(d.getGroupId())
                                .setPromptId(d.getPromptId()).setSampleIndex(i).setGroupSize(d.getGroupSize()),
                                        List.of(1, 2, 3), Collections.nCopies(n, 4), Collections.nCopies(n, -1.0f))
                                .setResponseText(right ? answer : answer + "1").setPolicyVersion(version)
                                .setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK).setGeneratorId(id)
                                .setGeneratedAt(Instant.now()).build()));
                    }
                    producer.flush();
                    long end = System.nanoTime();
                    busyNanos += end - begin;
                    idleFraction = 1 - (double) busyNanos / Math.max(1, end - startNanos);
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Version updates from rl.checkpoints, shared by every stand-in generator. */
    static void followCheckpoint(CheckpointPublished c, AtomicLong version) {
        version.accumulateAndGet(c.getVersion(), Math::max);
    }

    static void sleep(double seconds) {
        try {
            Thread.sleep(Math.max(0, Math.round(seconds * 1000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.rlstream.processors.dispatch;

import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptStats;
import io.rlstream.schemas.Topic;
import io.rlstream.testkit.PipelineFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stands in for the grouping app in the dispatcher's integration tests: answers every group
 * dispatched on rl.prompt-dispatch with its prompt's rl.prompt-stats (groups of 2 samples, the
 * given pass rate), so a dispatcher's selector and admission can be tested without rollouts.
 */
public final class GroupingStandIn implements AutoCloseable {

    private final PipelineFixture pipeline;
    private final ToDoubleFunction<String> passRate;
    private final boolean keep;
    private final KafkaConsumer<String, PromptDispatch> dispatches;
    private final KafkaProducer<String, PromptStats> stats;
    private final Map<String, Long> groups = new HashMap<>();

    /**
     * @param passRate the pass rate (and mean reward) a prompt's groups report, by prompt id
     * @param keep     whether each group counts as kept for training ({@code kept_groups}, what
     *                 admission counts as accepted)
     */
    public GroupingStandIn(PipelineFixture pipeline, ToDoubleFunction<String> passRate, boolean keep) {
        this.pipeline = pipeline;
        this.passRate = passRate;
        this.keep = keep;
        dispatches = pipeline.consumer(PromptDispatch.class, "stand-in-" + System.nanoTime());
        dispatches.subscribe(List.of(pipeline.topic(Topic.PROMPT_DISPATCH)));
        stats = pipeline.producer(PromptStats.class);
    }

    /** Reads new dispatches for {@code time} and answers each; returns them in the order read. */
    public List<PromptDispatch> answer(Duration time) {
        List<PromptDispatch> seen = new ArrayList<>();
        long end = System.currentTimeMillis() + time.toMillis();
        while (System.currentTimeMillis() < end) {
            for (ConsumerRecord<String, PromptDispatch> r : dispatches.poll(Duration.ofMillis(100))) {
                PromptDispatch d = r.value();
                seen.add(d);
                long n = groups.merge(d.getPromptId(), 1L, Long::sum);
                double mean = passRate.applyAsDouble(d.getPromptId());
                stats.send(new ProducerRecord<>(pipeline.topic(Topic.PROMPT_STATS), d.getPromptId(),
                        PromptStats.newBuilder().setPromptId(d.getPromptId()).setSamples(2 * n).setGroups(n)
                                .setKeptGroups(keep ? n : 0).setPassRate(mean).setMovingAverage(mean)
                                .setLastPolicyVersion(0).setUpdatedAt(Instant.now()).setLastGroupId(d.getGroupId())
                                .setLastGroupSamples(2).setLastGroupMeanReward(mean).build()));
            }
            stats.flush();
        }
        return seen;
    }

    /** Groups answered so far, by prompt id. */
    public Map<String, Long> groupsByPrompt() {
        return Map.copyOf(groups);
    }

    @Override
    public void close() {
        dispatches.close();
        stats.close();
    }
}

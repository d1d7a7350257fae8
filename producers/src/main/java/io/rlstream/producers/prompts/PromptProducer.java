package io.rlstream.producers.prompts;

import io.rlstream.events.Prompt;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Puts prompts from a dataset file ({@link PromptSource}: JSONL or parquet, mapped by a
 * {@link FieldMapping}) on rl.prompts, keyed by prompt_id. A bad row is reported with its line or
 * row number and counted, and the rest still go; the call returns only when every sent prompt is
 * acknowledged by the broker.
 */
public final class PromptProducer {

    /** What a file run did: prompts the broker acknowledged, rows skipped by reason, sends that failed. */
    public record Summary(long produced, PromptRows.Counts rows, long failed) {
    }

    private final Producer<String, Prompt> producer;
    private final String topic;

    public PromptProducer(Producer<String, Prompt> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * Puts the prompts of a dataset file on the topic; bad rows are reported with their line or row
     * number and reason and the rest still go. Returns when every sent prompt is acknowledged.
     *
     * @param report receives one line per bad row or failed send, and a progress line every 10,000 prompts
     */
    public Summary produce(PromptSource source, PromptMapper mapper, Consumer<String> report) throws IOException {
        List<Future<RecordMetadata>> pending = new ArrayList<>();
        PromptRows.Counts rows = PromptRows.each(source, mapper,
                prompt -> pending.add(producer.send(new ProducerRecord<>(topic, prompt.getPromptId(), prompt))), report);
        producer.flush();
        long failed = 0;
        for (Future<RecordMetadata> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failed++;
                report.accept("send failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for acknowledgements", e);
            }
        }
        return new Summary(pending.size() - failed, rows, failed);
    }
}

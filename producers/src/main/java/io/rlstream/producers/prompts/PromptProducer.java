package io.rlstream.producers.prompts;

import io.rlstream.events.Prompt;
import java.io.BufferedReader;
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
 * {@link FieldMapping}) or a JSONL reader in rlstream's own layout on rl.prompts, keyed by prompt_id. A malformed line is
 * reported with its line number and counted, and the rest still go; the call returns only when
 * every sent prompt is acknowledged by the broker.
 */
public final class PromptProducer {

    /** What a file run did: prompts the broker acknowledged, rows skipped by reason, sends that failed. */
    public record Summary(long produced, PromptRows.Counts rows, long failed) {
    }

    /** What a run did. */
    public record Result(long sent, long malformed, long failed, List<String> problems) {
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

    /**
     * @param report receives one line per problem and a progress line every 10,000 prompts
     */
    public Result produce(BufferedReader source, String dataset, Consumer<String> report) throws IOException {
        PromptLineParser parser = new PromptLineParser(dataset);
        List<Future<RecordMetadata>> pending = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        long malformed = 0;
        long lineNumber = 0;
        String line;
        while ((line = source.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            try {
                Prompt prompt = parser.parse(line, lineNumber);
                pending.add(producer.send(new ProducerRecord<>(topic, prompt.getPromptId(), prompt)));
            } catch (PromptLineParser.MalformedLineException e) {
                malformed++;
                problems.add(e.getMessage());
                report.accept("skipped " + e.getMessage());
            }
            if (pending.size() % 10_000 == 0 && !pending.isEmpty()) {
                report.accept("sent " + pending.size() + " prompts...");
            }
        }
        producer.flush();
        long failed = 0;
        for (Future<RecordMetadata> f : pending) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failed++;
                problems.add("send failed: " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for acknowledgements", e);
            }
        }
        return new Result(pending.size() - failed, malformed, failed, problems);
    }
}

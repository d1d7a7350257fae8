package io.rlstream.bench;

import io.rlstream.bench.SyntheticRollouts.Payload;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Sends a payload's records as fast as the producer takes them (open loop, as rollout workers
 * do), each stamped with its send time, and waits for every acknowledgement.
 */
final class PayloadSender {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** @throws IllegalStateException if any send failed (the first failure is the cause) */
    void sendAll(KafkaProducer<String, byte[]> producer, String topic, Payload payload) {
        for (int i = 0; i < payload.size(); i++) {
            producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), payload.keys().get(i),
                    payload.values().get(i)), (metadata, e) -> {
                        if (e != null) {
                            failure.compareAndSet(null, e);
                        } else {
                            acknowledged.incrementAndGet();
                        }
                    });
            sent.incrementAndGet();
            if (failure.get() != null) {
                break;
            }
        }
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("sending to " + topic + " failed after " + acknowledged.get()
                    + " acknowledged records: " + e, e);
        }
    }

    long sent() {
        return sent.get();
    }

    long acknowledged() {
        return acknowledged.get();
    }
}

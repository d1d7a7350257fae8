package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Metric;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class PlainAvroSerdesTest {

    private final Serde<Metric> serde = new PlainAvroSerdes().serde(Metric.class);

    @Test
    void roundTripsAnEvent() {
        Metric m = Metric.newBuilder().setName("trainer.loss").setValue(0.25).setSource("trainer")
                .setTags(Map.of("k", "v")).setTime(Instant.ofEpochMilli(1234)).build();
        assertEquals(m, serde.deserializer().deserialize("t", serde.serializer().serialize("t", m)));
    }

    @Test
    void garbageIsASerializationExceptionNamingTheType() {
        var e = assertThrows(SerializationException.class,
                () -> serde.deserializer().deserialize("rl.metrics", new byte[] {(byte) 0xff, 1, 2}));
        assertTrue(e.getMessage().contains("Metric"), e.getMessage());
    }
}

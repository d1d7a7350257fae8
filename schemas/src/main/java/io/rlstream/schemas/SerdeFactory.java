package io.rlstream.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Makes the value serde of an event type. Services take one of these instead of building serdes
 * themselves, so unit tests pass plain Avro serdes (testkit's {@code PlainAvroSerdes}) and the
 * running system passes {@link RegistrySerdes} (Confluent wire format through a schema registry).
 */
public interface SerdeFactory {

    <T extends SpecificRecord> Serde<T> serde(Class<T> type);
}

package io.rlstream.processors.curriculum.query;

import io.rlstream.events.PromptSelection;
import io.rlstream.processors.curriculum.query.SelectionRanking.Order;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TypeCheckedDeserializer;
import io.rlstream.schemas.TopicCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's selector state, queryable while the dispatcher runs: a Kafka Streams app whose
 * topology is one global table over the compacted rl.prompt-selection topic, materialised in the
 * local store {@value #STORE} (interactive queries).
 *
 * <p>Why a global table: the dispatcher is one process that writes every prompt's view, and
 * {@code rlstream prompts top} must rank all prompts, so every instance needs every partition;
 * a global table reads them all with no consumer group, no rebalance and no repartition. Its
 * store is persistent with a checkpoint under {@code stateDir}, so a restart reads only what the
 * topic gained since. The store follows the topic, so it lags the dispatcher by a poll.
 *
 * <p>A view that cannot be decoded is logged and skipped, by the global thread as it reads and by
 * the queries for one that reached the store undecoded (a restore copies bytes): a query must not
 * stop answering over one bad record.
 */
public final class SelectionStore implements AutoCloseable {

    /** Name of the state store the queries read. */
    public static final String STORE = "prompt-selection";
    /** How long a query waits for the store while it is still loading the topic before it gives up. */
    static final Duration LOADING_WAIT = Duration.ofSeconds(2);
    private static final int MAX_UNDECODABLE_IN_A_ROW = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(SelectionStore.class);

    private final KafkaStreams streams;
    private final String topic;

    /**
     * @param clientProps   Kafka client settings passed through (bootstrap.servers, security)
     * @param applicationId Streams application id; names the state folder under {@code stateDir}
     * @param stateDir      where the store and its checkpoint live; one folder per running store
     */
    public SelectionStore(Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes,
            String applicationId, Path stateDir) {
        this.topic = catalog.name(Topic.PROMPT_SELECTION);
        this.streams = new KafkaStreams(topology(new StreamsBuilder(), catalog, serdes),
                streamsProperties(clientProps, applicationId, stateDir));
    }

    /** One global table over rl.prompt-selection, keyed by prompt_id, materialised as {@value #STORE}. */
    public static Topology topology(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes) {
        // A record that is not a PromptSelection (another type with valid registry framing decodes
        // to its writer's class) fails to deserialize and is logged and skipped (LogAndContinue,
        // below) instead of reaching a query as another type (issue 19).
        Serde<PromptSelection> selections = serdes.serde(PromptSelection.class);
        builder.globalTable(catalog.name(Topic.PROMPT_SELECTION),
                Consumed.with(Serdes.String(), Serdes.serdeFrom(selections.serializer(),
                        TypeCheckedDeserializer.of(selections.deserializer(), PromptSelection.class))),
                Materialized.<String, PromptSelection, KeyValueStore<Bytes, byte[]>>as(STORE)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.serde(PromptSelection.class)));
        return builder.build();
    }

    static Properties streamsProperties(Map<String, Object> clientProps, String applicationId, Path stateDir) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Only committed views, as every other reader in rlstream (docs/architecture.md#rules-every-service-keeps, rule 1); without
        // exactly-once, Streams would otherwise give the global consumer read_uncommitted.
        props.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        // The default from Kafka 5.0 on; set now so that 4.x does not warn about it at every start.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        return props;
    }

    /**
     * Loads the topic and follows it. Returns once the store holds everything the topic held at
     * the call: Kafka Streams' global thread reads a global table to its end before
     * {@code KafkaStreams.start()} returns (run this on another thread not to wait). Queries made
     * before that wait briefly, then throw {@link Unavailable}.
     *
     * @throws IllegalStateException when the topic cannot be read, for example it does not exist
     */
    public void start() {
        try {
            streams.start();
        } catch (StreamsException e) {
            throw new IllegalStateException("cannot load the selector's state from " + topic + ": " + e.getMessage()
                    + " (create the catalog's topics first; the local platform and the demo do)", e);
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The selector's view of one prompt, if it wrote one. */
    public Optional<PromptSelection> get(String promptId) {
        ReadOnlyKeyValueStore<String, PromptSelection> store = store(); // Unavailable passes, not an unknown prompt
        try {
            return Optional.ofNullable(store.get(promptId));
        } catch (InvalidStateStoreException e) {
            throw new Unavailable(topic, streams.state(), e);
        } catch (RuntimeException e) {
            // undecodable, as in all(); the caller sees what it would for an unknown prompt
            LOG.warn("cannot decode the view of prompt '{}' on {}: {}", promptId, topic, e.toString());
            return Optional.empty();
        }
    }

    /** The first {@code n} prompts under {@code order}; see {@link SelectionRanking}. */
    public List<PromptSelection> top(int n, Order order, double tau) {
        return SelectionRanking.top(all(), n, order, tau);
    }

    /** How many prompts the store holds (exact: RocksDB's own count is an estimate). */
    public long count() {
        return all().size();
    }

    private List<PromptSelection> all() {
        List<PromptSelection> views = new ArrayList<>();
        int undecodable = 0;
        int failedInARow = 0;
        try (KeyValueIterator<String, PromptSelection> it = store().all()) {
            while (true) {
                try {
                    // hasNext() decodes too (the store's iterator peeks), so both sit in the try
                    if (!it.hasNext()) {
                        break;
                    }
                    KeyValue<String, PromptSelection> entry = it.next();
                    if (entry.value != null) {
                        views.add(entry.value);
                    }
                    failedInARow = 0;
                } catch (InvalidStateStoreException e) {
                    throw e;
                } catch (RuntimeException e) {
                    // Undecodable (SerializationException, or IllegalStateException from the registry
                    // deserializer): the store's iterator moves past an entry before decoding it, so
                    // the next call reads the next entry. The cap guards against a failure that does not move.
                    undecodable++;
                    if (++failedInARow > MAX_UNDECODABLE_IN_A_ROW) {
                        throw new IllegalStateException("reading the store of " + topic + " failed "
                                + failedInARow + " times in a row: " + e, e);
                    }
                }
            }
        }
        if (undecodable > 0) {
            LOG.warn("skipped {} views on {} that cannot be decoded", undecodable, topic);
        }
        return views;
    }

    /** The store, waiting up to {@link #LOADING_WAIT} while Streams is still restoring it. */
    private ReadOnlyKeyValueStore<String, PromptSelection> store() {
        long deadline = System.nanoTime() + LOADING_WAIT.toNanos();
        while (true) {
            try {
                return streams.store(StoreQueryParameters.fromNameAndType(STORE, QueryableStoreTypes.keyValueStore()));
            } catch (InvalidStateStoreException | IllegalStateException e) {
                // InvalidStateStoreException while not started or restoring; IllegalStateException
                // ("KafkaStreams is not running") once stopped or failed
                KafkaStreams.State state = streams.state();
                if (state.hasCompletedShutdown() || state == KafkaStreams.State.PENDING_SHUTDOWN
                        || state == KafkaStreams.State.PENDING_ERROR || System.nanoTime() > deadline) {
                    throw new Unavailable(topic, state, e);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new Unavailable(topic, state, e);
                }
            }
        }
    }

    /** Binds this store's Kafka Streams metrics into {@code registry}; closing the result removes them. */
    public AutoCloseable bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        var meters = new io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics(streams, java.util.List.of(),
                io.rlstream.monitoring.prometheus.KafkaMeters.scheduler(), io.rlstream.monitoring.prometheus.KafkaMeters.REFRESH);
        meters.bindTo(registry);
        return meters;
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
    }

    /** The store cannot answer yet (still loading the topic) or any more (stopped, failed). */
    public static final class Unavailable extends RuntimeException {
        private final KafkaStreams.State state;

        Unavailable(String topic, KafkaStreams.State state, RuntimeException cause) {
            super(describe(topic, state), cause);
            this.state = state;
        }

        private static String describe(String topic, KafkaStreams.State state) {
            return switch (state) {
                case CREATED, REBALANCING, RUNNING -> "the selector's state is still loading from " + topic + "; try again in a moment";
                default -> "the selector's state store is not available (Kafka Streams is " + state
                        + "); the dispatcher's log says why";
            };
        }

        /** True when waiting may help; false when the store is stopped or failed. */
        public boolean loading() {
            return switch (state) {
                case CREATED, REBALANCING, RUNNING -> true;
                default -> false;
            };
        }
    }
}

package org.streamlab.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Kafka clients for notebook code, connected to the kernel's Kafka (started on first call):
 * <pre>{@code
 * try (var producer = Kafka.producer()) {
 *     producer.send(new ProducerRecord<>("orders", "user-1", "{\"amount\": 12.5}")).get();
 * }
 * try (var consumer = Kafka.consumer("my-group")) {
 *     consumer.subscribe(List.of("orders"));
 *     consumer.poll(Duration.ofSeconds(2)).forEach(r -> System.out.println(r.value()));
 * }
 * }</pre>
 * Keys and values are Strings; producers use acks=all; consumers start from the earliest offset when
 * their group has none. The caller closes what it opens. Overrides are Kafka client configs.
 */
public final class Kafka {
    private Kafka() {}

    /** The running service (started if needed). */
    public static KafkaService service() {
        KafkaService s = KafkaService.current();
        s.ensureStarted();
        return s;
    }

    /** {@code host:port,...} of the brokers, for clients configured by hand (Flink, Spark, your own). */
    public static String bootstrapServers() {
        return service().bootstrapServers();
    }

    public static KafkaProducer<String, String> producer() {
        return producer(Map.of());
    }

    public static KafkaProducer<String, String> producer(Map<String, ?> overrides) {
        return service().connection().producer(overrides);
    }

    /** A consumer in {@code group} (null for none: then assign partitions yourself). */
    public static KafkaConsumer<String, String> consumer(String group) {
        return consumer(group, Map.of());
    }

    public static KafkaConsumer<String, String> consumer(String group, Map<String, ?> overrides) {
        return service().connection().consumer(group, overrides);
    }

    /** A new admin client; close it when done. */
    public static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", bootstrapServers()));
    }

    /**
     * Deletes those of {@code topics} that exist, and returns once Kafka no longer lists them. For a notebook's first
     * cell, so that a second "Run All" in the same workspace starts from the same empty topics as the first.
     */
    public static List<String> deleteTopicsIfPresent(String... topics) {
        return KafkaOps.deleteTopicsIfPresent(service().connection(), List.of(topics));
    }

    /** Deletes those of the consumer {@code groups} that exist, so a group read again starts with no committed offsets. */
    public static List<String> deleteGroupsIfPresent(String... groups) {
        return KafkaOps.deleteGroupsIfPresent(service().connection(), List.of(groups));
    }

    /** Stops broker {@code id} of the embedded multi-broker cluster ({@code %services start kafka --brokers 3}). */
    public static void stopBroker(int id) {
        service().stopBroker(id);
    }

    public static void startBroker(int id) {
        service().startBroker(id);
    }

    /** Ids of the embedded brokers that are running now. */
    public static List<Integer> runningBrokers() {
        return service().brokerStates().entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }
}

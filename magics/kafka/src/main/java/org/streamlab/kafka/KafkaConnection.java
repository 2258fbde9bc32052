package org.streamlab.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ManagedService;

/**
 * The clients' side of a running Kafka: its bootstrap servers, one shared {@link Admin}, client settings,
 * and the translation of Kafka failures into one-line {@link UserError}s.
 */
final class KafkaConnection implements AutoCloseable {
    /** How long one admin call may take before the brokers are reported as not answering. */
    static final int CALL_SECONDS = 15;

    private final String bootstrapServers;
    private final boolean external;
    private final int brokers;
    private volatile Admin admin;

    private KafkaConnection(String bootstrapServers, boolean external, int brokers) {
        this.bootstrapServers = bootstrapServers;
        this.external = external;
        this.brokers = brokers;
        this.admin = Admin.create(adminProps(bootstrapServers, CALL_SECONDS));
    }

    static KafkaConnection embedded(String bootstrapServers, int brokers) {
        return new KafkaConnection(bootstrapServers, false, brokers);
    }

    /** Connects to external brokers, failing with a clear error if they do not answer within {@code seconds}. */
    static KafkaConnection external(String bootstrapServers, int seconds, String howToConfigure) {
        Map<String, Object> props = adminProps(bootstrapServers, seconds);
        int brokers;
        try (Admin probe = Admin.create(props)) {
            brokers = probe.describeCluster().nodes().get(seconds, TimeUnit.SECONDS).size();
        } catch (java.util.concurrent.TimeoutException | ExecutionException | org.apache.kafka.common.KafkaException e) {
            throw unreachable(bootstrapServers, seconds, howToConfigure, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while connecting to Kafka at " + bootstrapServers, null);
        } catch (IllegalArgumentException e) {
            throw new UserError("KAFKA_BOOTSTRAP_SERVERS is not a list of host:port: " + bootstrapServers, howToConfigure);
        }
        return new KafkaConnection(bootstrapServers, true, brokers);
    }

    private static UserError unreachable(String servers, int seconds, String howToConfigure, Exception e) {
        return new UserError("Kafka at " + servers + " did not answer within " + seconds + " s (KAFKA_BOOTSTRAP_SERVERS)",
                "start a broker there, or change the address (" + howToConfigure + "), or unset KAFKA_BOOTSTRAP_SERVERS "
                        + "to use the embedded Kafka", e);
    }

    private static Map<String, Object> adminProps(String servers, int seconds) {
        Map<String, Object> p = new HashMap<>();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "streamlab-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, seconds * 1000 - 500));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, seconds * 1000);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, 5000);
        p.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return p;
    }

    String bootstrapServers() { return bootstrapServers; }

    boolean external() { return external; }

    /** Brokers seen at start (embedded: the cluster size). */
    int brokers() { return brokers; }

    Admin admin() { return admin; }

    /**
     * Replaces the shared admin client. Needed after a broker of the cluster stops or starts: the admin
     * client caches partition leaders for listOffsets and would keep waiting for a broker that is gone.
     */
    void renewAdmin() {
        Admin old = admin;
        admin = Admin.create(adminProps(bootstrapServers, CALL_SECONDS));
        old.close(java.time.Duration.ofSeconds(1));
    }

    /** Producer settings: strings, acks=all, idempotent, small linger for throughput; overrides win. */
    Map<String, Object> producerProps(Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, CALL_SECONDS * 1000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000);
        if (overrides != null) {
            p.putAll(overrides);
        }
        return p;
    }

    /** Consumer settings: strings, the given group (or none), earliest offsets by default; overrides win. */
    Map<String, Object> consumerProps(String group, Map<String, ?> overrides) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, CALL_SECONDS * 1000);
        p.put(CommonClientConfigs.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, 2000);
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        } else {
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        }
        if (overrides != null) {
            p.putAll(overrides);
        }
        return p;
    }

    KafkaProducer<String, String> producer(Map<String, ?> overrides) {
        return new KafkaProducer<>(producerProps(overrides));
    }

    KafkaConsumer<String, String> consumer(String group, Map<String, ?> overrides) {
        return new KafkaConsumer<>(consumerProps(group, overrides));
    }

    /** Waits for an admin result, turning Kafka's failures into user errors. */
    <T> T await(KafkaFuture<T> future, String topic) {
        try {
            return future.get(CALL_SECONDS + 2, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw translate(e.getCause() == null ? e : e.getCause(), topic);
        } catch (java.util.concurrent.TimeoutException e) {
            throw notAnswering(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted", null);
        }
    }

    UserError notAnswering(Throwable e) {
        String hint = external
                ? "check that the brokers at " + bootstrapServers + " are up (KAFKA_BOOTSTRAP_SERVERS), then run the cell again"
                : "the embedded Kafka may be down: run %services restart kafka";
        return new UserError("Kafka at " + bootstrapServers + " did not answer within " + CALL_SECONDS + " s", hint, e);
    }

    /** One readable line for a Kafka failure about {@code topic} (may be null). */
    UserError translate(Throwable e, String topic) {
        if (e instanceof UserError ue) {
            return ue;
        }
        String t = topic == null ? "" : "'" + topic + "'";
        if (e instanceof UnknownTopicOrPartitionException) {
            return new UserError("topic " + t + " does not exist", "list topics with %kafka topics, or create it: %kafka create " + topic, e);
        }
        if (e instanceof TopicExistsException) {
            return new UserError("topic " + t + " already exists", "see it with %kafka describe " + topic + ", or delete it first: %kafka delete " + topic, e);
        }
        if (e instanceof InvalidReplicationFactorException) {
            return new UserError(e.getMessage(), external
                    ? "use a replication factor no larger than the number of brokers"
                    : "the embedded Kafka has " + brokers + " broker(s); for more: %services start kafka --brokers 3", e);
        }
        if (e instanceof InvalidTopicException || e instanceof InvalidPartitionsException
                || e instanceof InvalidConfigurationException || e instanceof PolicyViolationException) {
            return new UserError(e.getMessage(), "see %help kafka", e);
        }
        if (e instanceof NotEnoughReplicasException) {
            return new UserError("not enough in-sync replicas for " + t + ": " + e.getMessage(),
                    "start the stopped broker(s) again, or lower min.insync.replicas", e);
        }
        if (e instanceof GroupIdNotFoundException) {
            return new UserError(e.getMessage(), "list groups with %kafka groups", e);
        }
        if (e instanceof TimeoutException || e instanceof java.util.concurrent.TimeoutException) {
            return notAnswering(e);
        }
        return new UserError("Kafka: " + ManagedService.rootMessage(e), null, e);
    }

    @Override
    public void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}

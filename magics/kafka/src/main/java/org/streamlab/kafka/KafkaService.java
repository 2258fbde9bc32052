package org.streamlab.kafka;

import java.nio.file.Path;
import java.util.Map;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ManagedService;
import org.streamlab.platform.ServiceMode;

/**
 * Kafka for one kernel: embedded KRaft broker(s) on loopback with data under {@code workspace/kafka}, or the
 * brokers named by {@code KAFKA_BOOTSTRAP_SERVERS}. Starting it is lazy: the first {@code %kafka} command
 * (or {@link Kafka} facade call) does it.
 *
 * <p>This class names no Kafka type in its fields or signatures, so registering it loads no Kafka class.
 */
public final class KafkaService extends ManagedService {
    public static final String EXTERNAL_KEY = "KAFKA_BOOTSTRAP_SERVERS";
    /** How long an external address gets to answer before it is reported as unreachable. */
    static final int EXTERNAL_CONNECT_SECONDS = 5;

    private static volatile KafkaService current;

    private volatile EmbeddedKafka embedded;
    private volatile KafkaConnection connection;

    public KafkaService(KernelConfig config) {
        super("kafka", EXTERNAL_KEY, config);
    }

    /** The service of the kernel running in this JVM (set when the extension registers). */
    public static KafkaService current() {
        KafkaService s = current;
        if (s == null) {
            throw new UserError("no Kafka service in this JVM", "run this code in a StreamLab kernel (the kafka module registers it)");
        }
        return s;
    }

    static void setCurrent(KafkaService service) {
        current = service;
    }

    /**
     * Where the running Kafka is, for other modules without a dependency on this one: Flink SQL's
     * {@code ${kafka.bootstrap}} placeholder reads it.
     */
    public static final String BOOTSTRAP_PROPERTY = "streamlab.kafka.bootstrap";

    @Override
    public String address() {
        KafkaConnection c = connection;
        if (c != null) {
            return c.bootstrapServers();
        }
        return externalAddress().orElse("-");
    }

    /** Bootstrap servers of the running service (starting it if needed). */
    public String bootstrapServers() {
        return connection().bootstrapServers();
    }

    /** The number of brokers asked for with {@code %services start kafka --brokers N} (1 by default). */
    int requestedBrokers() {
        String v = startOptions().get("brokers");
        if (v == null) {
            return 1;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n < 1 || n > 9) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UserError("--brokers must be a whole number from 1 to 9, got: " + v, "e.g. %services start kafka --brokers 3");
        }
    }

    @Override
    protected void doStart() throws Exception {
        if (mode() == ServiceMode.EXTERNAL) {
            String servers = externalAddress().orElseThrow();
            connection = KafkaConnection.external(servers, EXTERNAL_CONNECT_SECONDS, config.howToSet(EXTERNAL_KEY));
            System.setProperty(BOOTSTRAP_PROPERTY, servers);
            return;
        }
        int brokers = requestedBrokers();
        Path dir = config.workspaceDir("kafka");
        EmbeddedKafka cluster = EmbeddedKafka.start(dir, brokers);
        embedded = cluster;
        connection = KafkaConnection.embedded(cluster.bootstrapServers(), brokers);
        System.setProperty(BOOTSTRAP_PROPERTY, cluster.bootstrapServers());
    }

    @Override
    protected void doStop() throws Exception {
        System.clearProperty(BOOTSTRAP_PROPERTY);
        KafkaConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
        EmbeddedKafka e = embedded;
        embedded = null;
        if (e != null) {
            e.close();
        }
    }

    @Override
    protected String startFailureHint() {
        if (mode() == ServiceMode.EMBEDDED) {
            return "run %services restart kafka; if another kernel uses the same workspace, stop it or set "
                    + "STREAMLAB_WORKSPACE to another folder; or point to running brokers: " + config.howToSet(EXTERNAL_KEY);
        }
        return super.startFailureHint();
    }

    /** The live connection, starting the service first. */
    KafkaConnection connection() {
        ensureStarted();
        KafkaConnection c = connection;
        if (c == null) {
            throw new UserError("Kafka is not running", "start it with %services start kafka");
        }
        return c;
    }

    /** The embedded cluster; fails in external mode. */
    EmbeddedKafka embedded() {
        ensureStarted();
        EmbeddedKafka e = embedded;
        if (e == null) {
            throw new UserError("Kafka runs in external mode (" + address() + "): brokers cannot be stopped from the notebook",
                    "unset " + EXTERNAL_KEY + " to use the embedded Kafka");
        }
        return e;
    }

    /** Milliseconds per phase of the last embedded start-up (empty in external mode). */
    Map<String, Long> startupPhases() {
        EmbeddedKafka e = embedded;
        return e == null ? Map.of() : new java.util.TreeMap<>(e.phases());
    }

    /** Stops broker {@code id} of an embedded multi-broker cluster (the others and the controller stay up). */
    public void stopBroker(int id) {
        embedded().stopBroker(id);
        renewAdmin();
    }

    private void renewAdmin() {
        KafkaConnection c = connection;
        if (c != null) {
            c.renewAdmin();
        }
    }

    /** Starts broker {@code id} again after {@link #stopBroker}. */
    public void startBroker(int id) {
        try {
            embedded().startBroker(id);
            renewAdmin();
        } catch (UserError e) {
            throw e;
        } catch (Exception e) {
            throw new UserError("broker " + id + " did not start: " + rootMessage(e), "run %services restart kafka", e);
        }
    }

    /** Broker id to running (true) or stopped (false), for the embedded cluster. */
    public Map<Integer, Boolean> brokerStates() {
        return embedded().brokerStates();
    }
}

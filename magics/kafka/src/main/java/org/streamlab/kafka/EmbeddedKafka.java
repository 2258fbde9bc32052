package org.streamlab.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.streamlab.kernel.UserError;

/**
 * KRaft brokers inside the kernel's JVM, listening on loopback only, with their logs under a workspace
 * folder so topics and records survive a kernel restart.
 *
 * <p>One broker: a single node with {@code process.roles=broker,controller}. N brokers: one controller-only
 * node (id {@value #CONTROLLER_ID}) and broker-only nodes 1..N, so any broker can be stopped and started
 * again while the metadata quorum stays up (replication lessons).
 *
 * <p>Each cluster size keeps its own folder ({@code kafka/1-broker}, {@code kafka/3-brokers}); the folder
 * holds {@code cluster.properties} (cluster id and the ports last used, reused when still free) and one
 * log folder per node, formatted once ({@link KraftNode#formatOnce}).
 */
final class EmbeddedKafka implements AutoCloseable {
    static final int CONTROLLER_ID = KraftNode.CONTROLLER_ID;
    private static final String HOST = KraftNode.HOST;

    private final Path root;
    private final int brokerCount;
    private final String clusterId;
    private final int controllerPort;
    private final Map<Integer, Integer> brokerPorts;
    private final Map<Integer, KafkaRaftServer> running = new ConcurrentHashMap<>();
    private final Map<String, Long> phases = new java.util.concurrent.ConcurrentSkipListMap<>();

    private EmbeddedKafka(Path root, int brokerCount, String clusterId, int controllerPort, Map<Integer, Integer> brokerPorts) {
        this.root = root;
        this.brokerCount = brokerCount;
        this.clusterId = clusterId;
        this.controllerPort = controllerPort;
        this.brokerPorts = brokerPorts;
    }

    /** The folder that keeps the data of a cluster of {@code brokers} brokers under {@code kafkaDir}. */
    static Path clusterDir(Path kafkaDir, int brokers) {
        return kafkaDir.resolve(brokers == 1 ? "1-broker" : brokers + "-brokers");
    }

    /** Starts (formatting on first use) a cluster of {@code brokers} brokers; returns when all are ready. */
    static EmbeddedKafka start(Path kafkaDir, int brokers) throws Exception {
        installExitGuard();
        Path root = clusterDir(kafkaDir, brokers);
        Files.createDirectories(root);
        Path stateFile = root.resolve("cluster.properties");
        Properties state = new Properties();
        if (Files.isRegularFile(stateFile)) {
            try (Reader r = Files.newBufferedReader(stateFile)) {
                state.load(r);
            }
        }
        String clusterId = state.getProperty("cluster.id");
        if (clusterId == null) {
            // cluster.properties lost but the logs are there: keep their cluster id
            clusterId = metaClusterId(root.resolve(brokers == 1 ? "broker-1" : "controller"));
        }
        if (clusterId == null) {
            clusterId = Uuid.randomUuid().toString();
        }
        List<Integer> taken = new ArrayList<>();
        int controllerPort = port(state.getProperty("controller.port"), taken);
        Map<Integer, Integer> brokerPorts = new TreeMap<>();
        for (int id = 1; id <= brokers; id++) {
            brokerPorts.put(id, port(state.getProperty("broker." + id + ".port"), taken));
        }
        state.setProperty("cluster.id", clusterId);
        state.setProperty("controller.port", String.valueOf(controllerPort));
        brokerPorts.forEach((id, p) -> state.setProperty("broker." + id + ".port", String.valueOf(p)));
        try (Writer w = Files.newBufferedWriter(stateFile)) {
            state.store(w, "StreamLab embedded Kafka: cluster id and the ports last used");
        }
        EmbeddedKafka cluster = new EmbeddedKafka(root, brokers, clusterId, controllerPort, brokerPorts);
        try {
            cluster.startAll();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        if (brokerCount == 1) {
            startNode(1);
        } else {
            startNode(CONTROLLER_ID);
            // Broker start-up blocks until the controller unfences it: start them side by side.
            List<Thread> threads = new ArrayList<>();
            Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
            for (int id : brokerPorts.keySet()) {
                Thread t = new Thread(() -> {
                    try {
                        startNode(id);
                    } catch (Throwable e) {
                        failures.put(id, e);
                    }
                }, "streamlab-kafka-start-" + id);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.values().iterator().next();
                throw first instanceof Exception e ? e : new RuntimeException(first);
            }
        }
        long t1 = System.nanoTime();
        awaitBrokers(brokerCount, 60);
        phases.put("3 servers started", (t1 - t0) / 1_000_000);
        phases.put("4 brokers seen by a client", (System.nanoTime() - t1) / 1_000_000);
    }

    /** Milliseconds spent in each start-up phase (for the benchmark). */
    Map<String, Long> phases() {
        return Map.copyOf(phases);
    }

    private void startNode(int id) throws Exception {
        Map<String, Object> props = nodeConfig(id);
        Path dir = nodeDir(id);
        long t0 = System.nanoTime();
        KraftNode.formatOnce(dir, id, clusterId);
        long t1 = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props, false), Time.SYSTEM);
        running.put(id, server);
        long t2 = System.nanoTime();
        server.startup();
        phases.merge("1 format storage", (t1 - t0) / 1_000_000, Math::max);
        phases.merge("2 config and server objects", (t2 - t1) / 1_000_000, Math::max);
        phases.merge("2 server startup()", (System.nanoTime() - t2) / 1_000_000, Math::max);
    }

    private Path nodeDir(int id) {
        return root.resolve(id == CONTROLLER_ID ? "controller" : "broker-" + id);
    }

    private Map<String, Object> nodeConfig(int id) {
        return KraftNode.config(nodeDir(id), id, brokerCount, controllerPort, id == CONTROLLER_ID ? 0 : brokerPorts.get(id));
    }

    /** Waits until {@code expected} brokers are registered and unfenced. */
    private void awaitBrokers(int expected, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Exception last = null;
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, runningBootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
            while (System.nanoTime() < deadline) {
                try {
                    int n = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size();
                    if (n >= expected) {
                        return;
                    }
                } catch (Exception e) {
                    last = e;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("the embedded Kafka brokers were not ready within " + seconds + " s"
                + (last == null ? "" : ": " + last.getMessage()));
    }

    /** Loopback addresses of all brokers, running or not. */
    String bootstrapServers() {
        return brokerPorts.values().stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    private String runningBootstrap() {
        String s = brokerPorts.entrySet().stream().filter(e -> running.containsKey(e.getKey()))
                .map(e -> HOST + ":" + e.getValue()).collect(Collectors.joining(","));
        return s.isEmpty() ? bootstrapServers() : s;
    }

    int brokerCount() { return brokerCount; }

    String clusterId() { return clusterId; }

    Path root() { return root; }

    /** Broker id to "running"/"stopped", in id order. */
    Map<Integer, Boolean> brokerStates() {
        Map<Integer, Boolean> m = new LinkedHashMap<>();
        for (int id : brokerPorts.keySet()) {
            m.put(id, running.containsKey(id));
        }
        return m;
    }

    /** Stops one broker (multi-broker clusters only); the controller quorum and the other brokers stay up. */
    synchronized void stopBroker(int id) {
        checkBrokerId(id);
        if (brokerCount == 1) {
            throw new UserError("the embedded Kafka has a single broker: stopping it stops Kafka",
                    "start a cluster with %services start kafka --brokers 3, or use %services stop kafka");
        }
        KafkaRaftServer server = running.remove(id);
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
    }

    /** Starts a broker stopped by {@link #stopBroker}; returns once the cluster sees it again. */
    synchronized void startBroker(int id) throws Exception {
        checkBrokerId(id);
        if (running.containsKey(id)) {
            return;
        }
        try {
            startNode(id);
        } catch (Exception e) {
            KafkaRaftServer s = running.remove(id);
            if (s != null) {
                s.shutdown();
            }
            throw e;
        }
        awaitBrokers((int) running.keySet().stream().filter(k -> k != CONTROLLER_ID).count(), 60);
    }

    private void checkBrokerId(int id) {
        if (!brokerPorts.containsKey(id)) {
            throw new UserError("no broker " + id + " in the embedded Kafka", "broker ids are " + brokerPorts.keySet());
        }
    }

    @Override
    public synchronized void close() {
        // Brokers first (controlled shutdown needs the controller), the controller last.
        List<Integer> ids = new ArrayList<>(running.keySet());
        ids.sort((a, b) -> Integer.compare(a == CONTROLLER_ID ? 1 : 0, b == CONTROLLER_ID ? 1 : 0));
        List<Thread> stoppers = new ArrayList<>();
        for (int id : ids) {
            if (id == CONTROLLER_ID) {
                continue;
            }
            KafkaRaftServer s = running.remove(id);
            Thread t = new Thread(() -> {
                s.shutdown();
                s.awaitShutdown();
            }, "streamlab-kafka-stop-" + id);
            t.start();
            stoppers.add(t);
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        KafkaRaftServer controller = running.remove(CONTROLLER_ID);
        if (controller != null) {
            controller.shutdown();
            controller.awaitShutdown();
        }
    }

    private static String metaClusterId(Path dir) {
        Path meta = dir.resolve("meta.properties");
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta)) {
            p.load(r);
        } catch (IOException e) {
            return null;
        }
        return p.getProperty("cluster.id");
    }

    /** The saved port if it is still free, else a fresh free loopback port. */
    private static int port(String saved, List<Integer> taken) throws IOException {
        Integer preferred = null;
        if (saved != null) {
            try {
                preferred = Integer.parseInt(saved.strip());
            } catch (NumberFormatException ignored) {
                // pick a new one
            }
        }
        return KraftNode.loopbackPort(preferred, taken);
    }

    private static volatile boolean exitGuarded;

    /**
     * A broker that hits a fatal error calls Kafka's {@code Exit}, which would end the kernel's JVM with it.
     * Turn that into an exception on the broker's thread: the broker dies, the notebook lives.
     */
    private static synchronized void installExitGuard() {
        if (exitGuarded) {
            return;
        }
        Exit.Procedure guard = (status, message) -> {
            String text = "embedded Kafka asked the JVM to exit (status " + status + ")" + (message == null ? "" : ": " + message);
            System.err.println("streamlab: " + text + "; run %services restart kafka");
            throw new IllegalStateException(text);
        };
        Exit.setExitProcedure(guard);
        Exit.setHaltProcedure(guard);
        exitGuarded = true;
    }
}

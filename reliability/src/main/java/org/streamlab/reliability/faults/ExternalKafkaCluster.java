package org.streamlab.reliability.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.streamlab.kafka.KraftNode;

/**
 * The kafka magic's 3-broker KRaft cluster (one controller-only node, brokers 1..3) with every node in a JVM of its
 * own ({@link KafkaNodeMain}), so a broker can be SIGKILLed as a crashed machine would be, and started again on its
 * folder.
 */
final class ExternalKafkaCluster implements AutoCloseable {
    private static final String HOST = KraftNode.HOST;

    private final Path root;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int controllerPort;
    private final Map<Integer, Integer> brokerPorts = new TreeMap<>();
    private final Map<Integer, Process> nodes = new TreeMap<>();

    private ExternalKafkaCluster(Path root, int brokers) throws IOException {
        if (brokers < 2) {
            // one broker would be node 1 with both roles (KraftNode); this cluster keeps a controller of its own
            throw new IllegalArgumentException("an external cluster needs 2 or more brokers, got " + brokers);
        }
        this.root = root;
        List<Integer> taken = new ArrayList<>();
        controllerPort = KraftNode.loopbackPort(null, taken);
        for (int id = 1; id <= brokers; id++) {
            brokerPorts.put(id, KraftNode.loopbackPort(null, taken));
        }
    }

    /** Starts the controller, then the brokers side by side; returns when every node is ready. */
    static ExternalKafkaCluster start(Path root, int brokers) throws Exception {
        ExternalKafkaCluster c = new ExternalKafkaCluster(root, brokers);
        try {
            c.launch(KafkaNodeMain.CONTROLLER_ID);
            c.awaitReady(KafkaNodeMain.CONTROLLER_ID, 120);
            for (int id : c.brokerPorts.keySet()) {
                c.launch(id);
            }
            for (int id : c.brokerPorts.keySet()) {
                c.awaitReady(id, 180);
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    String bootstrapServers() {
        return brokerPorts.values().stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    long pid(int id) {
        return nodes.get(id).pid();
    }

    /** SIGKILL (Process.destroyForcibly on Linux): no controlled shutdown, no flush. Returns the exit status. */
    int kill(int id) throws InterruptedException {
        Process p = nodes.get(id);
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker " + id + " (pid " + p.pid() + ") still alive 30 s after SIGKILL");
        }
        return p.exitValue();
    }

    /** Starts a killed broker again on its folder and port; returns when it is ready (registered and unfenced). */
    void restart(int id) throws Exception {
        launch(id);
        awaitReady(id, 180);
    }

    private void launch(int id) throws IOException {
        Path dir = root.resolve(id == KafkaNodeMain.CONTROLLER_ID ? "controller" : "broker-" + id);
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("ready"));
        Path log = root.resolve((id == KafkaNodeMain.CONTROLLER_ID ? "controller" : "broker-" + id) + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                id == KafkaNodeMain.CONTROLLER_ID ? "-Xmx192m" : "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), KafkaNodeMain.class.getName(), dir.toString(),
                String.valueOf(id), clusterId, String.valueOf(controllerPort),
                String.valueOf(id == KafkaNodeMain.CONTROLLER_ID ? 0 : brokerPorts.get(id)),
                String.valueOf(brokerPorts.size()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        nodes.put(id, pb.start());
    }

    private void awaitReady(int id, int seconds) throws Exception {
        Path ready = root.resolve(id == KafkaNodeMain.CONTROLLER_ID ? "controller" : "broker-" + id).resolve("ready");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!Files.isRegularFile(ready)) {
            Process p = nodes.get(id);
            if (!p.isAlive()) {
                throw new IllegalStateException("Kafka node " + id + " exited (" + p.exitValue() + "); see " + root);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka node " + id + " not ready within " + seconds + " s; see " + root);
            }
            Thread.sleep(100);
        }
    }

    /** Brokers first (a controlled shutdown needs the controller), the controller last. */
    @Override
    public void close() {
        List<Integer> brokers = new ArrayList<>(nodes.keySet());
        brokers.remove(Integer.valueOf(KafkaNodeMain.CONTROLLER_ID));
        brokers.forEach(this::closeInput);
        brokers.forEach(this::await);
        closeInput(KafkaNodeMain.CONTROLLER_ID);
        await(KafkaNodeMain.CONTROLLER_ID);
    }

    private void closeInput(int id) {
        Process p = nodes.get(id);
        if (p != null && p.isAlive()) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    private void await(int id) {
        Process p = nodes.get(id);
        if (p == null) {
            return;
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

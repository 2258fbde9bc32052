package org.streamlab.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node of the kafka magic's KRaft clusters: its configuration, its storage format and its loopback port. The
 * embedded brokers ({@link EmbeddedKafka}) and brokers run in JVMs of their own (the fault harness kills those) both
 * use it, so a broker setting changed here changes in both.
 *
 * <p>One broker: node 1 with {@code process.roles=broker,controller}. N brokers: one controller-only node
 * ({@value #CONTROLLER_ID}) and broker-only nodes 1..N.
 */
public final class KraftNode {
    /** The id of the controller-only node of a multi-broker cluster. */
    public static final int CONTROLLER_ID = 100;
    /** Every node listens on loopback only. */
    public static final String HOST = "127.0.0.1";

    private KraftNode() {
    }

    /**
     * The configuration of node {@code id} in a cluster of {@code brokerCount} brokers, its logs in {@code dir}.
     * {@code brokerPort} is the node's client port (ignored for the controller-only node).
     */
    public static Map<String, Object> config(Path dir, int id, int brokerCount, int controllerPort, int brokerPort) {
        Map<String, Object> p = new HashMap<>();
        boolean single = brokerCount == 1;
        boolean controllerOnly = id == CONTROLLER_ID;
        int replication = Math.min(3, brokerCount);
        p.put("node.id", String.valueOf(id));
        p.put("process.roles", single ? "broker,controller" : controllerOnly ? "controller" : "broker");
        p.put("controller.quorum.voters", (single ? 1 : CONTROLLER_ID) + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (single) {
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + ",CONTROLLER://" + HOST + ":" + controllerPort);
        } else if (controllerOnly) {
            p.put("listeners", "CONTROLLER://" + HOST + ":" + controllerPort);
        } else {
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        }
        if (!controllerOnly) {
            p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
            p.put("inter.broker.listener.name", "PLAINTEXT");
        }
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());
        // Small footprint: the kernel runs four engines in ~1.5 GB.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.replica.fetchers", "1");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        // Internal topics sized for one laptop, replicated as far as the cluster allows.
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", String.valueOf(replication));
        // Lessons see consumer groups form and compaction happen within seconds.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.backoff.ms", "1000");
        p.put("log.initial.task.delay.ms", "1000");
        p.put("server.max.startup.time.ms", String.valueOf(TimeUnit.MINUTES.toMillis(2)));
        return p;
    }

    /** Formats the node's storage on its first start; a restart keeps the formatted storage and its data. */
    public static void formatOnce(Path dir, int id, String clusterId) throws Exception {
        Files.createDirectories(dir);
        if (Files.isRegularFile(dir.resolve("meta.properties"))) {
            return;
        }
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(id)
                .setClusterId(clusterId)
                .setDirectories(List.of(dir.toString()))
                .setMetadataLogDirectory(dir.toString())
                .setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setIgnoreFormatted(true)
                .run();
    }

    /** {@code preferred} if it is free and not in {@code taken}, else a fresh free loopback port; adds it to {@code taken}. */
    public static int loopbackPort(Integer preferred, List<Integer> taken) throws IOException {
        if (preferred != null && !taken.contains(preferred) && isFree(preferred)) {
            taken.add(preferred);
            return preferred;
        }
        while (true) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                int p = s.getLocalPort();
                if (!taken.contains(p)) {
                    taken.add(p);
                    return p;
                }
            }
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

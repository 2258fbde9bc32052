package org.streamlab.reliability.faults;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node of a KRaft cluster in a JVM of its own, for the broker-kill fault ({@link ExternalKafkaCluster}): the
 * controller-only node (id 100) or a broker-only node, listening on 127.0.0.1, configured as the kafka magic's
 * 3-broker cluster. Formats its folder on first start, writes {@code ready} into it once started, and runs until its
 * standard input closes (a controlled shutdown) or it is killed.
 *
 * <p>Arguments: {@code dir nodeId clusterId controllerPort brokerPort} (brokerPort 0 for the controller).
 */
public final class KafkaNodeMain {
    static final int CONTROLLER_ID = 100;
    private static final String HOST = "127.0.0.1";

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int id = Integer.parseInt(args[1]);
        String clusterId = args[2];
        int controllerPort = Integer.parseInt(args[3]);
        int brokerPort = Integer.parseInt(args[4]);
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("ready"));
        if (!Files.isRegularFile(dir.resolve("meta.properties"))) {
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
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config(dir, id, controllerPort, brokerPort), false), Time.SYSTEM);
        server.startup(); // a broker returns once the controller has unfenced it
        Files.writeString(dir.resolve("ready"), String.valueOf(ProcessHandle.current().pid()));
        System.out.println("ready " + id);
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent closes our standard input (or kills us)
        }
        server.shutdown();
        server.awaitShutdown();
        Runtime.getRuntime().halt(0);
    }

    /** The kafka magic's 3-broker configuration (EmbeddedKafka), for one node. */
    static Map<String, Object> config(Path dir, int id, int controllerPort, int brokerPort) {
        Map<String, Object> p = new HashMap<>();
        boolean controller = id == CONTROLLER_ID;
        p.put("node.id", String.valueOf(id));
        p.put("process.roles", controller ? "controller" : "broker");
        p.put("controller.quorum.voters", CONTROLLER_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        if (controller) {
            p.put("listeners", "CONTROLLER://" + HOST + ":" + controllerPort);
        } else {
            p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
            p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
            p.put("inter.broker.listener.name", "PLAINTEXT");
        }
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("num.replica.fetchers", "1");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "3");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("server.max.startup.time.ms", String.valueOf(120_000));
        return p;
    }
}

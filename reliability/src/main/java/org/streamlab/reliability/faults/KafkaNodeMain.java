package org.streamlab.reliability.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.streamlab.kafka.KraftNode;

/**
 * One node of a KRaft cluster in a JVM of its own, for the broker-kill fault ({@link ExternalKafkaCluster}): the
 * controller-only node or a broker-only node, configured by the kafka magic's own {@link KraftNode} (loopback only).
 * Formats its folder on first start, writes {@code ready} into it once started, and runs until its standard input
 * closes (a controlled shutdown) or it is killed.
 *
 * <p>Arguments: {@code dir nodeId clusterId controllerPort brokerPort brokerCount} (brokerPort 0 for the controller).
 */
public final class KafkaNodeMain {
    static final int CONTROLLER_ID = KraftNode.CONTROLLER_ID;

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int id = Integer.parseInt(args[1]);
        String clusterId = args[2];
        int controllerPort = Integer.parseInt(args[3]);
        int brokerPort = Integer.parseInt(args[4]);
        int brokerCount = Integer.parseInt(args[5]);
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve("ready"));
        KraftNode.formatOnce(dir, id, clusterId);
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(KraftNode.config(dir, id, brokerCount, controllerPort, brokerPort), false), Time.SYSTEM);
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
}

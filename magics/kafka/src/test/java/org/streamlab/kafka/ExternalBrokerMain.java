package org.streamlab.kafka;

import java.nio.file.Path;

/**
 * A Kafka broker in its own JVM, for the external-mode tests: starts one KRaft broker with data under
 * {@code args[0]}, prints {@code BOOTSTRAP=host:port}, and runs until its standard input closes.
 */
public final class ExternalBrokerMain {
    public static void main(String[] args) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), 1);
        System.out.println("BOOTSTRAP=" + kafka.bootstrapServers());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin (or to kill us)
        }
        kafka.close();
    }
}

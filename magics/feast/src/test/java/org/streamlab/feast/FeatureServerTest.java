package org.streamlab.feast;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.UserError;

/** A start of the real {@code feast serve} that does not succeed leaves no process behind. */
class FeatureServerTest {
    @TempDir
    Path tmp;
    Path feast;
    Path repo;
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** Every process this JVM started while a test ran (sampled every 20 ms). */
    final Map<ProcessHandle, String> seen = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        feast = FeastTests.feastOrSkip();
        repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve("data"));
        Files.writeString(repo.resolve("feature_store.yaml"), FeastService.DEFAULT_STORE_YAML);
        timer.scheduleAtFixedRate(() -> ProcessHandle.current().descendants()
                // the latest command line: a process sampled between fork and exec still shows java's
                .forEach(h -> seen.merge(h, h.info().commandLine().orElse("?"), (was, now) -> now.equals("?") ? was : now)), 0, 20, TimeUnit.MILLISECONDS);
    }

    @AfterEach
    void tearDown() {
        timer.shutdownNow();
        Thread.interrupted();
    }

    private FeatureServer start(long timeoutMillis) throws Exception {
        return FeatureServer.start(new FeastBinary(feast, FeastTests.python(feast)), repo, Files.createDirectories(tmp.resolve("run")),
                tmp.resolve("logs/feature-server.log"), timeoutMillis, () -> Thread.currentThread().isInterrupted());
    }

    /** feast serve (the python running the feast script with "serve") among the processes seen. */
    private List<ProcessHandle> feastServes() {
        // the command line as sampled: a process that has ended has none
        return seen.entrySet().stream().filter(e -> e.getValue().contains(" serve ")).map(Map.Entry::getKey).toList();
    }

    private void assertAllGone() throws InterruptedException {
        timer.shutdownNow();
        assertTrue(timer.awaitTermination(5, TimeUnit.SECONDS));
        assertFalse(feastServes().isEmpty(), "feast serve was never seen running: the test proves nothing");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (seen.keySet().stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<String> alive = seen.entrySet().stream().filter(e -> e.getKey().isAlive()).map(e -> e.getKey().pid() + " " + e.getValue()).toList();
        assertTrue(alive.isEmpty(), "left running: " + alive);
    }

    @Test
    void anInterruptWhileStartingStopsFeastServe() throws Exception {
        Thread test = Thread.currentThread();
        // feast serve needs several seconds to import feast and answer /health: the interrupt lands while start waits
        java.util.concurrent.atomic.AtomicBoolean sent = new java.util.concurrent.atomic.AtomicBoolean();
        timer.scheduleAtFixedRate(() -> {
            if (!feastServes().isEmpty() && sent.compareAndSet(false, true)) {
                test.interrupt();
            }
        }, 1500, 100, TimeUnit.MILLISECONDS);
        UserError e = assertThrows(UserError.class, () -> start(90_000));
        assertTrue(e.getMessage().startsWith("interrupted: the Feast feature server was stopped while starting"), e.getMessage());
        assertTrue(Thread.interrupted(), "the thread's interrupt is kept for the kernel");
        assertAllGone();
    }

    @Test
    void aStartThatTimesOutStopsFeastServe() throws Exception {
        UserError e = assertThrows(UserError.class, () -> start(1_500));
        assertTrue(e.getMessage().contains("did not answer /health within 1500 ms"), e.getMessage());
        assertAllGone();
    }
}

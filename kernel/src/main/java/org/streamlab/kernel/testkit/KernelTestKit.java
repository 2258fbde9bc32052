package org.streamlab.kernel.testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.CellOutput;
import org.streamlab.kernel.ErrorReport;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.KernelSession;

/**
 * Runs cells in-process against a real kernel session (extensions from the class path included) and
 * records what a notebook would show. No Jupyter server, no sockets: for unit and integration tests.
 *
 * <pre>
 * try (KernelTestKit kit = KernelTestKit.start(tempDir)) {
 *     kit.execSuccess("int x = 41;");
 *     assertEquals("42", kit.execSuccess("x + 1").text());
 * }
 * </pre>
 */
public final class KernelTestKit implements AutoCloseable {
    private final KernelSession session;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "testkit-interrupter");
        t.setDaemon(true);
        return t;
    });

    private KernelTestKit(KernelSession session) {
        this.session = session;
    }

    /** A kernel whose workspace is {@code workspace}. */
    public static KernelTestKit start(Path workspace) {
        return start(workspace, Map.of());
    }

    /** A kernel whose workspace is {@code workspace}, with configuration keys set as if in its environment. */
    public static KernelTestKit start(Path workspace, Map<String, String> config) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.equals("KAFKA_BOOTSTRAP_SERVERS") || k.equals("FLINK_REST_URL")
                || k.equals("SPARK_MASTER") || k.equals("CLICKHOUSE_URL"));
        env.putAll(config);
        env.put(KernelConfig.WORKSPACE, workspace.toAbsolutePath().toString());
        return new KernelTestKit(new KernelSession(KernelConfig.load(env, workspace)));
    }

    public KernelSession session() {
        return session;
    }

    /** Runs a cell and records its outputs; never throws for a failing cell. */
    public CellOutcome exec(String code) {
        return exec(code, null);
    }

    /** Runs a cell and interrupts it after {@code interruptAfter}, as the Jupyter stop button would. */
    public CellOutcome execInterrupted(String code, Duration interruptAfter) {
        return exec(code, interruptAfter);
    }

    private synchronized CellOutcome exec(String code, Duration interruptAfter) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        List<DisplayData> displays = new ArrayList<>();
        Map<String, DisplayData> latest = new LinkedHashMap<>();
        CellOutput recorder = new CellOutput() {
            @Override
            public synchronized void display(DisplayData data, String displayId) {
                if (displayId != null) {
                    data.setDisplayId(displayId);
                }
                displays.add(data);
            }

            @Override
            public synchronized void updateDisplay(String displayId, DisplayData data) {
                latest.put(displayId, data);
            }
        };
        System.setOut(new PrintStream(new TeeStream(out, oldOut), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new TeeStream(err, oldErr), true, StandardCharsets.UTF_8));
        session.expectCell(); // as the Jupyter side does: an interrupt from now on is meant for this cell
        var pending = interruptAfter == null ? null
                : timer.schedule(session::interrupt, interruptAfter.toMillis(), TimeUnit.MILLISECONDS);
        Object value = null;
        DisplayData result = null;
        ErrorReport error = null;
        try {
            value = session.execute(code, recorder);
            if (value != null) {
                result = session.render(value);
            }
        } catch (Throwable t) {
            error = ErrorReport.of(t);
        } finally {
            if (pending != null) {
                pending.cancel(false);
            }
            session.requestEnded();
            System.out.flush();
            System.err.flush();
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        synchronized (recorder) {
            return new CellOutcome(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    value, result, displays, latest, error);
        }
    }

    /** Runs a cell that must succeed. */
    public CellOutcome execSuccess(String code) {
        CellOutcome o = exec(code);
        if (!o.ok()) {
            throw new AssertionError("cell failed:\n" + code + "\n--- error ---\n" + o.errorMessage() + "\n--- stdout ---\n" + o.stdout());
        }
        return o;
    }

    /** Runs a cell that must fail; returns its outcome for assertions on the message. */
    public CellOutcome execError(String code) {
        CellOutcome o = exec(code);
        if (o.ok()) {
            throw new AssertionError("cell was expected to fail but succeeded:\n" + code + "\n--- result ---\n" + o.text()
                    + "\n--- stdout ---\n" + o.stdout());
        }
        return o;
    }

    /** Runs a cell that must succeed and show an HTML result; returns the HTML. */
    public String execHtml(String code) {
        CellOutcome o = execSuccess(code);
        String html = o.html();
        if (html == null) {
            throw new AssertionError("cell result has no text/html:\n" + code + "\n--- result ---\n" + o.text());
        }
        return html;
    }

    /** The live value of a Java expression in the notebook. */
    public Object eval(String expression) {
        return execSuccess(expression).value();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        session.close();
    }

    /** Copies what a cell prints to the recorder and to the real stream, so test logs still show it. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            a.flush();
            b.flush();
        }
    }
}

package org.streamlab.kernel;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.ExecuteRequest;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;
import org.streamlab.kernel.eval.JShellEvaluator;
import org.streamlab.kernel.magic.MagicSpec;

/**
 * The Jupyter side of the kernel: jjava-jupyter handles the wire protocol (ZMQ, HMAC, messages); this class
 * hands each request to the {@link KernelSession}.
 */
public final class StreamLabKernel extends BaseKernel {
    /** Per cell and stream; beyond it output is dropped with a notice. */
    static final long OUTPUT_LIMIT_BYTES = 8L << 20;

    private final KernelSession session;
    private final InMemoryHistory history;
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "streamlab-output-flusher");
        t.setDaemon(true);
        return t;
    });

    private StreamLabKernel(Builder b, KernelSession session, InMemoryHistory history) {
        super(b.name(), b.version(), languageInfo(), List.of(), history, b.io(), b.comms(), b.renderer(),
                new MagicParser("%", "%%", new org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler()), new MagicsRegistry(), false, b.styler());
        this.session = session;
        this.history = history;
    }

    public static StreamLabKernel create(KernelSession session) {
        return new Builder().build(session);
    }

    private static LanguageInfo languageInfo() {
        return new LanguageInfo("java", Runtime.version().toString(), "text/x-java", ".java", "java", "java", "script");
    }

    /**
     * The cell of an execute request is announced before jjava-jupyter publishes busy and execute_input, so a client
     * that interrupts as soon as it sees them stops this cell (the interrupt is not lost before the cell runs).
     */
    @Override
    protected synchronized void handleExecuteRequest(ShellReplyEnvironment env, Message<ExecuteRequest> request) {
        session.expectCell();
        try {
            super.handleExecuteRequest(env, request);
        } finally {
            session.requestEnded();
        }
    }

    /** jjava-jupyter's reply omits "status", which the protocol requires and clients such as nbclient read. */
    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        env.reply(new KernelInfoOk(name, version, getLanguageInfo(), getBanner(), getHelpLinks()));
    }

    static final class KernelInfoOk extends KernelInfoReply {
        @SuppressWarnings("unused") // serialized into the reply's content
        private final String status = "ok";

        KernelInfoOk(String name, String version, LanguageInfo language, String banner, List<HelpLink> links) {
            super("5.3", name, version, language, banner, links);
        }
    }

    @Override
    public String getBanner() {
        return "StreamLab: Java " + Runtime.version().feature() + " with data-engineering magics. %lsmagic lists them.";
    }

    @Override
    public DisplayData eval(String code) {
        history.add(executionCount.get(), code);
        PrintStream jupyterOut = System.out;
        PrintStream jupyterErr = System.err;
        BatchedOutputStream out = new BatchedOutputStream(jupyterOut, OUTPUT_LIMIT_BYTES);
        BatchedOutputStream err = new BatchedOutputStream(jupyterErr, OUTPUT_LIMIT_BYTES);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        ScheduledFuture<?> ticker = flusher.scheduleAtFixedRate(() -> {
            try {
                out.flushNow();
                err.flushNow();
            } catch (Exception ignored) {
                // the cell ended and its stream detached; nothing to flush into
            }
        }, BatchedOutputStream.FLUSH_MILLIS, BatchedOutputStream.FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        try {
            Object value = session.execute(code, new CellOutput() {
                @Override
                public void display(DisplayData data, String displayId) {
                    flushQuietly(out, err);
                    if (displayId != null) {
                        data.setDisplayId(displayId);
                    }
                    if (io.display.isAttached()) {
                        io.display.display(data);
                    }
                }

                @Override
                public void updateDisplay(String displayId, DisplayData data) {
                    if (io.display.isAttached()) {
                        io.display.updateDisplay(displayId, data);
                    }
                }
            });
            DisplayData rendered = value == null ? null : session.render(value);
            if (rendered != null && rendered.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN) instanceof String text) {
                history.setOutput(executionCount.get(), text);
            }
            return rendered;
        } finally {
            ticker.cancel(false);
            flushQuietly(out, err);
            System.setOut(jupyterOut);
            System.setErr(jupyterErr);
        }
    }

    private static void flushQuietly(BatchedOutputStream out, BatchedOutputStream err) {
        try {
            out.flushNow();
            err.flushNow();
        } catch (Exception ignored) {
            // stream already detached
        }
    }

    @Override
    public Object evalRaw(String code) {
        return session.execute(code, null);
    }

    @Override
    public List<String> formatError(Throwable e) {
        return ErrorReport.of(e).lines();
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        JShellEvaluator evaluator = session.evaluator();
        return evaluator.documentation(code, at, extraDetail).map(DisplayData::new).orElse(null);
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        String linePrefix = code.substring(lineStart, at);
        if (linePrefix.matches("\\s*%%?\\w*")) {
            boolean cell = linePrefix.strip().startsWith("%%");
            String typed = linePrefix.strip().replaceFirst("^%+", "");
            List<String> names = session.magics().all().stream()
                    .filter(m -> (m.kind() == MagicSpec.Kind.CELL) == cell && m.name().startsWith(typed))
                    .map(MagicSpec::name).collect(Collectors.toList());
            return new ReplacementOptions(names, at - typed.length(), at);
        }
        JShellEvaluator.Completion c = session.evaluator().complete(code, at);
        return new ReplacementOptions(c.candidates(), c.start(), c.end());
    }

    @Override
    public String isComplete(String code) {
        if (code.stripLeading().startsWith("%")) {
            return IS_COMPLETE_YES;
        }
        String status = session.evaluator().isComplete(code);
        return switch (status) {
            case "complete" -> IS_COMPLETE_YES;
            case "invalid" -> IS_COMPLETE_BAD;
            default -> "    "; // incomplete: the indent for the next line
        };
    }

    @Override
    public void interrupt() {
        session.interrupt();
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        session.close();
    }

    /**
     * History of this kernel process, for Jupyter consoles' history_request: inputs, and the plain-text result
     * of each cell when the request asks for output. Search patterns are globs (* and ?), as in IPython.
     */
    static final class InMemoryHistory implements HistoryManager {
        private final List<HistoryEntry> entries = new ArrayList<>();

        synchronized void add(int cellNumber, String input) {
            entries.add(new HistoryEntry(1, cellNumber, input, null));
        }

        /** Records the plain-text result of the latest cell numbered {@code cellNumber}. */
        synchronized void setOutput(int cellNumber, String output) {
            for (int i = entries.size() - 1; i >= 0; i--) {
                HistoryEntry e = entries.get(i);
                if (e.getCellNumber() == cellNumber) {
                    entries.set(i, new HistoryEntry(e.getSession(), cellNumber, e.getInput(), output));
                    return;
                }
            }
        }

        private static List<HistoryEntry> shaped(List<HistoryEntry> list, Set<ResultFlag> flags) {
            boolean output = flags.contains(ResultFlag.INCLUDE_OUTPUT);
            return list.stream().map(e -> new HistoryEntry(e.getSession(), e.getCellNumber(), e.getInput(),
                    output ? (e.getOutput() == null ? "" : e.getOutput()) : null)).collect(Collectors.toList());
        }

        private static List<HistoryEntry> last(List<HistoryEntry> list, int length) {
            return length <= 0 ? list : new ArrayList<>(list.subList(Math.max(0, list.size() - length), list.size()));
        }

        @Override
        public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
            return shaped(entries.stream().filter(e -> e.getCellNumber() >= start && (stop <= 0 || e.getCellNumber() < stop))
                    .collect(Collectors.toList()), flags);
        }

        @Override
        public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
            return shaped(last(entries, length), flags);
        }

        @Override
        public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
            StringBuilder regex = new StringBuilder("(?s)");
            for (String part : (pattern == null ? "*" : pattern).split("(?<=[*?])|(?=[*?])")) {
                regex.append(part.equals("*") ? ".*" : part.equals("?") ? "." : java.util.regex.Pattern.quote(part));
            }
            java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex.toString());
            List<HistoryEntry> hits = entries.stream().filter(e -> p.matcher(e.getInput()).matches()).collect(Collectors.toList());
            if (flags.contains(ResultFlag.UNIQUE)) {
                java.util.Map<String, HistoryEntry> latest = new java.util.LinkedHashMap<>();
                for (HistoryEntry e : hits) {
                    latest.remove(e.getInput());
                    latest.put(e.getInput(), e);
                }
                hits = new ArrayList<>(latest.values());
            }
            return shaped(last(hits, length), flags);
        }
    }

    /** Reuses jjava-jupyter's defaults for I/O, comms and styling. */
    private static final class Builder extends BaseKernelBuilder<Builder, StreamLabKernel> {
        @Override
        public StreamLabKernel build() {
            throw new UnsupportedOperationException("use build(session)");
        }

        StreamLabKernel build(KernelSession session) {
            return new StreamLabKernel(this, session, new InMemoryHistory());
        }

        String name() {
            return "StreamLab";
        }

        String version() {
            String v = StreamLabKernel.class.getPackage().getImplementationVersion();
            return v == null ? "dev" : v;
        }

        org.dflib.jjava.jupyter.kernel.JupyterIO io() {
            return buildJupyterIO(StandardCharsets.UTF_8);
        }

        org.dflib.jjava.jupyter.kernel.comm.CommManager comms() {
            return buildCommManager();
        }

        org.dflib.jjava.jupyter.kernel.display.Renderer renderer() {
            return buildRenderer();
        }

        StringStyler styler() {
            return buildErrorStyler();
        }
    }
}

package org.streamlab.flink;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.magic.MagicContext;

/**
 * A MagicContext that records what a magic shows, for driving handlers directly (without the kernel).
 * Displays are kept by id with every version; bound variables in a map; interrupts can be triggered.
 */
final class RecordingContext implements MagicContext {
    final KernelConfig config;
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final Map<String, List<Object>> displays = Collections.synchronizedMap(new LinkedHashMap<>());
    final Map<String, Object> bound = new LinkedHashMap<>();
    final List<Runnable> interruptHooks = new CopyOnWriteArrayList<>();
    volatile boolean interrupted;
    private int nextId;

    RecordingContext(KernelConfig config) {
        this.config = config;
    }

    @Override public PrintStream out() { return out; }
    @Override public PrintStream err() { return out; }

    @Override
    public synchronized String display(Object value) {
        String id = "d" + (nextId++);
        displays.put(id, new CopyOnWriteArrayList<>(List.of(value)));
        return id;
    }

    @Override
    public void updateDisplay(String displayId, Object value) {
        displays.get(displayId).add(value);
    }

    @Override
    public <T> void bind(String variable, T value, Class<? super T> type) {
        bound.put(variable, value);
    }

    @Override
    public AutoCloseable onInterrupt(Runnable cancel) {
        interruptHooks.add(cancel);
        return () -> interruptHooks.remove(cancel);
    }

    void interrupt() {
        interrupted = true;
        for (Runnable r : new ArrayList<>(interruptHooks)) {
            r.run();
        }
    }

    @Override public boolean isInterrupted() { return interrupted; }

    @Override public KernelConfig config() { return config; }

    String stdout() { return outBytes.toString(StandardCharsets.UTF_8); }
}

package org.streamlab.kernel;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.streamlab.kernel.display.BuiltinRenderers;
import org.streamlab.kernel.display.Renderer;
import org.streamlab.kernel.display.RendererRegistry;
import org.streamlab.kernel.eval.JShellEvaluator;
import org.streamlab.kernel.magic.MagicRegistry;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.builtin.BuiltinMagics;
import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;

/**
 * One kernel's state, independent of the Jupyter wire protocol: the Java evaluator, the magics, the
 * renderers, the configuration and the extensions. The Jupyter adapter ({@link StreamLabKernel}) and the
 * test kit both drive a session.
 */
public final class KernelSession implements AutoCloseable {
    private static volatile KernelSession current;

    /** What the jshell tool imports by default, plus the notebook helpers. */
    private static final String DEFAULT_IMPORTS = String.join("\n",
            "import java.io.*;", "import java.math.*;", "import java.net.*;", "import java.nio.file.*;",
            "import java.time.*;", "import java.util.*;", "import java.util.concurrent.*;", "import java.util.function.*;",
            "import java.util.regex.*;", "import java.util.stream.*;", "import static org.streamlab.kernel.Notebook.*;");

    /** "full" gives the Java compiler every jar at start; default "on-demand" keeps cells fast. */
    public static final String COMPILER_CLASS_PATH = "STREAMLAB_COMPILER_CLASSPATH";

    private final KernelConfig config;
    private final MagicRegistry magics = new MagicRegistry();
    private final RendererRegistry renderers = new RendererRegistry();
    private final CompletableFuture<JShellEvaluator> evaluator;
    private final List<Runnable> shutdownHooks = new CopyOnWriteArrayList<>();
    private final List<Runnable> interruptHooks = new CopyOnWriteArrayList<>();
    private final CellRunner runner;
    private volatile CellOutput output;

    public KernelSession(KernelConfig config) {
        this.config = config;
        org.streamlab.kernel.eval.ExitGuard.install();
        BuiltinRenderers.registerAll(renderers);
        BuiltinMagics.registerAll(this);
        loadExtensions();
        // JShell's compiler is slow to start: warm it in the background while the kernel answers kernel_info.
        this.evaluator = CompletableFuture.supplyAsync(() -> {
            JShellEvaluator e = new JShellEvaluator(System.getProperty("java.class.path"),
                    config.get(COMPILER_CLASS_PATH, "on-demand").equals("full"));
            e.eval(DEFAULT_IMPORTS, 1);
            e.eval("1", 1);
            e.complete("Strin", 5);
            return e;
        }, r -> {
            Thread t = new Thread(r, "streamlab-jshell-warmup");
            t.setDaemon(true);
            t.start();
        });
        this.runner = new CellRunner(this);
        evaluator.thenRun(KernelSession::preloadTablesaw);
        current = this;
    }

    /**
     * Tablesaw's Table scans the whole class path on first use (1.7-4.6 s with the engines' jars), and every
     * SQL magic's --into builds one: pay that once, in the background, a little after start-up.
     */
    private static void preloadTablesaw() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(3000);
                Class.forName("tech.tablesaw.api.Table", true, KernelSession.class.getClassLoader());
            } catch (ClassNotFoundException | InterruptedException | LinkageError e) {
                // Tablesaw absent or failing: the first --into pays the cost or reports the error
            }
        }, "streamlab-tablesaw-preload");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The session of this JVM's kernel; {@code Notebook} helpers in cells use it. */
    public static KernelSession current() {
        KernelSession s = current;
        if (s == null) {
            throw new IllegalStateException("no StreamLab kernel is running in this JVM");
        }
        return s;
    }

    private void loadExtensions() {
        ExtensionContext context = new ExtensionContext() {
            @Override
            public void addMagic(MagicSpec magic) {
                magics.register(magic);
            }

            @Override
            public <T> void addRenderer(Class<T> type, Renderer<? super T> renderer) {
                renderers.register(type, renderer);
            }

            @Override
            public void onShutdown(Runnable hook) {
                shutdownHooks.add(hook);
            }

            @Override
            public void onInterrupt(Runnable hook) {
                interruptHooks.add(hook);
            }

            @Override
            public KernelConfig config() {
                return config;
            }
        };
        for (KernelExtension extension : ServiceLoader.load(KernelExtension.class, KernelSession.class.getClassLoader())) {
            try {
                extension.register(context);
            } catch (RuntimeException | LinkageError e) {
                System.err.println("StreamLab: extension " + extension.getClass().getName() + " failed to load: " + e);
            }
        }
    }

    public KernelConfig config() { return config; }

    public MagicRegistry magics() { return magics; }

    public RendererRegistry renderers() { return renderers; }

    /** The evaluator, waiting for its warm-up if needed. */
    public JShellEvaluator evaluator() {
        try {
            return evaluator.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while the Java evaluator was starting");
        } catch (ExecutionException e) {
            throw new IllegalStateException("the Java evaluator failed to start: " + e.getCause(), e.getCause());
        }
    }

    /** Runs one cell. Returns its value (or null when it has none); throws {@link org.streamlab.kernel.eval.CellFailure} or {@link UserError}. */
    public Object execute(String code, CellOutput out) {
        this.output = out;
        return runner.run(code);
    }

    /** Runs code as part of the running cell (a magic's body, a loaded file). */
    public Object runNested(String code) {
        return runner.run(code);
    }

    /** An execute request arrived: an interrupt from now on stops its cell, even one that comes before the cell runs. */
    public void expectCell() {
        runner.expectCell();
    }

    /** The execute request ended: an interrupt meant for it is forgotten. */
    public void requestEnded() {
        runner.requestEnded();
    }

    /** Asks the running cell to stop: cancel hooks first, then the Java code. */
    public void interrupt() {
        runner.interrupt(interruptHooks);
    }

    public DisplayData render(Object value) {
        return renderers.render(value);
    }

    /** Shows a value below the current cell; returns its display id. */
    public String display(Object value) {
        String id = UUID.randomUUID().toString();
        CellOutput out = output;
        if (out != null) {
            out.display(render(value), id);
        }
        return id;
    }

    public void updateDisplay(String id, Object value) {
        if (id == null || id.isBlank()) {
            throw new UserError("updateDisplay needs the id that display(...) returned, not " + (id == null ? "null" : "a blank id"),
                    "String id = display(value); then updateDisplay(id, newValue)");
        }
        CellOutput out = output;
        if (out != null) {
            out.updateDisplay(id, render(value));
        }
    }

    /** Adds a jar or folder to the class path of notebook code. */
    public void addToClassPath(String path) {
        File f = new File(path);
        if (!f.exists()) {
            throw new UserError("no such file or folder: " + f.getAbsolutePath(), "check the path (it is relative to " + new File("").getAbsolutePath() + ")");
        }
        evaluator().addToClasspath(f.getAbsolutePath());
    }

    public void onShutdown(Runnable hook) {
        shutdownHooks.add(hook);
    }

    @Override
    public void close() {
        List<Runnable> hooks = new ArrayList<>(shutdownHooks);
        Collections.reverse(hooks);
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                System.err.println("StreamLab: shutdown hook failed: " + e);
            }
        }
        shutdownHooks.clear();
        if (evaluator.isDone() && !evaluator.isCompletedExceptionally()) {
            evaluator.join().close();
        }
        if (current == this) {
            current = null;
        }
    }
}

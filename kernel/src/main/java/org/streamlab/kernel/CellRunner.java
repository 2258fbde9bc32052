package org.streamlab.kernel;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.streamlab.kernel.eval.CellFailure;
import org.streamlab.kernel.eval.JShellEvaluator;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;

/**
 * Runs cells on a dedicated thread, so an interrupt can reach a magic (a consumer loop, a job
 * submission) without touching the thread that serves the Jupyter sockets. Splits a cell into
 * {@code %%cell} magic, {@code %line} magics and Java chunks, in order.
 */
final class CellRunner {
    private final KernelSession session;
    private final ExecutorService cellThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "streamlab-cell-runner");
        t.setDaemon(true);
        return t;
    });
    private volatile Thread runnerThread;
    private volatile RunningCell running;

    CellRunner(KernelSession session) {
        this.session = session;
    }

    Object run(String code) {
        if (Thread.currentThread() == runnerThread) {
            return dispatch(code); // a magic running a nested cell body, e.g. %%check or %%time
        }
        RunningCell cell = new RunningCell();
        running = cell;
        Future<Object> f = cellThread.submit(() -> {
            runnerThread = Thread.currentThread();
            Thread.interrupted(); // clear an interrupt left over from the previous cell
            return dispatch(code);
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("the kernel was interrupted while waiting for the cell");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                if (cell.interrupted && !(re instanceof UserError) && (!(re instanceof CellFailure cf)
                        || cf.kind() == CellFailure.Kind.INTERRUPTED || isInterruptOfUserCode(cf))) {
                    throw interruptedFailure();
                }
                throw re;
            }
            if (cause instanceof ThreadDeath) {
                throw interruptedFailure();
            }
            // an Error from a magic (a missing class in an extension, a stack overflow) must not reach the
            // thread serving the Jupyter socket: it becomes this cell's error
            throw new IllegalStateException(cause.toString(), cause);
        } finally {
            running = null;
        }
    }

    /** User code woken by the interrupt (a sleep, a join) throws InterruptedException: that is the interrupt. */
    private static boolean isInterruptOfUserCode(CellFailure failure) {
        return failure.kind() == CellFailure.Kind.EXCEPTION
                && "java.lang.InterruptedException".equals(failure.exceptionName());
    }

    private static CellFailure interruptedFailure() {
        return new CellFailure(CellFailure.Kind.INTERRUPTED, "Interrupted", "the cell was interrupted",
                List.of("Interrupted: the cell was stopped. Variables defined before the interrupt are kept."));
    }

    /** Stops the running cell: the cell's own hooks, the extensions' hooks, then the code itself. */
    void interrupt(List<Runnable> extensionHooks) {
        RunningCell cell = running;
        if (cell == null) {
            return;
        }
        cell.interrupted = true;
        List<Runnable> hooks = new java.util.ArrayList<>(cell.hooks);
        hooks.addAll(extensionHooks);
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                System.err.println("StreamLab: an interrupt hook failed: " + e);
            }
        }
        JShellEvaluator evaluator = session.evaluator();
        if (evaluator.isRunning()) {
            evaluator.stop(); // Java code: interrupt, then stop its thread
            return;
        }
        Thread t = runnerThread; // a magic: wake it from blocking calls
        if (t != null) {
            t.interrupt();
        }
    }

    MagicContext context() {
        RunningCell cell = running;
        return cell != null ? cell : new RunningCell();
    }

    private Object dispatch(String code) {
        String text = code.replace("\r\n", "\n");
        int start = 0;
        int line = 1;
        // skip blank lines before a possible %%magic
        while (true) {
            int nl = text.indexOf('\n', start);
            String l = text.substring(start, nl < 0 ? text.length() : nl);
            if (!l.isBlank() || nl < 0) {
                break;
            }
            start = nl + 1;
            line++;
        }
        String rest = text.substring(start);
        if (rest.startsWith("%%")) {
            int nl = rest.indexOf('\n');
            String header = nl < 0 ? rest.substring(2) : rest.substring(2, nl);
            String body = nl < 0 ? "" : rest.substring(nl + 1);
            String[] nameAndArgs = header.strip().split("\\s+", 2);
            MagicSpec spec = session.magics().cell(nameAndArgs[0]);
            return runMagic(spec, nameAndArgs.length > 1 ? nameAndArgs[1] : "", body);
        }
        return runLines(text);
    }

    /** Java chunks and %line magics, in order; the last one's value is the cell's. */
    private Object runLines(String text) {
        Object last = NoValue.INSTANCE;
        StringBuilder java = new StringBuilder();
        int javaStart = 1;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String stripped = lines[i].strip();
            if (stripped.length() > 1 && stripped.charAt(0) == '%' && Character.isLetter(stripped.charAt(1))) {
                if (!java.toString().isBlank()) {
                    last = evalJava(java.toString(), javaStart);
                }
                java.setLength(0);
                javaStart = i + 2;
                String[] nameAndArgs = stripped.substring(1).split("\\s+", 2);
                MagicSpec spec = session.magics().line(nameAndArgs[0]);
                last = runMagic(spec, nameAndArgs.length > 1 ? nameAndArgs[1] : "", null);
            } else {
                if (java.length() == 0) {
                    javaStart = i + 1;
                }
                java.append(lines[i]).append('\n');
            }
        }
        if (!java.toString().isBlank()) {
            last = evalJava(java.toString(), javaStart);
        }
        return last == NoValue.INSTANCE ? null : last;
    }

    private Object evalJava(String code, int firstLine) {
        Object v = session.evaluator().eval(code, firstLine);
        return JShellEvaluator.isNoValue(v) ? NoValue.INSTANCE : v;
    }

    private Object runMagic(MagicSpec spec, String argLine, String body) {
        MagicContext ctx = context();
        try {
            MagicArgs args = MagicArgs.of(argLine);
            Object result = spec.kind() == MagicSpec.Kind.CELL
                    ? spec.cellHandler().run(ctx, args, body)
                    : spec.lineHandler().run(ctx, args);
            return result;
        } catch (MagicUsageException e) {
            throw new UserError(spec.invocation() + ": " + e.getMessage(), "usage:\n" + spec.usage().strip(), e);
        } catch (UserError | CellFailure e) {
            throw e;
        } catch (InterruptedException e) {
            throw interruptedFailure();
        } catch (Exception e) {
            if (ctx.isInterrupted()) {
                throw interruptedFailure();
            }
            throw new UserError(spec.invocation() + " failed: " + Throwables.readableMessage(e), "see %help " + spec.name(), e);
        }
    }

    /** Marker for "no value" across Java chunks and magics. */
    private enum NoValue { INSTANCE }

    /** The magic context of one running cell. */
    private final class RunningCell implements MagicContext {
        final List<Runnable> hooks = new CopyOnWriteArrayList<>();
        volatile boolean interrupted;

        @Override
        public PrintStream out() {
            return System.out;
        }

        @Override
        public PrintStream err() {
            return System.err;
        }

        @Override
        public String display(Object value) {
            return session.display(value);
        }

        @Override
        public void updateDisplay(String displayId, Object value) {
            session.updateDisplay(displayId, value);
        }

        @Override
        public <T> void bind(String variable, T value, Class<? super T> type) {
            session.evaluator().declare(variable, value, type);
        }

        @Override
        public AutoCloseable onInterrupt(Runnable cancel) {
            hooks.add(cancel);
            return () -> hooks.remove(cancel);
        }

        @Override
        public boolean isInterrupted() {
            return interrupted;
        }

        @Override
        public KernelConfig config() {
            return session.config();
        }
    }
}

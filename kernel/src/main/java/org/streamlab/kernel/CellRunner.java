package org.streamlab.kernel;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
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
    /** Guards the start and end of a cell against an interrupt, so one meant for a cell never reaches the next. */
    private final Object lock = new Object();
    private final AtomicLong generations = new AtomicLong();
    /** A cell announced by {@link #expectCell} that {@link #run} has not picked up yet (guarded by {@link #lock}). */
    private RunningCell expected;

    CellRunner(KernelSession session) {
        this.session = session;
    }

    Object run(String code) {
        if (Thread.currentThread() == runnerThread) {
            return dispatch(code); // a magic running a nested cell body, e.g. %%check or %%time
        }
        RunningCell cell;
        synchronized (lock) {
            // the cell announced by expectCell (an interrupt may already have marked it), or a new one
            cell = expected != null ? expected : new RunningCell(generations.incrementAndGet());
            expected = null;
            running = cell;
        }
        Future<Object> f = cellThread.submit(() -> {
            runnerThread = Thread.currentThread();
            try {
                if (cell.interrupted) {
                    throw interruptedFailure(); // interrupted before the cell thread picked it up: it does not run
                }
                return dispatch(code);
            } finally {
                // an interrupt meant for this cell must not reach the next one: the cell ends under the lock the
                // interrupt takes, so a late interrupt finds no cell; the evaluator forgets a stop asked for it
                synchronized (lock) {
                    if (running == cell) {
                        running = null;
                    }
                    Thread.interrupted();
                }
                if (cell.usedJava) {
                    session.evaluator().endCell(cell.generation);
                }
            }
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
            synchronized (lock) {
                if (running == cell) {
                    running = null;
                }
            }
        }
    }

    /**
     * An execute request arrived and its cell is about to run: from now on an interrupt is meant for that cell, even
     * before {@link #run} registers it (the Jupyter client sees the kernel busy with it already).
     */
    void expectCell() {
        synchronized (lock) {
            if (running == null && expected == null) {
                expected = new RunningCell(generations.incrementAndGet());
                running = expected;
            }
        }
    }

    /** The execute request ended: a cell announced by {@link #expectCell} that never ran is forgotten, with its interrupt. */
    void requestEnded() {
        synchronized (lock) {
            if (expected != null && running == expected) {
                running = null;
            }
            expected = null;
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

    /**
     * Stops the running cell: the cell's own hooks, the extensions' hooks, then the code itself. The stop is tied
     * to the cell's generation: Java code of that cell that is compiling does not start, Java code that runs is
     * stopped, a magic is woken from blocking calls; once the cell has ended, nothing of the stop is left.
     */
    void interrupt(List<Runnable> extensionHooks) {
        RunningCell cell;
        synchronized (lock) {
            cell = running;
            if (cell == null) {
                return; // no cell: an interrupt of an idle kernel does nothing
            }
            cell.interrupted = true;
        }
        List<Runnable> hooks = new java.util.ArrayList<>(cell.hooks);
        hooks.addAll(extensionHooks);
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                System.err.println("StreamLab: an interrupt hook failed: " + e);
            }
        }
        if (cell.usedJava) {
            // Java code of this cell: stops its running snippet, or the next one before it starts; a no-op if the
            // cell has ended (the evaluator knows which cell its snippets belong to)
            session.evaluator().stop(cell.generation);
        }
        synchronized (lock) {
            if (running != cell || cell.inJava) {
                return; // ended; or Java that is compiling or running, which the stop above handles
            }
            Thread t = runnerThread; // a magic: wake it from blocking calls
            if (t != null) {
                t.interrupt();
            }
        }
    }

    MagicContext context() {
        RunningCell cell = running;
        return cell != null ? cell : new RunningCell(0);
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
        RunningCell cell = running;
        JShellEvaluator evaluator = session.evaluator();
        if (cell == null) {
            return noValueIfNone(evaluator.eval(code, firstLine));
        }
        boolean wasInJava = cell.inJava;
        synchronized (lock) {
            cell.inJava = true;
        }
        try {
            evaluator.beginCell(cell.generation);
            cell.usedJava = true;
            // read after the evaluator knows the cell: an interrupt either came before (seen here) or its stop
            // reaches the evaluator after, and the next snippet of this cell does not start
            if (cell.interrupted) {
                throw interruptedFailure();
            }
            return noValueIfNone(evaluator.eval(code, firstLine));
        } finally {
            synchronized (lock) {
                cell.inJava = wasInJava;
            }
        }
    }

    private static Object noValueIfNone(Object v) {
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
        /** Which cell this is: the evaluator applies a stop only to the snippets of the cell it was asked for. */
        final long generation;
        volatile boolean interrupted;
        /** Java of this cell is compiling or running (guarded by the runner's lock). */
        volatile boolean inJava;
        volatile boolean usedJava;

        RunningCell(long generation) {
            this.generation = generation;
        }

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

package org.streamlab.kernel.magic.builtin;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.streamlab.kernel.ProcessTrees;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicContext;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.magic.ParsedArgs;

/**
 * {@code %%bash} and {@code %%sh}: the cell body as a shell script, run in the notebook's folder. Output is streamed
 * to the cell while the script runs; a non-zero exit code fails the cell; an interrupt (or {@code --timeout}) stops
 * the script and every process it started.
 */
final class ShellMagic {
    /** How long a stopped script gets between SIGTERM and SIGKILL. */
    static final long KILL_GRACE_MILLIS = 2_000;
    /** How long, after the script ended, its output may still take to arrive (a daemon it started can hold the pipe). */
    private static final long DRAIN_MILLIS = 2_000;

    private final String name;
    private final String shell;

    private ShellMagic(String name, String shell) {
        this.name = name;
        this.shell = shell;
    }

    static MagicSpec spec(String name, String shell) {
        String usage = """
                %%NAME [--timeout SECONDS]
                <shell script>

                Runs the cell with SHELL in the notebook's folder (the kernel's working directory), with the
                kernel's environment (STREAMLAB_WORKSPACE among it) and no input. Output appears while the script
                runs: stdout as the cell's output, stderr as its error stream.
                A non-zero exit status fails the cell ("SHELL exited with status N"); with `set -e` at the top the
                script stops at the first failing command. The stop button (interrupt) ends the script and every
                process it started (SIGTERM, SIGKILL 2 s later); --timeout SECONDS does the same after that long.
                Example:
                  %%NAME
                  ls -l ../../datasets
                  ss -ltn
                """.replace("NAME", name).replace("SHELL", shell);
        ShellMagic magic = new ShellMagic(name, shell);
        return MagicSpec.cell(name, "run the cell as a " + shell + " script, output streamed; stop kills its processes",
                usage, magic::run);
    }

    private Object run(MagicContext ctx, MagicArgs args, String body) throws Exception {
        ParsedArgs a = args.parse(Set.of(), Set.of("timeout"));
        a.atMostPositional(0);
        double timeout = a.doubleOption("timeout", 0);
        if (timeout < 0 || Double.isNaN(timeout)) {
            throw new MagicUsageException("--timeout must be a positive number of seconds, got " + a.option("timeout").orElse(""));
        }
        if (body.isBlank()) {
            throw new UserError("the %%" + name + " cell is empty", "write the commands below the %%" + name + " line");
        }
        Path dir = Path.of("").toAbsolutePath();
        Process process;
        try {
            process = new ProcessBuilder(shell, "-c", body)
                    .directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UserError("cannot start " + shell + ": " + e.getMessage(),
                    Files.isExecutable(Path.of("/bin/" + shell)) ? "check the notebook's folder " + dir
                            : "install it (Debian: apt-get install " + shell + ")", e);
        }
        Thread out = pump(process.getInputStream(), ctx.out(), "stdout");
        Thread err = pump(process.getErrorStream(), ctx.err(), "stderr");
        boolean timedOut = false;
        try (AutoCloseable onStop = ctx.onInterrupt(() -> ProcessTrees.killTree(process, KILL_GRACE_MILLIS))) {
            if (timeout > 0) {
                timedOut = !process.waitFor((long) (timeout * 1000), TimeUnit.MILLISECONDS);
            } else {
                process.waitFor();
            }
        } catch (InterruptedException e) {
            ProcessTrees.killTree(process, KILL_GRACE_MILLIS);
            throw e;
        } finally {
            if (process.isAlive() || !process.descendants().toList().isEmpty()) {
                ProcessTrees.killTree(process, KILL_GRACE_MILLIS);
            }
            out.join(DRAIN_MILLIS);
            err.join(DRAIN_MILLIS);
            ctx.out().flush();
            ctx.err().flush();
        }
        if (ctx.isInterrupted()) {
            throw new InterruptedException("the " + shell + " script was stopped");
        }
        if (timedOut) {
            throw new UserError(shell + " script stopped after --timeout " + formatSeconds(timeout) + " s",
                    "make it finish sooner, or give it more time with --timeout");
        }
        int status = process.exitValue();
        if (status != 0) {
            throw new UserError(shell + " exited with status " + status + describe(status),
                    "the output above shows which command failed");
        }
        return null;
    }

    /** What an exit status above 128 means: the script was killed by a signal. */
    private static String describe(int status) {
        return status > 128 && status < 160 ? " (killed by signal " + (status - 128) + ")" : "";
    }

    private static String formatSeconds(double s) {
        return s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s);
    }

    /** Copies a stream to the cell as it comes, chunk by chunk (a partial line, a progress dot, shows at once). */
    private static Thread pump(InputStream from, PrintStream to, String name) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (from) {
                int n;
                while ((n = from.read(buf)) >= 0) {
                    synchronized (to) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                }
            } catch (IOException e) {
                // the process was killed and its pipe closed: nothing more to copy
            }
        }, "shell-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}

package org.streamlab.feast;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streamlab.kernel.UserError;
import org.streamlab.platform.ChildProcesses;

/**
 * Runs the feast CLI (or the module's Python helper) as a child process in the feature repository, its output kept
 * in a log file; killing it kills its whole process tree. Feast prints Python tracebacks on failure: the failure
 * becomes one readable line, the exception Feast raised.
 */
final class FeastProcess {
    /** A finished command: exit code and what it printed (stdout and stderr together). */
    record Result(int exitCode, String output, Path log) {}

    private static final Pattern EXCEPTION_LINE = Pattern.compile(
            "^(?:[A-Za-z_][\\w.]*\\.)?([A-Z]\\w*(?:Error|Exception|Exit|Warning|NotFound\\w*))(?::\\s*(.*))?$");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    private FeastProcess() {}

    /** The environment every feast process gets: no usage telemetry, unbuffered output, no Python warnings. */
    static void prepareEnvironment(Map<String, String> env, Path runDir) {
        env.put("FEAST_USAGE", "False");
        env.put("PYTHONUNBUFFERED", "1");
        env.put("PYTHONWARNINGS", "ignore");
        env.put("TZ", "UTC");
        // gunicorn (feast serve) opens a control socket in $XDG_RUNTIME_DIR or ~/.gunicorn: one per server, here
        env.put("XDG_RUNTIME_DIR", runDir.toString());
    }

    /**
     * Runs {@code command} in {@code workDir} until it ends, copying each output line to {@code echo}. The process
     * tree is killed when {@code interrupted} turns true (checked every 50 ms) or the thread is interrupted; it is in
     * {@code running} while it runs, and an interrupt hook that kills it takes it out of {@code running} first.
     */
    static Result run(List<String> command, Path workDir, Path runDir, Path log, Consumer<String> echo,
                      BooleanSupplier interrupted, java.util.Set<Process> running) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        prepareEnvironment(pb.environment(), runDir);
        Process p = pb.start();
        running.add(p);
        long shown = 0;
        boolean stoppedByHook;
        try {
            while (true) {
                boolean done = p.waitFor(50, TimeUnit.MILLISECONDS);
                shown = echoNewLines(log, shown, echo, done);
                if (done) {
                    // the interrupt hook takes a process out of running before it kills it
                    stoppedByHook = !running.contains(p);
                    break;
                }
                if (interrupted.getAsBoolean()) {
                    ChildProcesses.killTree(p, 3_000);
                    throw new UserError("interrupted: " + describe(command) + " was stopped", null);
                }
            }
        } catch (InterruptedException e) {
            ChildProcesses.killTree(p, 3_000);
            Thread.currentThread().interrupt();
            throw new UserError("interrupted: " + describe(command) + " was stopped", null);
        } finally {
            running.remove(p);
        }
        if (stoppedByHook || interrupted.getAsBoolean()) {
            // the kernel's interrupt hook killed it (a Java cell's run has no other way to say so)
            throw new UserError("interrupted: " + describe(command) + " was stopped", null);
        }
        int code = p.exitValue();
        if (code == 128 + 9 || code == 128 + 15) {
            // nobody here interrupted: killed from outside, most often by the Linux OOM killer under Binder's 2 GB
            throw new UserError(describe(command) + " was killed by signal " + (code - 128) + " (out of memory?)",
                    "its output is in " + log + "; free memory (stop other services: %services) and run it again");
        }
        return new Result(p.exitValue(), clean(Files.readString(log, StandardCharsets.UTF_8)), log);
    }

    /** Prints whole lines that appeared in the log since {@code from} (byte offset); returns the new offset. */
    private static long echoNewLines(Path log, long from, Consumer<String> echo, boolean all) throws IOException {
        if (echo == null) {
            return from;
        }
        byte[] bytes = Files.readAllBytes(log);
        if (bytes.length <= from) {
            return from;
        }
        int end = bytes.length;
        if (!all) {
            int lastNewline = -1;
            for (int i = bytes.length - 1; i >= from; i--) {
                if (bytes[i] == '\n') {
                    lastNewline = i;
                    break;
                }
            }
            if (lastNewline < 0) {
                return from;
            }
            end = lastNewline + 1;
        }
        String chunk = clean(new String(bytes, (int) from, end - (int) from, StandardCharsets.UTF_8));
        for (String line : chunk.split("\n")) {
            if (!line.isBlank() && !noise(line)) {
                echo.accept(line);
            }
        }
        return end;
    }

    /** Lines of feast's output that say nothing to a learner (Python warnings that PYTHONWARNINGS misses). */
    static boolean noise(String line) {
        String l = line.strip();
        return l.contains("Warning:") || l.startsWith("warnings.warn") || l.startsWith("meta = result.fetch_arrow_table")
                || l.startsWith("driver = Entity(") || l.contains("DeprecationWarning");
    }

    static String clean(String text) {
        return ANSI.matcher(text.replace("\r\n", "\n")).replaceAll("");
    }

    /**
     * The most telling line of a failed run: the last {@code SomeError: message} line of a traceback, without the
     * module path; else the last non-blank line. Warnings and other noise are never it.
     */
    static String failureLine(String output) {
        String[] lines = output.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            Matcher m = EXCEPTION_LINE.matcher(l);
            if (m.matches() && !l.startsWith("File ") && !m.group(1).endsWith("Warning") && !noise(l)) {
                String msg = m.group(2) == null ? "" : m.group(2).strip();
                return msg.isEmpty() ? m.group(1) : m.group(1) + ": " + msg;
            }
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank() && !noise(lines[i])) {
                return lines[i].strip();
            }
        }
        return "no output";
    }

    static String describe(List<String> command) {
        List<String> words = new ArrayList<>();
        for (String w : command) {
            words.add(w.contains("/") && !w.startsWith("-") && words.isEmpty() ? Path.of(w).getFileName().toString() : w);
        }
        String s = String.join(" ", words);
        return s.length() > 160 ? s.substring(0, 159) + "…" : s;
    }
}

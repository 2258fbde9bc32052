package org.streamlab.reliability.faults;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * A kernel in a JVM of its own, for the kernel-kill scenario: one cell per line on standard input (Base64), one
 * {@code @@RESULT} line per cell on standard output (Base64 of "OK value" or "ERR message"). Killing this process is
 * killing the kernel: its embedded Kafka and Flink die with it.
 */
public final class KernelChild {
    static final String RESULT = "@@RESULT ";

    private KernelChild() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        // the kernel's own output (cells, engines) goes to the log, so the result lines stay whole
        PrintStream log = new PrintStream(new java.io.FileOutputStream(args[1], true), true, StandardCharsets.UTF_8);
        System.setOut(log);
        System.setErr(log);
        KernelTestKit kit = KernelTestKit.start(Path.of(args[0]));
        out.println(RESULT + encode("OK ready"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String cell = new String(Base64.getDecoder().decode(line.strip()), StandardCharsets.UTF_8);
            CellOutcome o = kit.exec(cell);
            out.println(RESULT + encode(o.ok() ? "OK " + o.value() : "ERR " + o.errorMessage()));
        }
        kit.close();
        out.println(RESULT + encode("OK closed"));
        try {
            Runtime.getRuntime().halt(0); // engine threads that are not daemons would keep the JVM up
        } catch (SecurityException e) {
            // the kernel's exit guard: the parent ends the process
        }
    }

    static String encode(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}

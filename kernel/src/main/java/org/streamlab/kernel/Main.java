package org.streamlab.kernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.streamlab.kernel.install.KernelspecInstaller;

/**
 * Entry point. {@code run CONNECTION_FILE} serves Jupyter; {@code install [--prefix DIR] [--user]} writes the
 * kernelspec; {@code warmup} exercises start-up paths once (used to record the class-data-sharing archive).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "run" -> {
                if (args.length < 2) {
                    usage();
                }
                run(Path.of(args[1]));
            }
            case "install" -> KernelspecInstaller.main(Arrays.copyOfRange(args, 1, args.length));
            case "warmup" -> {
                warmup();
                System.exit(0); // services may leave non-daemon threads; the CDS archive is written at exit
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: streamlab-kernel run CONNECTION_FILE | install [--prefix DIR | --user] | warmup");
        System.exit(2);
    }

    static void run(Path connectionFile) throws Exception {
        System.setProperty("java.awt.headless", "true");
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(connectionFile));
        org.streamlab.kernel.protocol.KernelConnection connection = new org.streamlab.kernel.protocol.KernelConnection(props);
        KernelSession session = new KernelSession(KernelConfig.fromEnvironment());
        StreamLabKernel kernel = StreamLabKernel.create(session);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        ParentWatch.exitWhenParentDies(() -> {
            session.close();
            Runtime.getRuntime().halt(0);
        });
        connection.waitUntilClose();
        session.close();
        // services may leave non-daemon threads behind: the kernel process ends with its connection
        Runtime.getRuntime().halt(0);
    }

    /**
     * Runs typical cells once so the classes they load can be recorded in a class-data-sharing archive
     * ({@code -XX:ArchiveClassesAtExit}). Only the kernel's own paths: an archive that also holds Spark's and
     * Flink's classes (300 MB) made the kernel start slower and tripled its RSS.
     */
    static void warmup() throws java.io.IOException {
        System.setProperty("java.awt.headless", "true");
        Path workspace = Files.createTempDirectory("streamlab-warmup");
        java.util.List<String> cells = new java.util.ArrayList<>(java.util.List.of(
                "int x = 1 + 1;\nString s = \"warm\" + x;\ns.length()",
                "record Row(String name, int n) {}\nList.of(new Row(\"a\", 1))",
                "%lsmagic"));
        CellOutput quiet = new CellOutput() {
            @Override
            public void display(org.dflib.jjava.jupyter.kernel.display.DisplayData data, String displayId) {}

            @Override
            public void updateDisplay(String displayId, org.dflib.jjava.jupyter.kernel.display.DisplayData data) {}
        };
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put(KernelConfig.WORKSPACE, workspace.toString());
        try (KernelSession session = new KernelSession(KernelConfig.load(env, workspace))) {
            for (String cell : cells) {
                if (cell.isBlank()) {
                    continue;
                }
                long t0 = System.nanoTime();
                try {
                    Object v = session.execute(cell.strip(), quiet);
                    if (v != null) {
                        session.render(v);
                    }
                    System.err.printf("warm-up cell ok (%d ms): %s%n", (System.nanoTime() - t0) / 1_000_000, firstLine(cell));
                } catch (RuntimeException e) {
                    System.err.println("warm-up cell skipped: " + firstLine(cell) + " (" + e.getMessage() + ")");
                }
            }
            session.evaluator().complete("Syst", 4);
        }
    }

    private static String firstLine(String cell) {
        return cell.strip().lines().findFirst().orElse("");
    }
}

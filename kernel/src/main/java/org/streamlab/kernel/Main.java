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
            case "warmup" -> warmup();
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

    /** Loads the classes a session needs at start and on a first cell, then exits. */
    static void warmup() {
        System.setProperty("java.awt.headless", "true");
        try (KernelSession session = new KernelSession(KernelConfig.load(System.getenv(),
                Path.of(System.getProperty("java.io.tmpdir"))))) {
            session.execute("int x = 1 + 1;\nString s = \"warm\" + x;\ns.length()", new CellOutput() {
                @Override
                public void display(org.dflib.jjava.jupyter.kernel.display.DisplayData data, String displayId) {}

                @Override
                public void updateDisplay(String displayId, org.dflib.jjava.jupyter.kernel.display.DisplayData data) {}
            });
            session.render(java.util.List.of(1, 2));
            session.evaluator().complete("Syst", 4);
        }
    }
}

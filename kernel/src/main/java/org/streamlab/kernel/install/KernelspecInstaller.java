package org.streamlab.kernel.install;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the {@code streamlab} kernelspec: {@code install [--prefix DIR | --user] [--lib DIR] [--cds FILE]}.
 * JVM options are sized for a 2 GB Binder container that must also hold Jupyter and the data services.
 */
public final class KernelspecInstaller {
    public static final String NAME = "streamlab";
    public static final String DISPLAY_NAME = "Java (StreamLab)";

    /** Heap for notebook code and the embedded engines; metaspace and code cache are capped too. */
    static final List<String> JVM_OPTIONS = List.of(
            "-Xms64m", "-Xmx1g", "-XX:MaxMetaspaceSize=512m", "-XX:ReservedCodeCacheSize=96m",
            "-XX:+UseSerialGC", "-Xss4m",
            // C1 only: notebook work is dominated by start-up and first runs (JShell, Flink's planner, Spark's
            // first job), which C1 halves; C2's peak speed rarely pays back within a cell
            "-XX:TieredStopAtLevel=1",
            "-Djava.security.manager=allow", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
            "-Dfile.encoding=UTF-8",
            // Spark and Flink reflect into the JDK
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
            "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.sql/java.sql=ALL-UNNAMED");

    private KernelspecInstaller() {}

    public static void main(String[] args) throws IOException {
        Path prefix = null;
        Path lib = null;
        Path cds = null;
        boolean user = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--prefix" -> prefix = Path.of(args[++i]);
                case "--user" -> user = true;
                case "--lib" -> lib = Path.of(args[++i]);
                case "--cds" -> cds = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown option " + args[i] + "; usage: install [--prefix DIR | --user] [--lib DIR] [--cds FILE]");
                    System.exit(2);
                }
            }
        }
        if (lib == null) {
            lib = Path.of(KernelspecInstaller.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getParent();
        }
        Path kernelsDir;
        if (prefix != null) {
            kernelsDir = prefix.resolve("share/jupyter/kernels");
        } else {
            String dataDir = System.getenv("JUPYTER_DATA_DIR");
            kernelsDir = (dataDir != null ? Path.of(dataDir) : Path.of(System.getProperty("user.home"), ".local/share/jupyter"))
                    .resolve("kernels");
        }
        Path dir = kernelsDir.resolve(NAME);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kernel.json"), kernelJson(lib.toAbsolutePath(), cds), StandardCharsets.UTF_8);
        System.out.println("installed kernelspec '" + NAME + "' in " + dir);
    }

    static String kernelJson(Path lib, Path cds) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(JVM_OPTIONS);
        if (cds != null && Files.isRegularFile(cds)) {
            argv.add("-XX:SharedArchiveFile=" + cds.toAbsolutePath());
            argv.add("-Xshare:auto");
            // a stale archive (jars rebuilt since) is skipped; say nothing about it on the kernel's console
            argv.add("-Xlog:cds=off");
            argv.add("-Xlog:cds+dynamic=off");
        }
        argv.add("-cp");
        argv.add(lib + File.separator + "*");
        argv.add("org.streamlab.kernel.Main");
        argv.add("run");
        argv.add("{connection_file}");
        StringBuilder sb = new StringBuilder("{\n  \"argv\": [");
        for (int i = 0; i < argv.size(); i++) {
            sb.append(i == 0 ? "\n    " : ",\n    ").append(json(argv.get(i)));
        }
        sb.append("\n  ],\n");
        sb.append("  \"display_name\": ").append(json(DISPLAY_NAME)).append(",\n");
        sb.append("  \"language\": \"java\",\n");
        sb.append("  \"interrupt_mode\": \"message\",\n");
        sb.append("  \"metadata\": {\"debugger\": false}\n}\n");
        return sb.toString();
    }

    private static String json(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}

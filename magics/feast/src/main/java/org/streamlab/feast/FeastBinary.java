package org.streamlab.feast;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;

/**
 * Where the {@code feast} executable (PyPI's feast) and the Python it runs on are: {@code FEAST_BIN} if set, else
 * {@code feast} on PATH, else the course's {@code .venv/bin/feast} next to the working directory's parents. The
 * Python is {@code FEAST_PYTHON}, else {@code python3} or {@code python} beside the executable (a venv's bin), else
 * the interpreter named in its {@code #!} line when that is a python (pip writes {@code #!/bin/sh} launchers for
 * venv paths with spaces or long shebangs: /bin/sh is not feast's Python), else {@code python3} on PATH.
 */
record FeastBinary(Path feast, Path python) {
    static final String BIN_KEY = "FEAST_BIN";
    static final String PYTHON_KEY = "FEAST_PYTHON";
    static final String INSTALL_HINT = "install it into the course's venv: .venv/bin/pip install -r tools/requirements.txt"
            + " (pins feast[duckdb]), then restart the kernel; or set FEAST_BIN to the feast executable";

    static FeastBinary locate(KernelConfig config) {
        Optional<String> configured = config.get(BIN_KEY);
        Path feast;
        if (configured.isPresent()) {
            feast = Path.of(configured.get());
            if (!Files.isRegularFile(feast) || !Files.isExecutable(feast)) {
                throw new UserError(BIN_KEY + "=" + configured.get() + " is not an executable file", INSTALL_HINT);
            }
        } else {
            feast = onPath("feast").or(FeastBinary::inCourseVenv).orElseThrow(() -> new UserError(
                    "the feast command is not installed (not on PATH, and no .venv/bin/feast found)", INSTALL_HINT));
        }
        return new FeastBinary(feast.toAbsolutePath(), python(config, feast));
    }

    private static Path python(KernelConfig config, Path feast) {
        Optional<String> configured = config.get(PYTHON_KEY);
        if (configured.isPresent()) {
            return Path.of(configured.get());
        }
        return pythonOf(feast);
    }

    /** The Python a feast executable runs on: python3 or python beside it, else a python in its #! line. */
    static Path pythonOf(Path feast) {
        Path bin = feast.toAbsolutePath().getParent();
        for (String name : new String[] {"python3", "python"}) {
            Path beside = bin.resolve(name);
            if (Files.isExecutable(beside)) {
                return beside;
            }
        }
        return shebangPython(feast).orElse(Path.of("python3"));
    }

    /** The interpreter of a {@code #!} script when its file name starts with "python" (not sh, not env). */
    static Optional<Path> shebangPython(Path script) {
        try {
            String first = Files.readAllLines(script, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            if (first.startsWith("#!")) {
                Path interpreter = Path.of(first.substring(2).strip().split("\\s+")[0]);
                Path name = interpreter.getFileName();
                if (name != null && name.toString().startsWith("python") && Files.isExecutable(interpreter)) {
                    return Optional.of(interpreter);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // a binary launcher, not a script
        }
        return Optional.empty();
    }

    static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The course's venv, for a kernel started without .venv/bin on PATH (e.g. from an IDE in a notebook folder). */
    private static Optional<Path> inCourseVenv() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve(".venv/bin/feast");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}

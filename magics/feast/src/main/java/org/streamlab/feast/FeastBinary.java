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
 * Python is {@code FEAST_PYTHON}, else the interpreter named in the executable's {@code #!} line (pip writes the
 * venv's python there), else {@code python3} beside it.
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
        try {
            String first = Files.readAllLines(feast, StandardCharsets.UTF_8).stream().findFirst().orElse("");
            if (first.startsWith("#!")) {
                String interpreter = first.substring(2).strip().split("\\s+")[0];
                if (!interpreter.endsWith("/env") && Files.isExecutable(Path.of(interpreter))) {
                    return Path.of(interpreter);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // a binary launcher, not a script: fall back to the python beside it
        }
        Path beside = feast.toAbsolutePath().getParent().resolve("python3");
        return Files.isExecutable(beside) ? beside : Path.of("python3");
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

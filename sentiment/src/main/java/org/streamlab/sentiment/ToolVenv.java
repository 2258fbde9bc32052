package org.streamlab.sentiment;

import java.nio.file.Files;
import java.nio.file.Path;
import org.streamlab.kernel.UserError;

/**
 * Finds a Python tool's venv made by {@code ./streamlab} (MLflow, MLServer): where an environment variable points,
 * else the first folder of that name in the working folder or a parent (a notebook runs in notebooks/PHASE/ or
 * course/PHASE/, the venv sits at the repository root).
 */
public final class ToolVenv {
    private ToolVenv() {}

    /**
     * The venv holding {@code bin/executable}: {@code envVar}'s value if set, else the nearest {@code dirName}.
     *
     * @param install how to get it, e.g. "run ./streamlab setup (tools/requirements-mlflow.txt)"
     * @throws UserError naming what is missing and {@code install}
     */
    public static Path find(String envVar, String dirName, String executable, String install) {
        String configured = System.getenv(envVar);
        if (configured != null && !configured.isBlank()) {
            Path venv = Path.of(configured).toAbsolutePath();
            if (!Files.isExecutable(venv.resolve("bin").resolve(executable))) {
                throw new UserError(envVar + "=" + configured + " holds no bin/" + executable, install);
            }
            return venv;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve(dirName).resolve("bin").resolve(executable))) {
                return d.resolve(dirName);
            }
        }
        throw new UserError(executable + " is not installed: no " + dirName + " in " + Path.of("").toAbsolutePath()
                + " or a parent", install + "; or set " + envVar + " to such a venv");
    }
}

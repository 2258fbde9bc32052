package org.streamlab.pipelines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** What the benchmark harnesses share: arguments, percentiles, the machine's load. */
public final class BenchmarkSupport {
    private BenchmarkSupport() {}

    public static String seconds(long millis) {
        return millis < 0 ? "n/a" : String.format("%.2f s", millis / 1000.0);
    }

    /** The p-th percentile (nearest rank) of {@code values}, -1 when empty. */
    public static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] a = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        int i = (int) Math.ceil(p / 100.0 * a.length) - 1;
        return a[Math.max(0, Math.min(a.length - 1, i))];
    }

    public static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** {@code name=value} from the command line, or {@code fallback}. */
    public static int intArg(String[] args, String name, int fallback) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 1));
            }
        }
        return fallback;
    }
}

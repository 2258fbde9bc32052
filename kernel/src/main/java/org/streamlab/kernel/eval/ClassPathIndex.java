package org.streamlab.kernel.eval;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which jar of the kernel's class path holds which package. The Java compiler pays for every jar it can
 * see on every cell, so cells compile against the kernel's own jars first, and the jars of a package are
 * handed to the compiler the first time a cell names it (Kafka, Flink, Spark classes...).
 */
final class ClassPathIndex {
    private final List<String> compilerStart;
    private final CompletableFuture<Map<String, Set<String>>> packages;

    private ClassPathIndex(List<String> compilerStart, List<String> onDemand) {
        this.compilerStart = compilerStart;
        this.packages = onDemand.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : CompletableFuture.supplyAsync(() -> index(onDemand), r -> {
                    Thread t = new Thread(r, "streamlab-classpath-index");
                    t.setDaemon(true);
                    t.setPriority(Thread.MIN_PRIORITY);
                    t.start();
                });
    }

    /**
     * Splits {@code classPath}: the jars the kernel jar's manifest names (and folders) go to the compiler at once;
     * the rest on demand. Without a manifest (e.g. running from target/classes) everything goes at once.
     */
    static ClassPathIndex of(String classPath, boolean everythingAtOnce) {
        List<String> entries = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(e);
            }
        }
        Set<String> kernelJars = everythingAtOnce ? null : kernelJarNames(entries);
        if (kernelJars == null) {
            return new ClassPathIndex(entries, List.of());
        }
        List<String> start = new ArrayList<>();
        List<String> onDemand = new ArrayList<>();
        for (String e : entries) {
            String name = new File(e).getName();
            if (!e.endsWith(".jar") || kernelJars.contains(name)) {
                start.add(e);
            } else {
                onDemand.add(e);
            }
        }
        return new ClassPathIndex(start, onDemand);
    }

    /** The kernel jar and the jars its manifest Class-Path lists; null when the kernel is not a jar. */
    private static Set<String> kernelJarNames(List<String> entries) {
        String self = ClassPathIndex.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        if (!self.endsWith(".jar")) {
            return null;
        }
        try (JarFile jar = new JarFile(self)) {
            String cp = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return null;
            }
            Set<String> names = new LinkedHashSet<>();
            names.add(new File(self).getName());
            for (String n : cp.trim().split("\\s+")) {
                names.add(new File(n).getName());
            }
            return names;
        } catch (IOException e) {
            return null;
        }
    }

    String compilerStartPath() {
        return String.join(File.pathSeparator, compilerStart);
    }

    /** Jars holding {@code packageName} that the compiler has not been given yet. */
    Collection<String> jarsFor(String packageName) {
        return packages.join().getOrDefault(packageName, Set.of());
    }

    private static Map<String, Set<String>> index(List<String> jars) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String jar : jars) {
            try (ZipFile zip = new ZipFile(jar)) {
                Enumeration<? extends ZipEntry> en = zip.entries();
                while (en.hasMoreElements()) {
                    String name = en.nextElement().getName();
                    if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
                        continue;
                    }
                    int slash = name.lastIndexOf('/');
                    if (slash > 0) {
                        out.computeIfAbsent(name.substring(0, slash).replace('/', '.'), k -> new LinkedHashSet<>()).add(jar);
                    }
                }
            } catch (IOException e) {
                // an unreadable jar cannot be offered to the compiler; the JVM reports it if code needs it
            }
        }
        return out;
    }
}

package org.streamlab.flink;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;

/**
 * Ships the classes notebook cells defined with every job, so lambdas and classes written in Java cells run
 * on the cluster (embedded or remote): at submission, the bytecode JShell loaded is written to a jar (named by
 * its content, reused while nothing changes) and added to {@code pipeline.jars}.
 */
final class CellClassShipping implements PipelineExecutorServiceLoader {
    private final PipelineExecutorServiceLoader delegate = new DefaultExecutorServiceLoader();
    private final Path jarDir;

    CellClassShipping(Path jarDir) {
        this.jarDir = jarDir;
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) throws Exception {
        PipelineExecutorFactory factory = delegate.getExecutorFactory(configuration);
        return new PipelineExecutorFactory() {
            @Override
            public String getName() {
                return factory.getName();
            }

            @Override
            public boolean isCompatibleWith(Configuration c) {
                return factory.isCompatibleWith(c);
            }

            @Override
            public PipelineExecutor getExecutor(Configuration c) {
                PipelineExecutor executor = factory.getExecutor(c);
                return (pipeline, conf, userClassLoader) -> {
                    Path jar = cellJar();
                    if (jar != null) {
                        List<String> jars = new ArrayList<>(conf.getOptional(PipelineOptions.JARS).orElse(List.of()));
                        String uri = jar.toUri().toString();
                        if (!jars.contains(uri)) {
                            jars.add(uri);
                        }
                        conf.set(PipelineOptions.JARS, jars);
                    }
                    return executor.execute(pipeline, conf, userClassLoader);
                };
            }
        };
    }

    @Override
    public Stream<String> getExecutorNames() {
        return delegate.getExecutorNames();
    }

    /** A jar of the classes cells defined so far, or null when there are none (or no kernel). */
    Path cellJar() throws IOException {
        Map<String, byte[]> classes = definedClasses();
        if (classes.isEmpty()) {
            return null;
        }
        Map<String, byte[]> sorted = new TreeMap<>(classes);
        String hash;
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            sorted.forEach((name, bytes) -> {
                md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(bytes);
            });
            hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Files.createDirectories(jarDir);
        Path jar = jarDir.resolve("cells-" + hash + ".jar");
        if (Files.isRegularFile(jar)) {
            return jar;
        }
        Path tmp = Files.createTempFile(jarDir, "cells-", ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp); JarOutputStream out = new JarOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey().replace('.', '/') + ".class"));
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return jar;
    }

    private static Map<String, byte[]> definedClasses() {
        try {
            return org.streamlab.kernel.KernelSession.current().evaluator().definedClasses();
        } catch (RuntimeException | LinkageError e) {
            return Map.of(); // not inside a kernel (plain Java, tests of the engine alone)
        }
    }
}

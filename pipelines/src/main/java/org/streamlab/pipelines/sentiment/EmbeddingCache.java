package org.streamlab.pipelines.sentiment;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Sentence embeddings by text, in one binary file: the nightly job embeds each review once, however many nights train
 * on it (the encoder is the slow part; the head trains in milliseconds). Texts missing from the file are embedded
 * with the function given to {@link #embed} and the file is rewritten (atomically) when {@link #save} is called.
 */
public final class EmbeddingCache {
    private static final int MAGIC = 0x53454d42; // "SEMB"
    private final Path file;
    private final Map<String, float[]> vectors = new LinkedHashMap<>();
    private boolean changed;

    private EmbeddingCache(Path file) {
        this.file = file;
    }

    /** The cache in {@code file}, empty when the file does not exist yet. */
    public static EmbeddingCache open(Path file) {
        EmbeddingCache cache = new EmbeddingCache(file);
        if (Files.exists(file)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                if (in.readInt() != MAGIC) {
                    throw new IOException("not an embedding cache");
                }
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    String text = in.readUTF();
                    float[] v = new float[in.readInt()];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = in.readFloat();
                    }
                    cache.vectors.put(text, v);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the embedding cache " + file + " (delete it to start over): " + e.getMessage(), e);
            }
        }
        return cache;
    }

    public int size() {
        return vectors.size();
    }

    /** Adds known embeddings (e.g. the ones a notebook computed already). */
    public void putAll(List<String> texts, float[][] embeddings) {
        for (int i = 0; i < texts.size(); i++) {
            if (vectors.put(texts.get(i), embeddings[i]) == null) {
                changed = true;
            }
        }
    }

    /** The embedding of each text, in order; the texts not cached yet are embedded in one call of {@code encoder}. */
    public float[][] embed(List<String> texts, Function<List<String>, float[][]> encoder) {
        Set<String> missing = new LinkedHashSet<>();
        for (String t : texts) {
            if (!vectors.containsKey(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            List<String> toEmbed = new ArrayList<>(missing);
            putAll(toEmbed, encoder.apply(toEmbed));
        }
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = vectors.get(texts.get(i));
        }
        return out;
    }

    /** Writes the file if anything was added (to a temporary file, then renamed). */
    public void save() {
        if (!changed) {
            return;
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeInt(vectors.size());
                for (Map.Entry<String, float[]> e : vectors.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    for (float f : e.getValue()) {
                        out.writeFloat(f);
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            changed = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the embedding cache " + file + ": " + e.getMessage(), e);
        }
    }
}

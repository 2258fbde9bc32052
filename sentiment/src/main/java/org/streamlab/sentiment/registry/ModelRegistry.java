package org.streamlab.sentiment.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.streamlab.kernel.UserError;
import org.streamlab.sentiment.SentimentHead;

/**
 * Sentiment heads in an MLflow server: one run per training (params, metrics, the head's JSON as the artifact
 * {@code head/head.json}), registered as versions of a registered model, with aliases (e.g. {@code champion}).
 *
 * <p>Runs, params and metrics go through {@code org.mlflow:mlflow-client}; the registry calls it lacks (create a
 * version, aliases) through its generic {@code sendPost}/{@code sendGet}; artifacts over the server's HTTP artifact
 * proxy ({@code /api/2.0/mlflow-artifacts/artifacts/...}), since the client's {@code logArtifact} runs a Python mlflow.
 */
public final class ModelRegistry implements AutoCloseable {
    /** Where a head is stored in its run's artifacts. */
    public static final String HEAD_ARTIFACT = "head/head.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One registered version: its number, the run that produced it, and the run's metrics. */
    public record ModelVersion(String model, int version, String runId, Map<String, Double> metrics) {
        public double metric(String name) {
            Double v = metrics.get(name);
            if (v == null) {
                throw new UserError("version " + version + " of " + model + " has no metric '" + name + "' (it has " + metrics.keySet() + ")",
                        "log it on the run before registering the version");
            }
            return v;
        }
    }

    private final String uri;
    private final MlflowClient client;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ModelRegistry(String trackingUri) {
        this.uri = trackingUri.replaceAll("/+$", "");
        this.client = new MlflowClient(uri);
    }

    public ModelRegistry(MlflowServer server) {
        this(server.uri());
    }

    public String trackingUri() {
        return uri;
    }

    /** The underlying MLflow Java client, for anything else. */
    public MlflowClient client() {
        return client;
    }

    /** The experiment's id, created when missing. */
    public String experiment(String name) {
        return client.getExperimentByName(name).map(Service.Experiment::getExperimentId).orElseGet(() -> client.createExperiment(name));
    }

    /**
     * Logs a trained head as a finished run of {@code experiment}: its params, metrics and the head as
     * {@link #HEAD_ARTIFACT}. Returns the run id.
     */
    public String logHead(String experiment, String runName, SentimentHead head, Map<String, String> params, Map<String, Double> metrics) {
        String experimentId = experiment(experiment);
        Service.RunInfo run = client.createRun(Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setRunName(runName).setStartTime(System.currentTimeMillis()).build());
        String runId = run.getRunId();
        params.forEach((k, v) -> client.logParam(runId, k, v));
        metrics.forEach((k, v) -> client.logMetric(runId, k, v));
        try {
            Path tmp = Files.createTempFile("head", ".json");
            try {
                head.save(tmp);
                uploadArtifact(run, HEAD_ARTIFACT, Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserError("cannot write the head for MLflow: " + e.getMessage(), "check the temporary folder");
        }
        client.setTerminated(runId);
        return runId;
    }

    /** Registers the run's head as a new version of {@code model} (the registered model is created when missing). */
    public ModelVersion register(String model, String runId) {
        try {
            post("registered-models/create", JSON.createObjectNode().put("name", model));
        } catch (MlflowHttpException e) {
            if (!e.getBodyMessage().contains("RESOURCE_ALREADY_EXISTS")) {
                throw e;
            }
        }
        Service.Run run = client.getRun(runId);
        ObjectNode body = JSON.createObjectNode().put("name", model).put("run_id", runId)
                .put("source", run.getInfo().getArtifactUri() + "/" + HEAD_ARTIFACT.substring(0, HEAD_ARTIFACT.indexOf('/')));
        JsonNode created = post("model-versions/create", body).path("model_version");
        return version(model, created.path("version").asInt());
    }

    /** A version by number, with its run's metrics. */
    public ModelVersion version(String model, int version) {
        JsonNode v = get("model-versions/get?name=" + enc(model) + "&version=" + version).path("model_version");
        return toVersion(model, v);
    }

    /** Every version of {@code model}, oldest first (empty when the model is not registered yet). */
    public List<ModelVersion> versions(String model) {
        List<ModelVersion> out = new ArrayList<>();
        String token = "";
        do {
            JsonNode page = get("model-versions/search?filter=" + enc("name='" + model.replace("'", "\\'") + "'")
                    + "&max_results=200" + (token.isEmpty() ? "" : "&page_token=" + enc(token)));
            for (JsonNode v : page.path("model_versions")) {
                out.add(toVersion(model, v));
            }
            token = page.path("next_page_token").asText("");
        } while (!token.isEmpty());
        out.sort(Comparator.comparingInt(ModelVersion::version));
        return out;
    }

    /** The version an alias points to, if the model and the alias exist. */
    public Optional<ModelVersion> byAlias(String model, String alias) {
        try {
            JsonNode v = get("registered-models/alias?name=" + enc(model) + "&alias=" + enc(alias)).path("model_version");
            return Optional.of(toVersion(model, v));
        } catch (MlflowHttpException e) {
            // no such model: 404 RESOURCE_DOES_NOT_EXIST; a model without that alias: 400 "alias ... not found"
            String body = String.valueOf(e.getBodyMessage());
            if (e.getStatusCode() == 404 || body.contains("RESOURCE_DOES_NOT_EXIST") || body.contains("alias " + alias + " not found")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Points {@code alias} at {@code version} (moving it from wherever it was). */
    public void setAlias(String model, String alias, int version) {
        post("registered-models/alias", JSON.createObjectNode().put("name", model).put("alias", alias).put("version", Integer.toString(version)));
    }

    /** The head a version holds, read from its run's artifacts. */
    public SentimentHead loadHead(ModelVersion version) {
        Service.RunInfo run = client.getRun(version.runId()).getInfo();
        byte[] bytes = downloadArtifact(run, HEAD_ARTIFACT);
        try {
            Path tmp = Files.createTempFile("head", ".json");
            try {
                Files.write(tmp, bytes);
                return SentimentHead.load(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UserError("cannot read the head of " + version.model() + " version " + version.version() + ": " + e.getMessage(),
                    "check the temporary folder");
        }
    }

    private ModelVersion toVersion(String model, JsonNode v) {
        String runId = v.path("run_id").asText();
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (!runId.isEmpty()) {
            client.getRun(runId).getData().getMetricsList().forEach(m -> metrics.put(m.getKey(), m.getValue()));
        }
        return new ModelVersion(model, v.path("version").asInt(), runId, metrics);
    }

    /** mlflow-artifacts:/EXP/RUN/artifacts -> the proxy's URL for {@code path} under it. */
    private URI artifactUrl(Service.RunInfo run, String path) {
        String root = run.getArtifactUri();
        String prefix = "mlflow-artifacts:";
        if (!root.startsWith(prefix)) {
            throw new UserError("the run's artifacts are at " + root + ", not behind the server's artifact proxy",
                    "start the server with --serve-artifacts (MlflowServer does)");
        }
        String rel = root.substring(prefix.length()).replaceAll("^/+", "");
        return URI.create(uri + "/api/2.0/mlflow-artifacts/artifacts/" + rel + "/" + path);
    }

    private void uploadArtifact(Service.RunInfo run, String path, byte[] bytes) {
        send(HttpRequest.newBuilder(artifactUrl(run, path)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), "upload " + path);
    }

    private byte[] downloadArtifact(Service.RunInfo run, String path) {
        return send(HttpRequest.newBuilder(artifactUrl(run, path)).GET().build(), "download " + path);
    }

    private byte[] send(HttpRequest request, String what) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() / 100 != 2) {
                throw new UserError("MLflow artifact " + what + " failed: HTTP " + r.statusCode() + " "
                        + new String(r.body(), StandardCharsets.UTF_8).lines().findFirst().orElse(""), "is the MLflow server at " + uri + " running?");
            }
            return r.body();
        } catch (IOException e) {
            throw new UserError("MLflow artifact " + what + " failed: " + e.getMessage(), "is the MLflow server at " + uri + " running?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted during the MLflow artifact " + what, "run the cell again");
        }
    }

    private JsonNode post(String path, JsonNode body) {
        return parse(client.sendPost(path, body.toString()));
    }

    private JsonNode get(String path) {
        return parse(client.sendGet(path));
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UserError("MLflow answered something that is not JSON: " + s, "is the tracking URI an MLflow server?");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        client.close();
    }
}

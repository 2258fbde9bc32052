package org.streamlab.feast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.magic.MagicArgs;
import org.streamlab.kernel.magic.MagicUsageException;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

/** Argument parsing, response parsing and the errors a learner meets, without running feast. */
class FeastMagicTest {
    @TempDir
    Path tmp;

    @Test
    void materializeArgumentsBecomeFeastCliArguments() {
        var m = FeastMagic.parseMaterialize(MagicArgs.of("materialize 2026-01-01T00:00:00 2026-01-01T12:30:00Z --views a,b"), false);
        assertEquals(List.of("materialize", "2026-01-01T00:00", "2026-01-01T12:30", "--views", "a", "--views", "b"), m.cliArgs());
        var inc = FeastMagic.parseMaterialize(MagicArgs.of("materialize-incremental 2026-01-02"), true);
        assertEquals(List.of("materialize-incremental", "2026-01-02T00:00"), inc.cliArgs());
        // a zone offset is converted to UTC, which is what feast assumes for times without one
        assertEquals("2026-01-01T10:00", FeastMagic.timestamp("2026-01-01T12:00:00+02:00"));
    }

    @Test
    void materializeRejectsBadTimesAndMissingEnd() {
        var bad = assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseMaterialize(MagicArgs.of("materialize yesterday 2026-01-01T00:00:00"), false));
        assertTrue(bad.getMessage().contains("not an ISO time: yesterday"), bad.getMessage());
        var missing = assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseMaterialize(MagicArgs.of("materialize 2026-01-01T00:00:00"), false));
        assertTrue(missing.getMessage().contains("END"), missing.getMessage());
        var reversed = assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseMaterialize(MagicArgs.of("materialize 2026-01-02T00:00:00 2026-01-01T00:00:00"), false));
        assertTrue(reversed.getMessage().contains("is after END"), reversed.getMessage());
        assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseMaterialize(MagicArgs.of("materialize 2026-01-01 2026-01-02 --view a"), false));
    }

    @Test
    void featuresParsesEntityRowsAndFeatureReferences() {
        var f = FeastMagic.parseFeatures(MagicArgs.of(
                "features driver_id=1001,1002 city=berlin,paris --features driver_stats:trips,driver_stats:conv_rate --into got"));
        assertEquals(Map.of("driver_id", List.of(1001L, 1002L), "city", List.of("berlin", "paris")), f.request().entities());
        assertEquals(List.of("driver_stats:trips", "driver_stats:conv_rate"), f.request().features());
        assertEquals("got", f.into().orElseThrow());
        var svc = FeastMagic.parseFeatures(MagicArgs.of("features driver_id=1 --service model_v1 --full-names"));
        assertEquals("model_v1", svc.request().featureService());
        assertTrue(svc.request().fullFeatureNames());
        assertEquals(Map.of("feature_service", "model_v1", "entities", Map.of("driver_id", List.of(1L)), "full_feature_names", true),
                svc.request().toJson());
    }

    @Test
    void featuresErrorsSayWhatIsMissing() {
        assertTrue(assertThrows(MagicUsageException.class, () -> FeastMagic.parseFeatures(MagicArgs.of("features --features v:f")))
                .getMessage().contains("KEY=VALUE"));
        assertTrue(assertThrows(MagicUsageException.class, () -> FeastMagic.parseFeatures(MagicArgs.of("features driver_id=1")))
                .getMessage().contains("--features VIEW:FEATURE"));
        assertTrue(assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseFeatures(MagicArgs.of("features driver_id=1 --features v:f --service s")))
                .getMessage().contains("one of them"));
        assertTrue(assertThrows(UserError.class, () -> FeastMagic.parseFeatures(MagicArgs.of("features driver_id=1 --features trips")))
                .getMessage().contains("view:feature"));
        assertTrue(assertThrows(MagicUsageException.class, () -> FeastMagic.parseFeatures(MagicArgs.of("features driver_id --features v:f")))
                .getMessage().contains("KEY=VALUE"));
        assertTrue(assertThrows(MagicUsageException.class,
                () -> FeastMagic.parseFeatures(MagicArgs.of("features driver_id=1 --features v:f --into 1x")))
                .getMessage().contains("Java variable name"));
        var uneven = assertThrows(UserError.class,
                () -> FeastMagic.parseFeatures(MagicArgs.of("features a=1,2 b=3 --features v:f")));
        assertTrue(uneven.getMessage().contains("one value per entity row"), uneven.getMessage());
    }

    @Test
    void trainingNeedsEntitiesAndFeatures() {
        var t = FeastMagic.parseTraining(MagicArgs.of(
                "training --entities data/labels --features a:x,b:y --timestamp-column ts --out /tmp/t.parquet --max-rows 5 --into ts1"));
        assertEquals(Path.of("data/labels"), t.request().entities());
        assertEquals(List.of("a:x", "b:y"), t.request().features());
        assertEquals("ts", t.request().timestampColumn());
        assertEquals(5, t.maxRows());
        assertEquals("ts1", t.into().orElseThrow());
        assertTrue(assertThrows(MagicUsageException.class, () -> FeastMagic.parseTraining(MagicArgs.of("training --features a:x")))
                .getMessage().contains("--entities"));
        assertTrue(assertThrows(MagicUsageException.class, () -> FeastMagic.parseTraining(MagicArgs.of("training --entities e.csv")))
                .getMessage().contains("--features"));
    }

    @Test
    void feastTracebacksBecomeOneLine() {
        String traceback = """
                Traceback (most recent call last):
                  File "/x/feast/cli.py", line 10, in apply
                    raise FeatureViewNotFoundException(name, project)
                feast.errors.FeatureViewNotFoundException: Feature view nope does not exist in project streamlab
                """;
        assertEquals("FeatureViewNotFoundException: Feature view nope does not exist in project streamlab",
                FeastProcess.failureLine(traceback));
        assertEquals("SyntaxError: invalid syntax", FeastProcess.failureLine("  File \"features.py\", line 3\n    x = (\nSyntaxError: invalid syntax\n"));
        assertEquals("Error: no such option: --nope", FeastProcess.failureLine("Usage: feast apply [OPTIONS]\nTry 'feast apply --help' for help.\n\nError: no such option: --nope\n"));
        assertEquals("x done", FeastProcess.clean("\u001b[1mx\u001b[0m done"));
        // a warning printed after the traceback is not the failure
        assertEquals("ValueError: bad ttl", FeastProcess.failureLine("Traceback (most recent call last):\nValueError: bad ttl\n"
                + "FutureWarning: something will change\n/x/y.py:3: DeprecationWarning: old\n"));
        assertEquals("it failed", FeastProcess.failureLine("it failed\nUserWarning: ignore me\n"));
    }

    @Test
    void feastsPythonIsBesideItOrAPythonShebangNeverSh() throws Exception {
        Path bin = java.nio.file.Files.createDirectories(tmp.resolve("venv with space/bin"));
        Path feast = bin.resolve("feast");
        // pip's launcher for a venv path with spaces: /bin/sh re-executes the venv's python
        java.nio.file.Files.writeString(feast, "#!/bin/sh\n'''exec' \"" + bin + "/python3\" \"$0\" \"$@\"\n' '''\nimport feast\n");
        assertEquals(Path.of("python3"), FeastBinary.pythonOf(feast), "no python beside it, and /bin/sh is not one");
        Path python = bin.resolve("python");
        java.nio.file.Files.writeString(python, "");
        assertTrue(python.toFile().setExecutable(true));
        assertEquals(python, FeastBinary.pythonOf(feast));

        Path elsewhere = java.nio.file.Files.createDirectories(tmp.resolve("elsewhere")).resolve("feast");
        Path python311 = java.nio.file.Files.createDirectories(tmp.resolve("py")).resolve("python3.11");
        java.nio.file.Files.writeString(python311, "");
        assertTrue(python311.toFile().setExecutable(true));
        java.nio.file.Files.writeString(elsewhere, "#!" + python311 + " -E\nimport feast\n");
        assertEquals(python311, FeastBinary.pythonOf(elsewhere), "a #! python is taken when none is beside");
        java.nio.file.Files.writeString(elsewhere, "#!/bin/sh\nexec true\n");
        assertEquals(Path.of("python3"), FeastBinary.pythonOf(elsewhere));
    }

    @Test
    void serverAnswersAreParsed() {
        OnlineFeatures f = FeastClient.parseResponse("""
                {"results":[{"values":[1001,1002],"statuses":["PRESENT","PRESENT"],"event_timestamps":["1970-01-01T00:00:00Z","1970-01-01T00:00:00Z"]},
                 {"values":[10,null],"statuses":["PRESENT","NOT_FOUND"],"event_timestamps":["2026-01-01T10:00:00Z","1970-01-01T00:00:00Z"]},
                 {"values":[0.5,null],"statuses":["PRESENT","NOT_FOUND"],"event_timestamps":["2026-01-01T10:00:00Z","1970-01-01T00:00:00Z"]}],
                 "metadata":{"feature_names":["driver_id","trips","conv_rate"]}}""");
        assertEquals(List.of("driver_id", "trips", "conv_rate"), f.columns());
        assertEquals(2, f.rowCount());
        assertEquals(10L, f.value(0, "trips"));
        assertEquals(0.5, f.value(0, "conv_rate"));
        assertNull(f.value(1, "trips"));
        assertEquals("NOT_FOUND", f.status(1, "trips"));
        assertEquals("2026-01-01T10:00:00Z", f.eventTime(0, "trips"));
        assertTrue(f.toHtmlTable().toHtml().contains("<td>1002</td><td>(NOT_FOUND)</td>"), f.toHtmlTable().toHtml());
        assertEquals("Feature view nope does not exist in project s", FeastClient.errorMessage(
                "\"{\\\"module\\\": \\\"feast.errors\\\", \\\"class\\\": \\\"FeatureViewNotFoundException\\\", \\\"message\\\": \\\"Feature view nope does not exist in project s\\\"}\""));
        assertEquals("'Feature nope not found in projection driver_stats'",
                FeastClient.errorMessage("\"'Feature nope not found in projection driver_stats'\""));
    }

    @Test
    void aBadServerAddressOrExecutableIsNamed() {
        assertTrue(assertThrows(UserError.class, () -> new FeastClient("localhost:6566")).getMessage().contains("not a feature server address"));
        try (KernelTestKit kit = KernelTestKit.start(tmp.resolve("ws"), Map.of("FEAST_BIN", "/nonexistent/feast", "FEAST_URL", ""))) {
            CellOutcome o = kit.execError("%feast apply");
            assertTrue(o.errorMessage().contains("FEAST_BIN=/nonexistent/feast is not an executable file"), o.errorMessage());
            assertTrue(o.errorMessage().contains("pip install -r tools/requirements.txt"), o.errorMessage());
            assertTrue(kit.execError("%feast").errorMessage().contains("missing subcommand"));
            assertTrue(kit.execSuccess("%feast status").text().contains("FEAST_BIN=/nonexistent/feast is not an executable file"));
            assertTrue(kit.execError("%feast nope").errorMessage().contains("unknown subcommand nope"));
            assertTrue(kit.execError("%%feast apply\n").errorMessage().contains("no definitions"));
            assertTrue(kit.execError("%%feast materialize\nx").errorMessage().contains("one subcommand, apply"));
            assertTrue(kit.execError("%%feast apply --file ../x.py\nx = 1").errorMessage()
                    .contains("the definitions file must be a Python file name in the repository, got: ../x.py"));
            String help = kit.execSuccess("%help feast").allText();
            for (String sub : List.of("status", "apply", "materialize", "materialize-incremental", "serve", "features", "training", "cli",
                    "--views", "--features", "--service", "--full-names", "--into", "--entities", "--timestamp-column", "--out",
                    "--max-rows", "FEAST_URL", "FEAST_BIN", "FEAST_REPO", "%%feast apply [--file NAME.py]")) {
                assertTrue(help.contains(sub), "help lacks " + sub);
            }
        }
    }
}

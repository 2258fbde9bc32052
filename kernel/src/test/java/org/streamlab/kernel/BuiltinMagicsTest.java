package org.streamlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streamlab.kernel.testkit.CellOutcome;
import org.streamlab.kernel.testkit.KernelTestKit;

class BuiltinMagicsTest {
    @TempDir
    static Path workspace;
    static KernelTestKit kit;

    @BeforeAll
    static void start() {
        kit = KernelTestKit.start(workspace);
    }

    @AfterAll
    static void stop() {
        kit.close();
    }

    @Test
    void lsmagicListsEveryMagicWithItsSynopsis() {
        String html = kit.execHtml("%lsmagic");
        for (String m : new String[] {"%%check", "%%time", "%maven", "%classpath", "%load", "%env", "%help", "%lsmagic"}) {
            assertTrue(html.contains(m), m + " missing from " + html);
        }
    }

    @Test
    void helpShowsTheUsage() {
        assertTrue(kit.execSuccess("%help check").text().contains("AssertionError"));
        assertTrue(kit.execSuccess("%help %%time").text().contains("wall-clock"));
        CellOutcome unknown = kit.execError("%help chekc");
        assertTrue(unknown.errorMessage().contains("did you mean %%check"), unknown.errorMessage());
    }

    @Test
    void unknownMagicAndWrongKindAreExplained() {
        assertTrue(kit.execError("%nosuch").errorMessage().contains("unknown line magic %nosuch"));
        assertTrue(kit.execError("%check x").errorMessage().contains("write %%check"));
        assertTrue(kit.execError("%%lsmagic\n").errorMessage().contains("is a line magic"));
    }

    @Test
    void checkPassesAndFails() {
        kit.execSuccess("int answer = 42;");
        CellOutcome pass = kit.execSuccess("%%check the-answer\nif (answer != 42) throw new AssertionError(\"not 42\");");
        assertEquals("PASS the-answer\n", pass.stdout());
        CellOutcome fail = kit.execError("%%check wrong\nif (answer != 41) throw new AssertionError(\"expected 41: hint\");");
        assertTrue(fail.stdout().contains("FAIL wrong: expected 41: hint"), fail.stdout());
        assertTrue(fail.errorMessage().contains("check 'wrong' failed"), fail.errorMessage());
    }

    @Test
    void checkWithACompileErrorFailsWithItsLine() {
        CellOutcome o = kit.execError("%%check broken\nint x = \"no\";");
        assertTrue(o.stdout().contains("FAIL broken: the check does not compile"), o.stdout());
    }

    @Test
    void checkNeedsANameAndABody() {
        assertTrue(kit.execError("%%check\nint y = 1;").errorMessage().contains("missing NAME"));
        assertTrue(kit.execError("%%check empty\n").errorMessage().contains("has no body"));
    }

    @Test
    void timePrintsWallTimeAndKeepsTheResult() {
        CellOutcome o = kit.execSuccess("%%time\nThread.sleep(20);\n6 * 7");
        assertTrue(o.stdout().startsWith("Wall time: "), o.stdout());
        assertEquals("42", o.text());
    }

    @Test
    void lineMagicsMixWithJava() {
        CellOutcome o = kit.execSuccess("int before = 1;\n%env STREAMLAB_DEMO=yes\nbefore + 1");
        assertEquals("2", o.text());
        assertEquals("yes", kit.execSuccess("%env STREAMLAB_DEMO").text());
    }

    @Test
    void envListsTheWorkspace() {
        assertTrue(kit.execHtml("%env").contains(workspace.toAbsolutePath().toString()));
        assertTrue(kit.execError("%env NOT_SET_ANYWHERE").errorMessage().contains("is not set"));
    }

    @Test
    void loadRunsAJavaFile() throws Exception {
        Path file = workspace.resolve("Greeter.java");
        Files.writeString(file, "package demo;\nclass Greeter { static String hi(String n) { return \"hi \" + n; } }\n");
        kit.execSuccess("%load " + file);
        assertEquals("hi ada", kit.eval("Greeter.hi(\"ada\")"));
        assertTrue(kit.execError("%load /no/such/File.java").errorMessage().contains("no such file"));
    }

    @Test
    void classpathAddsAFolderOfClasses() throws Exception {
        Path src = workspace.resolve("src/lib/Tool.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, "package lib; public class Tool { public static int twice(int x) { return 2 * x; } }");
        Path classes = workspace.resolve("classes");
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString());
        assertEquals(0, rc);
        kit.execSuccess("%classpath " + classes);
        assertEquals(8, kit.eval("lib.Tool.twice(4)"));
        assertTrue(kit.execError("%classpath /no/such/dir").errorMessage().contains("no such file or folder"));
    }

    @Test
    void mavenResolvesFromCentral() {
        CellOutcome o = kit.execSuccess("%maven org.jsoup:jsoup:1.17.2");
        assertTrue(o.stdout().contains("org.jsoup:jsoup:jar:1.17.2"), o.stdout());
        assertEquals("hi", kit.eval("org.jsoup.Jsoup.parse(\"<p>hi</p>\").text()"));
        assertTrue(kit.execError("%maven not-a-coordinate").errorMessage().contains("GROUP:ARTIFACT:VERSION"));
        assertTrue(kit.execError("%maven org.streamlab:does-not-exist:0.0.1").errorMessage().contains("could not resolve"));
    }

    @Test
    void magicsBindValuesIntoTheNotebook() {
        kit.session().magics().register(org.streamlab.kernel.magic.MagicSpec.line("answer", "binds 42", "%answer VAR",
                (ctx, args) -> {
                    ctx.bind(args.parse().positional(0, "VAR"), java.util.List.of(4, 2), java.util.List.class);
                    return null;
                }));
        assertNull(kit.execSuccess("%answer digits").result());
        assertEquals(2, kit.eval("digits.size()"));
    }
}

package org.streamlab.flink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.display.HtmlTable;
import org.streamlab.kernel.magic.MagicArgs;

public class SmokeMain {
    public static void main(String[] a) throws Exception {
        Path ws = Files.createTempDirectory("flinksmoke");
        KernelConfig config = KernelConfig.load(Map.of("STREAMLAB_WORKSPACE", ws.toString()), ws);
        FlinkService service = new FlinkService(config);
        long t0 = System.nanoTime();
        RecordingContext ctx = new RecordingContext(config);
        Object r = FlinkMagics.sqlSpec(service).cellHandler().run(ctx, MagicArgs.of("--mode batch"), "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)");
        System.out.println(((HtmlTable) r).toText());
        System.out.printf("first %.2f s%n", (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        r = FlinkMagics.sqlSpec(service).cellHandler().run(ctx, MagicArgs.of(""), "SELECT name, COUNT(*) AS n FROM (VALUES (1, 'a'), (2, 'b'), (3, 'a')) AS t(id, name) GROUP BY name");
        System.out.println(((HtmlTable) r).toText());
        System.out.printf("second %.2f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(ctx.stdout());
        System.out.println(((HtmlTable) FlinkMagics.jobsSpec(service).lineHandler().run(ctx, MagicArgs.of("jobs"))).toText());
        service.stop();
    }
}
